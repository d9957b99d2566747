/**
 * Main-thread client of the engine worker. Starts the worker lazily, streams a run's events to
 * the caller, maps an AbortSignal to `cancel()`, and when the worker dies (an uncaught error, a
 * WebAssembly out-of-memory, a killed thread) fails the runs in flight with `worker-crashed`,
 * reports the crash, and starts a fresh worker on the next call.
 */
import * as Comlink from 'comlink';
import type { Endpoint } from 'comlink';
import type { GraphDocument } from '../graph/document.ts';
import type { EngineEvent, RunResult } from '../engine/events.ts';
import type { BackendChoice, BackendInfo, EngineWorkerApi, WorkerRunResult } from './engineApi.ts';
import type { NodeDescription } from './describe.ts';
import type { CachedModel, FolderInput, ModelDownloadProgress, NodeInspection, PrefetchResult, RegisteredFolder, DroppedModelFiles } from './modelManager.ts';
import type { ModelRefLike } from '../runtime/runtime.ts';
import { DocSender, isStalePatchError } from './docPatch.ts';
import type { ThreadSetting } from '../runtime/threads.ts';
import { takeStartedWorker } from './startedWorker.ts';

/** What the client needs from a worker, browser or Node. */
export interface WorkerHandle {
  endpoint: Endpoint;
  /** Registers the callback to call once if the worker dies. */
  onCrash(callback: (reason: string) => void): void;
  terminate(): void;
}

export interface EngineClientOptions {
  /** Creates the worker; defaults to the browser module worker running engineWorker.ts. */
  spawn?: () => WorkerHandle;
  /** Told about each crash (the editor shows it; the next call restarts the worker). */
  onCrash?: (reason: string) => void;
}

export interface ClientRunOptions {
  outputs?: string[];
  backend?: BackendChoice;
  /** Ask for a small RGB preview of the carried latent with each zone iteration's progress. */
  previewLatents?: boolean;
  /** Minimum ms between two progress events of a node (default 50 in the worker; 0: all of them). */
  progressIntervalMs?: number;
  /** onnxruntime-web's wasm threads; a change starts a new worker (wasm starts once per worker). */
  threads?: ThreadSetting;
  /** Have the worker encode each target's pictures as PNG (the result's `pictures`). */
  pictures?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
}

export interface EngineClient {
  run(graph: GraphDocument, options?: ClientRunOptions): Promise<WorkerRunResult>;
  cancel(): Promise<void>;
  clearCache(): Promise<void>;
  describeNodes(): Promise<NodeDescription[]>;
  backendInfo(): Promise<BackendInfo>;
  /** Idle-time warm-up (EngineWorkerApi.warmUp); the threads become the worker's, as a run's would. */
  warmUp(backend: BackendChoice, threads?: ThreadSetting): Promise<void>;
  /** Model packages downloaded into this browser's cache, with their sizes. */
  listModels(): Promise<CachedModel[]>;
  deleteModel(id: string): Promise<void>;
  /** Downloads a URL package (or checks a built-in / folder one) now, reporting progress. */
  prefetch(ref: ModelRefLike | string, onProgress?: (p: ModelDownloadProgress) => void): Promise<PrefetchResult>;
  /** Hands a picked directory or dropped files to the worker as `folder:<name>`. */
  registerFolder(input: FolderInput, name?: string): Promise<RegisteredFolder>;
  /** Hands model files dropped on the editor to the worker as `dropped:<file name>`. */
  registerDroppedFiles(files: File[]): Promise<DroppedModelFiles>;
  /** Reads a model node's hidden socket lists from its model: the params to set. */
  inspectNode(graph: GraphDocument, nodeId: string): Promise<NodeInspection>;
  /** How many times the worker crashed and was replaced. */
  readonly crashes: number;
  dispose(): void;
}

export function browserWorker(): WorkerHandle {
  // The first one may have been started by the page's HTML already (startedWorker.ts).
  const started = takeStartedWorker();
  const worker = started?.worker ?? new Worker(new URL('./engineWorker.ts', import.meta.url), { type: 'module' });
  return {
    endpoint: worker,
    onCrash(callback) {
      if (started?.startError) queueMicrotask(() => callback(started.startError!));
      worker.addEventListener('error', (event) => callback(event.message || 'the engine worker failed to load or threw'));
      worker.addEventListener('messageerror', () => callback('a message from the engine worker could not be read'));
    },
    terminate: () => worker.terminate(),
  };
}

interface Live {
  handle: WorkerHandle;
  api: Comlink.Remote<EngineWorkerApi>;
  /** Settles when the worker dies; every call races against it. */
  died: Promise<never>;
  /** Documents go to this worker as patches against the one it was sent before. */
  documents: DocSender;
  /** The thread setting its runs have asked for (undefined until one does). */
  threads?: ThreadSetting;
  /** Runs in flight. */
  running: number;
}

export class WorkerCrashedError extends Error {
  readonly code = 'worker-crashed';
}

export function createEngineClient(options: EngineClientOptions = {}): EngineClient {
  const spawn = options.spawn ?? browserWorker;
  let live: Live | undefined;
  let crashes = 0;

  const start = (): Live => {
    if (live) return live;
    const handle = spawn();
    let fail!: (error: Error) => void;
    const died = new Promise<never>((_, reject) => (fail = reject));
    died.catch(() => {}); // observed by the calls racing it
    const current: Live = { handle, api: Comlink.wrap<EngineWorkerApi>(handle.endpoint), died, documents: new DocSender(), running: 0 };
    handle.onCrash((reason) => {
      if (live !== current) return;
      live = undefined;
      crashes++;
      handle.terminate();
      fail(new WorkerCrashedError(`The engine worker crashed: ${reason}`));
      options.onCrash?.(reason);
    });
    live = current;
    return current;
  };

  const call = async <T>(fn: (api: Comlink.Remote<EngineWorkerApi>) => Promise<T>): Promise<T> => {
    const worker = start();
    return Promise.race([fn(worker.api), worker.died]);
  };

  async function run(graph: GraphDocument, runOptions: ClientRunOptions = {}): Promise<WorkerRunResult> {
    if (live && live.running === 0 && runOptions.threads !== undefined && live.threads !== undefined && live.threads !== runOptions.threads) {
      // The worker's wasm runs with the threads it started with: a new setting needs a new worker
      // (taken between runs; one asked for during a run applies to a later one).
      live.handle.terminate();
      live = undefined;
    }
    const worker = start();
    if (runOptions.threads !== undefined) worker.threads ??= runOptions.threads;
    worker.running++;
    // Events travel on their own channel, so the result may overtake the last events:
    // resolve only once run-end has arrived too.
    let sawEnd!: () => void;
    const ended = new Promise<void>((resolve) => (sawEnd = resolve));
    const onEvent = Comlink.proxy((event: EngineEvent) => {
      runOptions.onEvent?.(event);
      if (event.type === 'run-end') sawEnd();
    });
    const abort = () => void worker.api.cancel().catch(() => {});
    runOptions.signal?.addEventListener('abort', abort, { once: true });
    try {
      if (runOptions.signal?.aborted) abort();
      const workerOptions = {
        ...(runOptions.outputs ? { outputs: runOptions.outputs } : {}),
        ...(runOptions.backend ? { backend: runOptions.backend } : {}),
        ...(runOptions.previewLatents ? { previewLatents: true } : {}),
        ...(runOptions.progressIntervalMs !== undefined ? { progressIntervalMs: runOptions.progressIntervalMs } : {}),
        ...(runOptions.threads !== undefined ? { threads: runOptions.threads } : {}),
        ...(runOptions.pictures ? { pictures: true } : {}),
      };
      const send = () => Promise.race([worker.api.run(worker.documents.message(graph), workerOptions, onEvent), worker.died]);
      const result = await send().catch((error: unknown) => {
        if (!isStalePatchError(error)) throw error;
        worker.documents.reset(); // the worker lost the base (its run threw before keeping it): send it whole
        return send();
      });
      // Bounded: a lost event must not hang the caller (the result itself is complete).
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)));
      await Promise.race([ended, worker.died, grace]).finally(() => clearTimeout(timer));
      return result;
    } catch (error) {
      if (!(error instanceof WorkerCrashedError)) throw error;
      const runError = { code: error.code, message: error.message };
      return {
        ok: false,
        runId: '',
        nodes: {},
        outputs: {},
        error: runError,
        stats: { ms: 0, executed: 0, cached: 0, peakLiveBytes: 0, peakLiveValues: 0, liveValuesAtEnd: 0 },
      };
    } finally {
      worker.running--;
      runOptions.signal?.removeEventListener('abort', abort);
    }
  }

  return {
    run,
    cancel: () => (live ? call((api) => api.cancel()) : Promise.resolve()),
    clearCache: () => call((api) => api.clearCache()),
    describeNodes: () => call((api) => api.describeNodes()),
    backendInfo: () => call((api) => api.backendInfo()),
    warmUp: (backend, threads) => {
      const worker = start();
      if (threads !== undefined) worker.threads ??= threads;
      return call((api) => api.warmUp(backend, threads));
    },
    listModels: () => call((api) => api.listModels()),
    deleteModel: (id) => call((api) => api.deleteModel(id)),
    prefetch: (ref, onProgress) =>
      // The worker releases the progress proxy when the prefetch ends.
      call((api) => api.prefetch(ref, onProgress ? Comlink.proxy((p: ModelDownloadProgress) => onProgress(p)) : undefined)),
    registerFolder: (input, name) => call((api) => api.registerFolder(input, name)),
    registerDroppedFiles: (files) => call((api) => api.registerDroppedFiles(files)),
    inspectNode: (graph, nodeId) => call((api) => api.inspectNode(graph, nodeId)),
    get crashes() {
      return crashes;
    },
    dispose() {
      live?.handle.terminate();
      live = undefined;
    },
  };
}
