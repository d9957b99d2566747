/**
 * `latentloom worker`: takes prompt jobs from the BullMQ queue and runs them with its own engine,
 * model cache and output cache. Live messages (progress, previews) go to the server over pub/sub;
 * pictures go back as PNG bytes in the job result — the worker writes no output file. A prompt
 * that fails for a reason of its own (bad model, invalid graph) is a result, not a thrown error,
 * so it is reported once and never retried. Redis going away is waited out with back-off.
 */
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { resolve } from 'node:path';
import { createEngine } from '../../engine/engine.ts';
import { defaultRegistry } from '../../../nodes/index.ts';
import { loadGraph } from '../../persistence/load.ts';
import { cliFileAccess, cliServices } from '../../cli/services.ts';
import type { NetworkPolicy } from '../../security/network.ts';
import { defaultNetworkPolicy } from '../../security/network.ts';
import { createZonePreview } from '../../worker/preview.ts';
import { createEngineExecutor } from '../engineExecutor.ts';
import type { ImageRef, MessageSink, QueuedPrompt } from '../promptQueue.ts';
import { CONTROL_CHANNEL, EVENTS_CHANNEL, QUEUE_NAME, lockSettings, shownRedisUrl, type EventMessage, type JobPicture, type PromptJobData, type PromptJobResult } from './protocol.ts';

export interface JobWorkerOptions {
  url: string;
  concurrency?: number;
  /** Folder LoadImage reads (the worker's own: workers share no disk with the server). */
  inputDir: string;
  allowPaths?: readonly string[];
  network?: NetworkPolicy;
  log?: (line: string) => void;
}

const STATUS_MESSAGES = new Set(['execution_start', 'execution_cached', 'execution_success', 'execution_error', 'execution_interrupted']);
const FINAL_MESSAGES = new Set(['execution_success', 'execution_error', 'execution_interrupted']);
const retryStrategy = (times: number) => Math.min(200 * 2 ** Math.min(times, 5), 5000);

export interface RunningWorker {
  close(): Promise<void>;
}

export async function startJobWorker(options: JobWorkerOptions): Promise<RunningWorker> {
  const log = options.log ?? (() => {});
  const registry = defaultRegistry();
  const inputDir = resolve(options.inputDir);
  // Reads as a server's prompt would: the input folder, built-in models, the cache, --allow-path.
  const access = cliFileAccess(inputDir, { graphDir: inputDir, allowPaths: options.allowPaths ?? [] });
  const network = options.network ?? defaultNetworkPolicy();
  const { createNodeRuntime } = await import('../../runtime/node/index.ts');
  const { createNodeBackend } = await import('../../runtime/backends/node.ts');
  const runtime = createNodeRuntime({ backend: createNodeBackend(), access, network });
  const services = cliServices(inputDir, runtime, { access, network });
  // SaveImage's bytes travel in the job result; nothing is written on the worker's disk.
  services.writeNumberedFile = async (prefix, extension) => `unsaved/${prefix}${extension.startsWith('.') ? extension : `.${extension}`}`;
  services.writeFile = async (name) => `unsaved/${name}`;
  // One engine per concurrent job (each keeps its own cache), handed out as jobs start.
  const idleEngines = Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => createEngine({ registry, services }));
  const zonePreview = createZonePreview(() => runtime);

  const pub = new Redis(options.url, { maxRetriesPerRequest: null, retryStrategy });
  const sub = new Redis(options.url, { maxRetriesPerRequest: null, retryStrategy });
  const connection = new Redis(options.url, { maxRetriesPerRequest: null, retryStrategy });
  let wasDown = false;
  connection.on('error', (error) => {
    if (!wasDown) log(`worker: Redis at ${shownRedisUrl(options.url)} unreachable (${error.message}); retrying with back-off`);
    wasDown = true;
  });
  connection.on('ready', () => {
    if (wasDown) log('worker: Redis is back; continuing');
    wasDown = false;
  });
  pub.on('error', () => {});
  sub.on('error', () => {});
  const running = new Map<string, AbortController>();
  await sub.subscribe(CONTROL_CHANNEL);
  sub.on('message', (_channel, text) => {
    try {
      const { interrupt } = JSON.parse(text) as { interrupt?: string };
      if (interrupt === '*') for (const c of running.values()) c.abort();
      else if (interrupt) running.get(interrupt)?.abort();
    } catch {
      // not a control message
    }
  });

  const publish = (message: EventMessage) => void pub.publish(EVENTS_CHANNEL, JSON.stringify(message)).catch(() => {});

  const processor = async (job: Job<PromptJobData>): Promise<PromptJobResult> => {
    const data = job.data;
    const pictures: Record<string, JobPicture> = {};
    const messages: [string, Record<string, unknown>][] = [];
    let final: [string, Record<string, unknown>] | undefined;
    const base = { promptId: data.promptId, ...(data.clientId ? { clientId: data.clientId } : {}) };
    const sink: MessageSink = {
      send(type, payload) {
        const withId = { ...payload, prompt_id: data.promptId };
        if (STATUS_MESSAGES.has(type)) messages.push([type, { ...withId, timestamp: Date.now() }]);
        if (FINAL_MESSAGES.has(type)) {
          messages.pop();
          final = [type, withId];
        } else if (type !== 'executed') publish({ ...base, type, data: STATUS_MESSAGES.has(type) ? { ...withId, timestamp: Date.now() } : withId });
      },
      sendBinary: (bytes) => publish({ ...base, binary: Buffer.from(bytes).toString('base64') }),
      wantsBinary: () => true,
    };
    const loaded = loadGraph(data.graph);
    if (!loaded.ok) {
      const message = loaded.issues.map((i) => i.message).join('; ');
      return {
        status: 'error', outputs: {}, pictures, messages: [['execution_start', { prompt_id: data.promptId, timestamp: Date.now() }]],
        final: ['execution_error', { prompt_id: data.promptId, node_id: null, node_type: null, executed: [], exception_message: message, exception_type: 'invalid-graph', traceback: [], current_inputs: {}, current_outputs: {} }],
      };
    }
    let count = 0;
    const engine = idleEngines.pop() ?? createEngine({ registry, services });
    const executor = createEngineExecutor({
      engine, registry, outDir: inputDir, tempDir: inputDir, zonePreview,
      async images(node, ports) {
        const refs: ImageRef[] = [];
        const type = node.type === 'image/save' ? 'output' : 'temp';
        const prefix = typeof node.params.filename_prefix === 'string' ? node.params.filename_prefix : type === 'output' ? 'LatentLoom' : 'LatentLoom_temp';
        for (const png of Array.isArray(ports.png) ? ports.png : []) {
          if (!(png instanceof Uint8Array)) continue;
          const filename = `picture-${count++}.png`;
          pictures[filename] = { png: Buffer.from(png).toString('base64'), prefix, type };
          refs.push({ filename, subfolder: '', type });
        }
        return refs;
      },
    });
    const item: QueuedPrompt = {
      number: data.number, id: data.promptId, extraData: data.extraData, outputsToExecute: data.outputs,
      accepted: { graph: loaded.graph, origins: data.origins, classes: data.classes, outputs: data.outputs, prompt: data.prompt, warnings: [] },
      ...(data.clientId ? { clientId: data.clientId } : {}),
    };
    const controller = new AbortController();
    running.set(data.promptId, controller);
    try {
      sink.send('execution_start', {});
      const outcome = await executor(item, controller.signal, sink);
      return { status: outcome.status, outputs: outcome.outputs, pictures, messages, final: final ?? ['execution_success', { prompt_id: data.promptId }] };
    } finally {
      running.delete(data.promptId);
      idleEngines.push(engine);
    }
  };

  const worker = new Worker<PromptJobData, PromptJobResult>(QUEUE_NAME, processor, {
    connection,
    concurrency: options.concurrency ?? 1,
    ...lockSettings(),
    maxStalledCount: 2,
  });
  worker.on('error', (error) => {
    if (!wasDown) log(`worker: ${error.message}`);
  });
  worker.on('failed', (job, error) => log(`worker: job ${job?.id ?? '?'} failed: ${error.message}`));
  await worker.waitUntilReady();
  return {
    async close() {
      for (const c of running.values()) c.abort();
      await worker.close();
      for (const c of [pub, sub, connection]) c.disconnect();
      await runtime.release();
    },
  };
}
