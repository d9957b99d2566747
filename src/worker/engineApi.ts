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
import { toCloneable } from './transfer.ts';
import { latentStatePreview } from './preview.ts';

export interface WorkerRunOptions {
  outputs?: string[];
  /** Send each zone iteration's carried LATENT as a small RGB preview tensor (SD 1.x factors). */
  previewLatents?: boolean;
}

export interface EngineWorkerApi {
  run(graph: GraphDocument, options: WorkerRunOptions, onEvent?: (event: EngineEvent) => unknown): Promise<RunResult>;
  /** Cancels every run in progress (they end with error code `cancelled`). */
  cancel(): void;
  clearCache(): void;
  describeNodes(): NodeDescription[];
}

export function createEngineWorkerApi(options: EngineOptions & { registry: NodeRegistry }): EngineWorkerApi {
  const engine = createEngine(options);
  const running = new Set<AbortController>();
  return {
    async run(graph, runOptions, onEvent) {
      const controller = new AbortController();
      running.add(controller);
      try {
        const result = await engine.run(graph, {
          signal: controller.signal,
          ...(runOptions?.outputs ? { outputs: runOptions.outputs } : {}),
          ...(runOptions?.previewLatents ? { zonePreview: latentStatePreview } : {}),
          onEvent: onEvent
            ? (event) => {
                // Not awaited: a round trip per event would stall the run. Events are cloned
                // (never transferred) since a preview may view a value the run still uses.
                const sent = onEvent(toCloneable(event, { transfer: false }).value);
                if (sent && typeof (sent as Promise<unknown>).catch === 'function') (sent as Promise<unknown>).catch(() => {});
              }
            : undefined,
        });
        const { value, transfers } = toCloneable(result, { held: engine.cachedBuffers() });
        return Comlink.transfer(value, transfers);
      } finally {
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
  };
}
