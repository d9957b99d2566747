/**
 * The engine as a worker API (exposed with comlink by engineWorker.ts in the browser and
 * nodeWorkerEntry.ts in Node). Events stream back through a callback (a comlink proxy); the
 * result comes back with its large buffers transferred rather than copied.
 */
import * as Comlink from 'comlink';
import type { GraphDocument } from '../graph/document.ts';
import type { NodeRegistry } from '../graph/registry.ts';
import { createEngine, type EngineOptions } from '../engine/engine.ts';
import type { EngineEvent, RunResult } from '../engine/events.ts';
import { describeNodes, type NodeDescription } from './describe.ts';
import { PNG_GRAPH_KEYWORD } from '../../nodes/image/save.ts';
import { toCloneable } from './transfer.ts';
import { DocReceiver, type DocMessage } from './docPatch.ts';
import { picturesIn, type Picture } from './pictures.ts';
import { createZonePreview, toRgbaPreview } from './preview.ts';
import { holdsResident, hostValue } from '../tensor/resident.ts';
import { createProgressThrottle, type ProgressThrottle } from './progressThrottle.ts';
import { createModelManagerApi, type ModelHost, type ModelManagerApi } from './modelManager.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { packageModelFile } from '../runtime/package.ts';
import type { ThreadSetting } from '../runtime/threads.ts';

export type BackendChoice = 'auto' | 'webgpu' | 'wasm';

export interface BackendInfo {
  /** The backend in use, e.g. `onnxruntime-web/webgpu`; undefined when no runtime started. */
  backend?: string;
  /** The choices this host can make. */
  available: BackendChoice[];
  /** The wasm thread setting the runtime was made with (fixed for the worker's life: wasm starts once). */
  threads?: ThreadSetting;
  error?: string;
}

/** Host hook: makes the ONNX runtime for a backend choice (the browser worker's createBrowserRuntime). */
export type RuntimeFactory = (choice: BackendChoice, threads?: ThreadSetting) => Promise<{ backend: { name: string } }>;

export interface WorkerRunOptions {
  outputs?: string[];
  /** Switches the ONNX backend before running (the cache is cleared: sessions differ per backend). */
  backend?: BackendChoice;
  /**
   * Send each zone iteration's carried LATENT as a small RGB preview: decoded with the repeat-output's
   * `preview_vae` (e.g. a TAESD) when wired, else the SD 1.x linear factors.
   */
  previewLatents?: boolean;
  /**
   * At most one `node-progress` event per node per this many ms reaches `onEvent` (the first and
   * last iteration always do; other events are never held). Default 50; 0 sends every event.
   */
  progressIntervalMs?: number;
  /**
   * onnxruntime-web's wasm threads, used when the runtime is first made: wasm starts once per
   * worker, so the client starts a new worker when the setting changes.
   */
  threads?: ThreadSetting;
  /**
   * Also return each target's pictures as PNG bytes (`pictures` of the result), tensors encoded
   * here with the graph in their metadata, so the page does no PNG encoding.
   */
  pictures?: boolean;
}

/** A run's result from the worker: with `pictures` when asked for. */
export interface WorkerRunResult extends RunResult {
  pictures?: Record<string, Picture[]>;
}

/** The engine's calls, plus the model manager's (modelManager.ts). */
export interface EngineWorkerApi extends ModelManagerApi {
  /** The document whole, or a patch against the one sent before (docPatch.ts). */
  run(graph: DocMessage, options: WorkerRunOptions, onEvent?: (event: EngineEvent) => unknown): Promise<WorkerRunResult>;
  /** Cancels every run in progress (they end with error code `cancelled`). */
  cancel(): void;
  clearCache(): void;
  describeNodes(): NodeDescription[];
  backendInfo(): Promise<BackendInfo>;
  /**
   * Idle-time warm-up before the first Run: starts the runtime for `backend` (onnxruntime-web's
   * wasm fetched and compiled) and reads the host's `warmPackages` (built-in, shipped ones only:
   * never a package a graph names) so the first Run finds them. Failures are left to that Run.
   */
  warmUp(backend: BackendChoice, threads?: ThreadSetting): Promise<void>;
}

export interface EngineWorkerApiOptions extends EngineOptions {
  registry: NodeRegistry;
  /** With a factory, the runtime is made on first need and remade when the backend choice changes. */
  runtimeFactory?: RuntimeFactory;
  availableBackends?: BackendChoice[];
  /** Package cache and picked folders, for the model-manager calls (the browser worker's). */
  models?: ModelHost;
  /**
   * Built-in package ids warmUp reads ahead (the shipped default graph's), with one model file of
   * each whose session it opens, which also starts the wasm runtime itself.
   */
  warmPackages?: { id: string; session?: string }[];
}

/**
 * Forwards engine events to the page through the throttle. Not awaited: a round trip per event
 * would stall the run. Events are cloned (never transferred) since they may view values the run
 * still uses; a preview is made into fresh RGBA bytes here, so those are transferred.
 */
function eventSender(onEvent: (event: EngineEvent) => unknown, intervalMs: number | undefined): ProgressThrottle {
  return createProgressThrottle(
    (event) => {
      let message: EngineEvent;
      let transfers: Transferable[] = [];
      if (event.type === 'node-progress' && event.preview !== undefined) {
        const { preview, ...rest } = event;
        const rgba = toRgbaPreview(preview);
        const cloned = toCloneable(rest, { transfer: false }).value;
        message = rgba ? { ...cloned, preview: rgba } : cloned;
        if (rgba) transfers = [rgba.data.buffer];
      } else {
        message = toCloneable(event, { transfer: false }).value;
      }
      const sent = onEvent(transfers.length ? Comlink.transfer(message, transfers) : message);
      if (sent && typeof (sent as Promise<unknown>).catch === 'function') (sent as Promise<unknown>).catch(() => {});
    },
    intervalMs === undefined ? {} : { intervalMs },
  );
}

/**
 * Replaces resident (GPU) tensors in a run's target outputs by host copies of their own, so they
 * can be sent to the page (a LATENT target on WebGPU, say).
 */
async function hostResidentOutputs(result: { outputs?: Record<string, Record<string, unknown>> }): Promise<void> {
  for (const [id, outputs] of Object.entries(result.outputs ?? {})) {
    if (!Object.values(outputs).some(holdsResident)) continue;
    const host: Record<string, unknown> = {};
    for (const [port, value] of Object.entries(outputs)) host[port] = await hostValue(value, true);
    result.outputs![id] = host;
  }
}

/** The pictures of each target's outputs; tensors get the graph (as image/save embeds it) in their PNGs. */
function picturesOf(result: RunResult, doc: GraphDocument): Record<string, Picture[]> {
  const pictures: Record<string, Picture[]> = {};
  let text: Record<string, string> | undefined;
  const graphText = () => (text ??= { [PNG_GRAPH_KEYWORD]: JSON.stringify(doc) });
  for (const [id, outputs] of Object.entries(result.outputs)) {
    const found = picturesIn(outputs, graphText);
    if (found.length > 0) pictures[id] = found;
  }
  return pictures;
}

export function createEngineWorkerApi(options: EngineWorkerApiOptions): EngineWorkerApi {
  // One services object for the engine's lifetime: switching backends swaps its runtime.
  const services = (options.services ?? {}) as { runtime?: unknown };
  const engine = createEngine({ ...options, services });
  const running = new Set<AbortController>();
  let choice: BackendChoice | undefined;
  let threads: ThreadSetting | undefined;
  let runtimeError: string | undefined;
  /** The last document run, frozen: the next one shares its unchanged parts, so the engine's memos hit. */
  const documents = new DocReceiver();

  /** The backend switch in progress: a run (or warm-up) arriving meanwhile waits for it. */
  let switching: Promise<void> = Promise.resolve();

  function useBackend(wanted: BackendChoice): Promise<void> {
    switching = switching.then(() => switchBackend(wanted));
    return switching;
  }

  async function switchBackend(wanted: BackendChoice): Promise<void> {
    if (!options.runtimeFactory || wanted === choice) return;
    const previous = choice;
    choice = wanted;
    // 'auto' that picked this very provider (e.g. a warm-up's): keep that runtime and its sessions.
    const current = (services.runtime as Runtime | undefined)?.backend.name;
    if (previous === 'auto' && wanted !== 'auto' && current === `onnxruntime-web/${wanted}`) return;
    engine.clearCache();
    try {
      services.runtime = await options.runtimeFactory(wanted, threads);
      runtimeError = undefined;
    } catch (error) {
      services.runtime = undefined;
      runtimeError = error instanceof Error ? error.message : String(error);
    }
  }

  async function currentRuntime(): Promise<Runtime> {
    await useBackend(choice ?? 'auto');
    const runtime = services.runtime as Runtime | undefined;
    if (!runtime) throw new Error(runtimeError ? `the ONNX runtime did not start: ${runtimeError}` : 'this engine host has no ONNX runtime');
    return runtime;
  }

  return {
    ...createModelManagerApi({ engine, runtime: currentRuntime, ...(options.models ? { host: options.models } : {}) }),
    async run(graph, runOptions, onEvent) {
      // Before any await: patches apply in the order they were sent, and a cancel sent right
      // after the run (a sweep cancelled as its point starts) reaches it.
      const doc = documents.receive(graph);
      threads ??= runOptions?.threads;
      const controller = new AbortController();
      running.add(controller);
      const events = onEvent ? eventSender(onEvent, runOptions?.progressIntervalMs) : undefined;
      try {
        await useBackend(runOptions?.backend ?? choice ?? 'auto');
        const result = await engine.run(doc, {
          signal: controller.signal,
          ...(runOptions?.outputs ? { outputs: runOptions.outputs } : {}),
          ...(runOptions?.previewLatents ? { zonePreview: createZonePreview(() => services.runtime as Runtime | undefined) } : {}),
          ...(events ? { onEvent: (event: EngineEvent) => events.push(event) } : {}),
        });
        await hostResidentOutputs(result);
        const full: WorkerRunResult = runOptions?.pictures ? { ...result, pictures: picturesOf(result, doc) } : result;
        const { value, transfers } = toCloneable(full, { held: engine.cachedBuffers() });
        return Comlink.transfer(value, transfers);
      } finally {
        events?.flush();
        events?.dispose();
        running.delete(controller);
        // Closes the event channel after the events already sent (same port, so in order).
        (onEvent as Partial<Comlink.Remote<unknown>> | undefined)?.[Comlink.releaseProxy]?.();
      }
    },
    cancel() {
      for (const controller of running) controller.abort();
    },
    clearCache() {
      engine.clearCache();
    },
    describeNodes() {
      return describeNodes(options.registry);
    },
    async warmUp(backend, threadSetting) {
      threads ??= threadSetting;
      await useBackend(backend);
      const runtime = services.runtime as Runtime | undefined;
      if (!runtime) return;
      for (const { id, session } of options.warmPackages ?? []) {
        try {
          const ref = { source: `builtin:${id}` };
          await runtime.prefetch(ref);
          if (session) await runtime.session(await packageModelFile(runtime.packageSource(ref), session));
        } catch {
          // The first Run reports what is wrong with the package; a warm-up never does.
        }
      }
    },
    async backendInfo() {
      await useBackend(choice ?? 'auto');
      const runtime = services.runtime as { backend?: { name?: string } } | undefined;
      return {
        ...(runtime?.backend?.name ? { backend: runtime.backend.name } : {}),
        available: options.availableBackends ?? (options.runtimeFactory ? ['auto', 'wasm'] : []),
        ...(threads !== undefined ? { threads } : {}),
        ...(runtimeError ? { error: runtimeError } : {}),
      };
    },
  };
}
