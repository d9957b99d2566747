/**
 * `latentloom serve`: a ComfyUI-compatible server. One engine (cache shared across prompts), one
 * ONNX runtime, the in-process prompt queue, and the path and network rules of `latentloom run`:
 * prompts read only the input folder, --out, built-in models, the cache and --allow-path folders.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEngine } from '../engine/engine.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import type { ImportOptions } from '../interop/comfy/index.ts';
import { UsageError, type ParsedArgs } from '../cli/args.ts';
import { loadFileOptions } from '../cli/importCommand.ts';
import { networkPolicyOf } from '../cli/runCommand.ts';
import { cliFileAccess, cliServices } from '../cli/services.ts';
import { REPO_ROOT } from '../runtime/node/index.ts';
import type { NetworkPolicy } from '../security/network.ts';
import { getMemoryBudget, setMemoryBudget } from '../tensor/tensor.ts';
import { createZonePreview } from '../worker/preview.ts';
import { createEngineExecutor } from './engineExecutor.ts';
import { PromptQueue, type ServerQueue } from './promptQueue.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { checkRedisUrl, shownRedisUrl } from './redis/protocol.ts';
import { DEFAULT_MAX_JSON_BYTES, DEFAULT_MAX_UPLOAD_BYTES } from './routes.ts';
import { ClientSockets, isLoopbackHost, startServer, type RunningServer } from './server.ts';

export interface ComfyServerOptions {
  host?: string;
  port?: number;
  outDir: string;
  inputDir: string;
  comfy?: ImportOptions;
  allowPaths?: readonly string[];
  network?: NetworkPolicy;
  token?: string;
  /** redis://… : prompts go to BullMQ for `latentloom worker` processes instead of running here. */
  queueUrl?: string;
  /** The built editor; default `dist/` of the repository when it exists. */
  editorDir?: string;
  /** Latent previews as binary frames (default on). */
  previews?: boolean;
  maxJsonBytes?: number;
  maxUploadBytes?: number;
  log?: (line: string) => void;
}

async function version(): Promise<string> {
  try {
    return (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Builds and starts the server; `close()` stops the queue, the sockets and the listener. */
export async function createComfyServer(options: ComfyServerOptions): Promise<RunningServer & { clients: ClientSockets }> {
  const outDir = resolve(options.outDir);
  const inputDir = resolve(options.inputDir);
  await mkdir(outDir, { recursive: true });
  await mkdir(inputDir, { recursive: true });
  const tempDir = await mkdtemp(join(tmpdir(), 'latentloom-temp-'));
  const registry = defaultRegistry();
  const clients = new ClientSockets();
  let queue: ServerQueue;
  let runtime: Runtime | undefined;
  if (options.queueUrl !== undefined) {
    const { RedisPromptQueue } = await import('./redis/redisQueue.ts');
    queue = await RedisPromptQueue.open({ url: options.queueUrl, clients, outDir, tempDir, ...(options.log ? { log: options.log } : {}) });
  } else {
    const access = cliFileAccess(outDir, { graphDir: inputDir, allowPaths: options.allowPaths ?? [] });
    const network = options.network ?? networkPolicyOf({ allowPrivateNetwork: false } as ParsedArgs);
    const { createNodeRuntime } = await import('../runtime/node/index.ts');
    const { createNodeBackend } = await import('../runtime/backends/node.ts');
    const local = createNodeRuntime({ backend: createNodeBackend(), access, network });
    runtime = local;
    const services = cliServices(outDir, local, { access, network });
    const engine = createEngine({ registry, services });
    const executor = createEngineExecutor({
      engine, registry, outDir, tempDir,
      ...(options.previews !== false ? { zonePreview: createZonePreview(() => local) } : {}),
    });
    queue = new PromptQueue(executor, clients);
  }
  const editorDir = options.editorDir ?? join(REPO_ROOT, 'dist');
  const running = await startServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8188,
    ...(options.token !== undefined ? { token: options.token } : {}),
    queue, registry, clients,
    comfy: options.comfy ?? {},
    folders: { output: outDir, input: inputDir, temp: tempDir },
    editorDir,
    maxJsonBytes: options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    version: await version(),
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    ...running,
    clients,
    async close() {
      await running.close();
      await runtime?.release();
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}

function checkQueueUrl(url: string): string {
  try {
    return checkRedisUrl(url);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Waits for Ctrl+C or SIGTERM. */
function untilStopped(): Promise<void> {
  return new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export async function workerCommand(args: ParsedArgs, print: (line: string) => void, log: (line: string) => void): Promise<number> {
  if (args.positional.length > 0) throw new UsageError('worker takes no file arguments');
  if (args.queue === undefined) throw new UsageError('worker needs --queue redis://HOST:PORT[/DB]');
  const url = checkQueueUrl(args.queue);
  setMemoryBudget(args.memoryBudget);
  getMemoryBudget();
  const { startJobWorker } = await import('./redis/jobWorker.ts');
  const worker = await startJobWorker({
    url, concurrency: args.concurrency ?? 1, inputDir: args.input ?? 'input',
    allowPaths: args.allowPaths, network: networkPolicyOf(args), log,
  });
  print(`LatentLoom worker taking jobs from ${shownRedisUrl(url)} (concurrency ${args.concurrency ?? 1})`);
  await untilStopped();
  log('latentloom worker: stopping');
  await worker.close();
  return 0;
}

export async function serveCommand(args: ParsedArgs, print: (line: string) => void, log: (line: string) => void): Promise<number> {
  if (args.positional.length > 0) throw new UsageError('serve takes no file arguments');
  const host = args.host ?? '127.0.0.1';
  const port = args.port ?? 8188;
  const token = args.token ?? process.env.LATENTLOOM_TOKEN;
  if (!isLoopbackHost(host)) {
    log(`latentloom serve: warning: listening on ${host} lets other machines queue prompts${token ? '' : ' — without a token anyone who can reach it can; pass --token'}`);
  }
  setMemoryBudget(args.memoryBudget);
  getMemoryBudget();
  const { comfy } = await loadFileOptions(args);
  const server = await createComfyServer({
    host, port,
    outDir: args.out ?? 'output',
    inputDir: args.input ?? 'input',
    ...(comfy ? { comfy } : {}),
    allowPaths: args.allowPaths,
    network: networkPolicyOf(args),
    ...(token ? { token } : {}),
    ...(args.queue !== undefined ? { queueUrl: checkQueueUrl(args.queue) } : {}),
    log,
  });
  print(`LatentLoom server (ComfyUI API) listening on ${server.url}${args.queue ? ` (queue: ${shownRedisUrl(args.queue)})` : ''}`);
  await untilStopped();
  log('latentloom serve: stopping');
  await server.close();
  return 0;
}
