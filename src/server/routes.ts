/** The HTTP routes of ComfyUI's server API, answered from the prompt queue and the server's folders. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readdir } from 'node:fs/promises';
import { freemem, totalmem, platform } from 'node:os';
import type { NodeRegistry } from '../graph/registry.ts';
import type { ImportOptions } from '../interop/comfy/index.ts';
import { acceptPrompt, isRejection } from './promptInput.ts';
import type { ServerQueue } from './promptQueue.ts';
import { objectInfo } from './objectInfo.ts';
import { contentTypeOf, editorFile, HttpError, readViewFile, saveUpload, type ServerFolders } from './serverFiles.ts';
import type { ClientSockets } from './server.ts';
import { BUILTIN_UPSCALERS } from '../../nodes/model/upscalerSource.ts';

export interface RouteContext {
  queue: ServerQueue;
  registry: NodeRegistry;
  /** Checkpoint and upscale model names → packages (`--models FILE`). */
  comfy: ImportOptions;
  folders: ServerFolders;
  /** The built editor (`dist/`), served at `/`. */
  editorDir?: string;
  maxJsonBytes: number;
  maxUploadBytes: number;
  clients?: ClientSockets;
  version: string;
  log?: (line: string) => void;
}

export const DEFAULT_MAX_JSON_BYTES = 16 * 1024 * 1024;
/** ComfyUI's default upload cap is 100 MB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** Routes that need the queue (and so its Redis, in --queue mode). */
const QUEUE_ROUTES = /^\/(prompt|queue|interrupt|history)(\/|$)/;

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    throw new HttpError(413, `the request body is ${declared} bytes; the limit is ${max}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      req.destroy();
      throw new HttpError(413, `the request body is over the limit of ${max} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const body = await readBody(req, max);
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `the request body is not JSON: ${(error as Error).message}`);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

function bytes(res: ServerResponse, type: string, data: Uint8Array, extra: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': type, 'content-length': data.byteLength, 'x-content-type-options': 'nosniff', ...extra });
  res.end(data);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringList = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

async function inputImages(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder, { withFileTypes: true }))
      .filter((e) => e.isFile() && /\.(png|jpe?g|webp|gif)$/i.test(e.name) && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function modelNames(comfy: ImportOptions): { checkpoints: string[]; upscalers: string[] } {
  const mapped = Object.keys(comfy.models ?? {});
  return {
    checkpoints: [...new Set(['toy-shapes.safetensors', ...mapped])],
    upscalers: [...new Set([...Object.keys(BUILTIN_UPSCALERS).map((n) => `${n}.pth`), ...mapped])],
  };
}

async function postPrompt(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req, ctx.maxJsonBytes);
  const accepted = acceptPrompt(body, ctx.registry, ctx.comfy);
  if (isRejection(accepted)) {
    json(res, 400, accepted);
    return;
  }
  const b = body as Record<string, unknown>;
  const clientId = typeof b.client_id === 'string' && b.client_id.length <= 128 ? b.client_id : undefined;
  const extraData = isObject(b.extra_data) ? b.extra_data : {};
  const queued = await ctx.queue.enqueue(accepted, { ...(clientId ? { clientId } : {}), extraData, front: b.front === true });
  json(res, 200, { ...queued, node_errors: {} });
}

export async function routeRequest(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname.replace(/^\/api(?=\/)/, '');
  const method = req.method ?? 'GET';
  const route = `${method} ${path}`;
  const down = QUEUE_ROUTES.test(path) ? ctx.queue.unavailable?.() : undefined;
  if (down !== undefined) throw new HttpError(503, down);
  if (route === 'POST /prompt') return postPrompt(ctx, req, res);
  if (route === 'GET /prompt') return json(res, 200, { exec_info: { queue_remaining: await ctx.queue.remaining() } });
  if (route === 'GET /queue') return json(res, 200, await ctx.queue.queue());
  if (route === 'POST /queue') {
    const body = await readJson(req, ctx.maxJsonBytes);
    if (isObject(body) && body.clear === true) await ctx.queue.removePending();
    const ids = isObject(body) ? stringList(body.delete) : undefined;
    if (ids) await ctx.queue.removePending(ids);
    return json(res, 200, {});
  }
  if (route === 'POST /interrupt') {
    const body = await readJson(req, ctx.maxJsonBytes);
    const id = isObject(body) && typeof body.prompt_id === 'string' ? body.prompt_id : undefined;
    await ctx.queue.interrupt(id);
    return json(res, 200, {});
  }
  if (route === 'GET /history') {
    const max = Number(url.searchParams.get('max_items'));
    return json(res, 200, await ctx.queue.history(Number.isInteger(max) && max > 0 ? max : undefined));
  }
  if (method === 'GET' && path.startsWith('/history/')) return json(res, 200, await ctx.queue.historyOf(decodeURIComponent(path.slice(9))));
  if (route === 'POST /history') {
    const body = await readJson(req, ctx.maxJsonBytes);
    if (isObject(body) && body.clear === true) await ctx.queue.deleteHistory();
    const ids = isObject(body) ? stringList(body.delete) : undefined;
    if (ids) await ctx.queue.deleteHistory(ids);
    return json(res, 200, {});
  }
  if (route === 'GET /view') {
    const p = url.searchParams;
    const filename = p.get('filename') ?? '';
    const data = await readViewFile(ctx.folders, p.get('type') ?? 'output', p.get('subfolder') ?? '', filename);
    return bytes(res, contentTypeOf(filename), data, { 'content-disposition': `inline; filename="${filename.replace(/[^\w.-]/g, '_')}"` });
  }
  if (route === 'POST /upload/image') {
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('multipart/form-data')) throw new HttpError(400, 'upload/image takes multipart/form-data with an "image" file');
    const body = await readBody(req, ctx.maxUploadBytes);
    let form: FormData;
    try {
      form = await new Request('http://localhost/upload', { method: 'POST', headers: { 'content-type': type }, body: new Blob([new Uint8Array(body)]) }).formData();
    } catch (error) {
      throw new HttpError(400, `the upload is not a readable multipart form: ${(error as Error).message}`);
    }
    return json(res, 200, await saveUpload(ctx.folders, form));
  }
  if (route === 'GET /object_info' || (method === 'GET' && path.startsWith('/object_info/'))) {
    const all = objectInfo(ctx.registry, { ...modelNames(ctx.comfy), images: await inputImages(ctx.folders.input) });
    if (path === '/object_info') return json(res, 200, all);
    const name = decodeURIComponent(path.slice('/object_info/'.length));
    return json(res, 200, Object.hasOwn(all, name) ? { [name]: all[name] } : {});
  }
  if (route === 'GET /system_stats') {
    const total = totalmem();
    const free = freemem();
    return json(res, 200, {
      system: {
        os: platform(), ram_total: total, ram_free: free, comfyui_version: `latentloom ${ctx.version}`,
        python_version: 'none (LatentLoom runs on Node.js)', pytorch_version: 'none', embedded_python: false,
        node_version: process.version, argv: [],
      },
      devices: [{ name: 'cpu', type: 'cpu', index: null, vram_total: total, vram_free: free, torch_vram_total: 0, torch_vram_free: 0 }],
    });
  }
  if (route === 'GET /embeddings' || route === 'GET /extensions') return json(res, 200, []);
  if (method === 'GET' || method === 'HEAD') {
    const file = ctx.editorDir ? await editorFile(ctx.editorDir, path) : undefined;
    // As the dev server does: cross-origin isolation lets onnxruntime-web use wasm threads.
    if (file) return bytes(res, file.type, file.bytes, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    if (path === '/' || path === '/index.html') {
      const page = '<!doctype html><meta charset="utf-8"><title>LatentLoom server</title><p>This is a LatentLoom server speaking ComfyUI\'s API. The editor is not built: run <code>npm run build</code> and restart <code>latentloom serve</code> to have it here.</p>';
      return bytes(res, 'text/html; charset=utf-8', Buffer.from(page));
    }
  }
  throw new HttpError(404, `${method} ${path.slice(0, 200)} is not a route of this server`);
}
