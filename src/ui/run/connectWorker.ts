/**
 * EngineConnection over the browser engine worker (src/worker/engineWorker.ts, comlink).
 * A crashed worker (an uncaught error or a failed load) is replaced by a fresh one and
 * reported; a run in flight at that moment fails with the crash as its error.
 */
import * as Comlink from 'comlink';
import type { EngineWorkerApi } from '../../worker/engineApi.ts';
import type { RunResult } from '../../engine/events.ts';
import type { EngineConnection } from './engineConnection.ts';
import type { NodeTypeInfo } from '../catalog.ts';

export function connectEngineWorker(createWorker: () => Worker): EngineConnection {
  const crashListeners = new Set<(reason: string) => void>();
  let worker: Worker;
  let api: Comlink.Remote<EngineWorkerApi>;
  let failRun: ((reason: string) => void) | undefined;

  const start = () => {
    worker = createWorker();
    api = Comlink.wrap<EngineWorkerApi>(worker);
    worker.addEventListener('error', (e) => {
      const reason = e.message || 'the worker stopped';
      worker.terminate();
      failRun?.(reason);
      start();
      for (const l of crashListeners) l(reason);
    });
  };
  start();

  return {
    async describeNodes() {
      return (await api.describeNodes()) as NodeTypeInfo[];
    },
    run(graph, options, onEvent) {
      return new Promise<RunResult>((resolve, reject) => {
        failRun = (reason) => reject(new Error(`The worker crashed during the run: ${reason}`));
        api
          .run(graph, { outputs: options.outputs }, Comlink.proxy(onEvent))
          .then(resolve, reject)
          .finally(() => (failRun = undefined));
      });
    },
    cancel() {
      void api.cancel();
    },
    onCrash(listener) {
      crashListeners.add(listener);
      return () => crashListeners.delete(listener);
    },
    dispose() {
      worker.terminate();
    },
  };
}
