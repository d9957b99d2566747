/**
 * What the server refuses: pages of other sites (Origin), DNS-rebound Host names, requests
 * without the token, /view outside its folders, uploads that are not images or that would
 * replace a file, and prompts reading files outside the allowed folders.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createComfyServer } from '../../src/server/serveCommand.ts';
import { encodePng } from '../../src/tensor/png.ts';
import { fixture } from '../comfy/helpers.ts';
import { ComfyClient } from './comfyClient.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latentloom-serve-safety-'));
  await mkdir(join(dir, 'output'), { recursive: true });
  await writeFile(join(dir, 'secret.txt'), 'not for clients');
  await symlink(join(dir, 'secret.txt'), join(dir, 'output', 'link.png'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A raw request with any Host header (fetch will not send a false one). */
function rawGet(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function wsOpens(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(true);
    });
    ws.once('error', () => resolve(false));
  });
}

function png(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data[i] = 200;
  return encodePng({ width, height, channels: 3, data });
}

describe('the server refuses what a local service must', () => {
  let server: Awaited<ReturnType<typeof createComfyServer>>;
  beforeAll(async () => {
    server = await createComfyServer({ port: 0, outDir: join(dir, 'output'), inputDir: join(dir, 'input') });
  });
  afterAll(async () => server?.close());

  it('refuses other sites and rebound host names, over HTTP and WebSocket', async () => {
    const evil = await fetch(`${server.url}/prompt`, { method: 'POST', headers: { origin: 'http://evil.example' }, body: JSON.stringify({ prompt: fixture('txt2img-api.json') }) });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: string }).error).toMatch(/evil\.example/);
    expect((await fetch(`${server.url}/queue`, { headers: { origin: server.url } })).status).toBe(200);
    const rebound = await rawGet(server.port, '/queue', { host: `attacker.example:${server.port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toMatch(/loopback/);
    expect(await wsOpens(`${server.url.replace('http', 'ws')}/ws`, { origin: 'http://evil.example' })).toBe(false);
    expect(await wsOpens(`${server.url.replace('http', 'ws')}/ws`)).toBe(true);
  });

  it('keeps /view inside the output, input and temp folders', async () => {
    const view = (q: Record<string, string>) => fetch(`${server.url}/view?${new URLSearchParams(q)}`);
    expect((await view({ filename: '../secret.txt', type: 'output' })).status).toBe(400);
    expect((await view({ filename: 'secret.txt', subfolder: '..', type: 'output' })).status).toBe(400);
    expect((await view({ filename: 'secret.txt', subfolder: '/etc', type: 'output' })).status).toBe(400);
    expect((await view({ filename: 'passwd', type: '../../etc' })).status).toBe(400);
    const link = await view({ filename: 'link.png', type: 'output' });
    expect(link.status).toBe(403);
    expect(await link.text()).not.toContain('not for clients');
    expect((await view({ filename: 'missing.png', type: 'output' })).status).toBe(404);
  });

  it('takes image uploads into the input folder without replacing files, and LoadImage reads them', async () => {
    const upload = async (name: string, bytes: Uint8Array, extra: Record<string, string> = {}) => {
      const form = new FormData();
      form.append('image', new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
      for (const [k, v] of Object.entries(extra)) form.append(k, v);
      const res = await fetch(`${server.url}/upload/image`, { method: 'POST', body: form });
      return { status: res.status, json: (await res.json()) as Record<string, string> };
    };
    const first = await upload('start.png', png(64, 64));
    expect(first).toEqual({ status: 200, json: { name: 'start.png', subfolder: '', type: 'input' } });
    const again = await upload('start.png', png(64, 64));
    expect(again.json.name).toBe('start-2.png');
    const replaced = await upload('start.png', png(32, 32), { overwrite: 'true' });
    expect(replaced.json.name).toBe('start.png');
    expect((await readFile(join(dir, 'input', 'start.png'))).length).toBe(png(32, 32).length);
    expect((await upload('notes.png', new TextEncoder().encode('just some text here'))).status).toBe(400);
    expect((await upload('../escape.png', png(8, 8))).status).toBe(400);
    expect((await upload('x.png', png(8, 8), { subfolder: '../..' })).status).toBe(400);
    const viewed = await fetch(`${server.url}/view?filename=start-2.png&type=input`);
    expect(Buffer.from(await viewed.arrayBuffer()).equals(Buffer.from(png(64, 64)))).toBe(true);

    // img2img from the uploaded picture: LoadImage names it as ComfyUI does, relative to input/.
    const client = await new ComfyClient(server.url).connect();
    try {
      const prompt = fixture('img2img-api.json') as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
      const load = Object.values(prompt).find((n) => n.class_type === 'LoadImage')!;
      load.inputs.image = 'start-2.png';
      const id = await client.queuePrompt(prompt);
      const messages = await client.waitDone(id);
      expect(messages.map((m) => m.type)).toContain('execution_success');
      // PreviewImage's picture is a temp file, served by /view with type temp.
      const history = (await client.get(`/history/${id}`))[id] as { outputs: Record<string, { images: { type: string }[] }> };
      expect(history.outputs['10'].images[0].type).toBe('temp');
      const pictures = await client.images(id);
      expect(pictures['10'][0].subarray(1, 4)).toEqual(new TextEncoder().encode('PNG'));
    } finally {
      client.close();
    }
  }, 120_000);

  it('fails a prompt that reads a file outside the allowed folders, naming it, and keeps serving', async () => {
    const client = await new ComfyClient(server.url).connect();
    try {
      const prompt = fixture('img2img-api.json') as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
      const loadId = Object.keys(prompt).find((k) => prompt[k].class_type === 'LoadImage')!;
      prompt[loadId].inputs.image = join(dir, 'secret.txt');
      const id = await client.queuePrompt(prompt);
      const messages = await client.waitDone(id);
      const error = messages.find((m) => m.type === 'execution_error')!;
      expect(error.data.node_id).toBe(loadId);
      expect(error.data.node_type).toBe('LoadImage');
      expect(String(error.data.exception_message)).toMatch(/outside the allowed folders/);
      expect(String(error.data.exception_message)).not.toContain('not for clients');
      const history = (await client.get(`/history/${id}`))[id] as { status: { status_str: string; messages: [string][] } };
      expect(history.status.status_str).toBe('error');
      expect(history.status.messages.map((m) => m[0])).toContain('execution_error');
    } finally {
      client.close();
    }
  }, 120_000);
});

describe('a server with a token', () => {
  it('answers only requests that carry it', async () => {
    const server = await createComfyServer({ port: 0, outDir: join(dir, 'out-token'), inputDir: join(dir, 'in-token'), token: 'correct-horse-battery' });
    try {
      expect((await fetch(`${server.url}/queue`)).status).toBe(401);
      expect((await fetch(`${server.url}/queue`, { headers: { authorization: 'Bearer wrong-token-value' } })).status).toBe(401);
      expect((await fetch(`${server.url}/queue`, { headers: { authorization: 'Bearer correct-horse-battery' } })).status).toBe(200);
      const ws = server.url.replace('http', 'ws');
      expect(await wsOpens(`${ws}/ws`)).toBe(false);
      expect(await wsOpens(`${ws}/ws?token=correct-horse-battery`)).toBe(true);
      expect(await wsOpens(`${ws}/ws`, { authorization: 'Bearer correct-horse-battery' })).toBe(true);
    } finally {
      await server.close();
    }
  });
});
