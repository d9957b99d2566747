import type { GraphDocument } from '../../src/graph/document.ts';
import { ALL_NODES } from '../../nodes/index.ts';
import { NodeCatalog, toNodeTypeInfo } from '../../src/ui/catalog.ts';
import { createEditorStore } from '../../src/ui/store/editorStore.ts';
import { LiveAnalysis } from '../../src/ui/analysis/liveAnalysis.ts';
import { HEAVY_NODES, isHeavyGraph } from '../../src/ui/analysis/graphAnalysis.ts';
import { handleAnalysisRequest, type AnalysisRequest, type AnalysisWorkerState } from '../../src/ui/analysis/protocol.ts';
import { createWorkerAnalysisRunner, SupersededError, type WorkerLike } from '../../src/ui/analysis/workerRunner.ts';
import { mathGridGraph, zoneChainGraph } from '../e2e/hugeGraphs.ts';

const catalog = new NodeCatalog(ALL_NODES.map(toNodeTypeInfo));
const asDoc = (g: object) => g as unknown as GraphDocument;

/** A worker stand-in that answers in-process, on the next macrotask, and counts what it was sent. */
function fakeWorkers() {
  const sent: AnalysisRequest[] = [];
  let spawned = 0;
  let terminated = 0;
  const spawn = (): WorkerLike => {
    spawned++;
    const state: AnalysisWorkerState = {};
    let alive = true;
    const w: WorkerLike = {
      onmessage: null,
      onerror: null,
      postMessage(message) {
        sent.push(message);
        const copy = structuredClone(message);
        setTimeout(() => alive && w.onmessage?.({ data: handleAnalysisRequest(state, copy) } as MessageEvent), 0);
      },
      terminate() {
        alive = false;
        terminated++;
      },
    };
    return w;
  };
  return { spawn, sent, counts: () => ({ spawned, terminated }) };
}

/** Waits (up to 10 s, for a loaded machine) until `done()` holds; fails with `what` otherwise. */
async function until(done: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('live analysis', () => {
  it('analyses an ordinary graph at once, on this thread, and skips changes that do not touch nodes, edges or models', () => {
    const store = createEditorStore(asDoc(mathGridGraph(20)));
    const workers = fakeWorkers();
    const live = new LiveAnalysis(store, catalog.registry, createWorkerAnalysisRunner(catalog.infos, workers.spawn));
    const first = live.getSnapshot();
    expect(first.pending).toBe(false);
    expect(first.issues.filter((i) => i.code === 'missing-input').length).toBeGreaterThan(0);
    store.editWithoutHistory((d) => void (d.ui = { viewport: { x: 1, y: 2, zoom: 1 } }));
    expect(live.getSnapshot()).toBe(first);
    expect(workers.sent).toEqual([]);
    live.dispose();
  });

  it('sends a huge graph to the worker and shows the result when it comes; the editor thread only waits', async () => {
    const doc = asDoc(zoneChainGraph(120));
    expect(isHeavyGraph(doc)).toBe(true);
    expect(isHeavyGraph(asDoc(mathGridGraph(HEAVY_NODES)))).toBe(false);
    const store = createEditorStore(asDoc(mathGridGraph(3)));
    const workers = fakeWorkers();
    const live = new LiveAnalysis(store, catalog.registry, createWorkerAnalysisRunner(catalog.infos, workers.spawn), { delayMs: 0 });
    store.load(doc);
    // A different document: nothing of the old one's analysis is shown while the new one runs.
    expect(live.getSnapshot()).toMatchObject({ pending: true, issues: [] });
    expect(live.getSnapshot().members.size).toBe(0);
    await until(() => !live.getSnapshot().pending, 'the worker analysis');
    const done = live.getSnapshot();
    expect(done.pending).toBe(false);
    expect(done.members.size).toBe(120);
    expect(done.members.get('z7')?.sort()).toEqual(['in7', 'out7']);
    expect(workers.sent).toHaveLength(1);
    expect(workers.sent[0].infos).toBeDefined();
    live.dispose();
  });

  it('a newer edit supersedes the analysis in flight: its worker is ended and only the latest result is shown', async () => {
    const store = createEditorStore(asDoc(zoneChainGraph(120)));
    const workers = fakeWorkers();
    const runner = createWorkerAnalysisRunner(catalog.infos, workers.spawn);
    const first = runner.analyze(store.getSnapshot().doc);
    const second = runner.analyze(store.getSnapshot().doc);
    await expect(first).rejects.toBeInstanceOf(SupersededError);
    expect((await second).members.size).toBe(120);
    expect(workers.counts()).toEqual({ spawned: 2, terminated: 1 });
    // The fresh worker got the node types again with its first request.
    expect(workers.sent.map((m) => m.infos !== undefined)).toEqual([true, true]);
    runner.dispose();
  });

  it('falls back to this thread, later, when the worker fails', async () => {
    const store = createEditorStore(asDoc(mathGridGraph(3)));
    const errors: string[] = [];
    const broken = (): WorkerLike => {
      const w: WorkerLike = {
        onmessage: null,
        onerror: null,
        postMessage: () => setTimeout(() => w.onerror?.({ message: 'could not load' } as ErrorEvent), 0),
        terminate: () => {},
      };
      return w;
    };
    const live = new LiveAnalysis(store, catalog.registry, createWorkerAnalysisRunner(catalog.infos, broken), { delayMs: 0, onError: (e) => errors.push(e.message) });
    store.load(asDoc(zoneChainGraph(120)));
    await until(() => !live.getSnapshot().pending, 'the fallback analysis');
    expect(errors).toEqual(['the analysis worker failed: could not load']);
    expect(live.getSnapshot()).toMatchObject({ pending: false });
    expect(live.getSnapshot().members.size).toBe(120);
    live.dispose();
  });
});
