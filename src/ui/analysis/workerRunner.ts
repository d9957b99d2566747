/**
 * Runs graph analyses in a worker, one at a time: a new request while one is in flight ends that
 * worker (its answer would be stale, and a huge graph's analysis may take long) and starts a
 * fresh one. The previous request's promise then rejects with `SupersededError`.
 */
import type { GraphDocument } from '../../graph/document.ts';
import type { NodeTypeInfo } from '../catalog.ts';
import type { GraphAnalysis } from './graphAnalysis.ts';
import type { AnalysisRequest, AnalysisResponse } from './protocol.ts';

export interface AnalysisRunner {
  analyze(doc: GraphDocument): Promise<GraphAnalysis>;
  dispose(): void;
}

export class SupersededError extends Error {
  constructor() {
    super('superseded by a newer analysis');
    this.name = 'SupersededError';
  }
}

/** The part of `Worker` used here (tests pass an in-process stand-in). */
export interface WorkerLike {
  postMessage(message: AnalysisRequest): void;
  onmessage: ((event: MessageEvent<AnalysisResponse>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

export function spawnAnalysisWorker(): WorkerLike {
  return new Worker(new URL('./analysisWorker.ts', import.meta.url), { type: 'module', name: 'latentloom-analysis' }) as unknown as WorkerLike;
}

export function createWorkerAnalysisRunner(infos: readonly NodeTypeInfo[], spawn: () => WorkerLike = spawnAnalysisWorker): AnalysisRunner {
  let worker: WorkerLike | undefined;
  let nextId = 1;
  let inFlight: { id: number; resolve(a: GraphAnalysis): void; reject(e: Error): void } | undefined;

  const stop = () => {
    worker?.terminate();
    worker = undefined;
  };

  return {
    analyze(doc) {
      if (inFlight) {
        inFlight.reject(new SupersededError());
        inFlight = undefined;
        stop();
      }
      const fresh = !worker;
      const w = (worker ??= spawn());
      const id = nextId++;
      return new Promise<GraphAnalysis>((resolve, reject) => {
        inFlight = { id, resolve, reject };
        w.onmessage = (event) => {
          const answer = event.data;
          if (!inFlight || answer.id !== inFlight.id) return;
          const done = inFlight;
          inFlight = undefined;
          if ('error' in answer) done.reject(new Error(answer.error));
          else done.resolve({ issues: answer.issues, members: new Map(answer.members) });
        };
        w.onerror = (event) => {
          const done = inFlight;
          inFlight = undefined;
          stop();
          done?.reject(new Error(`the analysis worker failed: ${event.message || 'unknown error'}`));
        };
        w.postMessage({ id, doc, ...(fresh ? { infos } : {}) });
      });
    },
    dispose() {
      inFlight?.reject(new SupersededError());
      inFlight = undefined;
      stop();
    },
  };
}
