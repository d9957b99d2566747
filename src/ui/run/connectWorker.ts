/**
 * EngineConnection over the worker client (src/worker/client.ts): the client starts the engine
 * worker, streams events, and replaces a crashed worker; here crashes are fanned out to the
 * editor's listeners (it shows them; the graph is untouched).
 */
import { createEngineClient, type EngineClientOptions } from '../../worker/client.ts';
import type { EngineConnection } from './engineConnection.ts';
import type { ThreadSetting } from '../../runtime/threads.ts';

export interface ConnectOptions extends Pick<EngineClientOptions, 'spawn'> {
  /** The wasm thread setting, read at each run (the editor's toolbar choice). */
  threads?: () => ThreadSetting;
}

export function connectEngineWorker(options: ConnectOptions = {}): EngineConnection {
  const crashListeners = new Set<(reason: string) => void>();
  const client = createEngineClient({
    ...(options.spawn ? { spawn: options.spawn } : {}),
    onCrash: (reason) => {
      for (const listener of crashListeners) listener(reason);
    },
  });
  // Node types are fixed by the build: the first answer is kept, so the entry can ask for it as
  // soon as the page starts and the app's own call later costs no second round trip. A failed
  // answer is not kept (the next call asks a fresh worker).
  let nodeTypes: ReturnType<EngineConnection['describeNodes']> | undefined;
  return {
    describeNodes: () => {
      nodeTypes ??= client.describeNodes().catch((error: unknown) => {
        nodeTypes = undefined;
        throw error;
      });
      return nodeTypes;
    },
    run: (graph, runOptions, onEvent) => {
      // previewLatents: the worker turns a zone's carried latent into an RGB preview per step.
      // backend: the toolbar's choice; the worker switches its ONNX runtime when it changes.
      // threads: the toolbar's choice; a change starts a new worker.
      const threads = options.threads?.();
      // pictures: the worker encodes the targets' pictures, so the page never encodes a PNG.
      return client.run(graph, {
        outputs: runOptions.outputs, backend: runOptions.backend, onEvent, previewLatents: runOptions.previewLatents ?? true, pictures: true,
        ...(threads !== undefined ? { threads } : {}),
      });
    },
    backendInfo: async () => {
      const info = await client.backendInfo();
      return { backend: info.backend ?? (info.error ? `error: ${info.error}` : 'not started'), available: info.available };
    },
    warmUp: (backend) => client.warmUp(backend, options.threads?.()),
    cancel: () => void client.cancel().catch(() => {}),
    clearCache: () => client.clearCache(),
    // Model manager (src/worker/modelManager.ts).
    listModels: () => client.listModels(),
    deleteModel: (id) => client.deleteModel(id),
    prefetchModel: (source, onProgress) => client.prefetch(source, onProgress),
    registerFolder: (folder) => client.registerFolder(folder),
    registerDroppedFiles: (files) => client.registerDroppedFiles(files),
    inspectNode: (graph, nodeId) => client.inspectNode(graph, nodeId),
    onCrash(listener) {
      crashListeners.add(listener);
      return () => crashListeners.delete(listener);
    },
    dispose: () => client.dispose(),
  };
}
