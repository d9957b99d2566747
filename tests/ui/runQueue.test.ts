/**
 * The run queue (ComfyUI-style), on the real engine in-process: Run while a run is going queues
 * the graph as it is at that moment; queued runs can be removed; a batch count queues N runs,
 * with fresh seeds for each where the graph marks seeds "randomise after run".
 */
import { readFileSync } from 'node:fs';
import { defaultRegistry } from '../../nodes/index.ts';
import { createEngineWorkerApi } from '../../src/worker/engineApi.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import type { EngineConnection } from '../../src/ui/run/engineConnection.ts';
import { RunController, RANDOMIZED_SEEDS_KEY } from '../../src/ui/run/runController.ts';
import { RunStore } from '../../src/ui/run/runStore.ts';
import { createEditorStore } from '../../src/ui/store/editorStore.ts';
import { setParam } from '../../src/ui/store/docEdits.ts';

/** The in-process engine, remembering every graph it was asked to run. */
function recordingEngine(): EngineConnection & { graphs: GraphDocument[] } {
  const api = createEngineWorkerApi({ registry: defaultRegistry(), services: {} });
  const graphs: GraphDocument[] = [];
  return {
    graphs,
    describeNodes: async () => api.describeNodes(),
    run: (graph, options, onEvent) => {
      graphs.push(graph);
      return api.run(graph, { outputs: options.outputs }, onEvent);
    },
    cancel: () => api.cancel(),
    onCrash: () => () => {},
    dispose: () => {},
  };
}

function mathDemo(): GraphDocument {
  const loaded = loadGraph(readFileSync(new URL('../../graphs/math-demo.json', import.meta.url), 'utf8'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.graph;
}

const leafOf = (doc: GraphDocument) => doc.nodes.find((n) => !doc.edges.some((e) => e.from.node === n.id))!.id;

describe('run queue', () => {
  it('Run while a run is going queues the graph as it is at that moment', async () => {
    const doc = mathDemo();
    const leaf = leafOf(doc);
    const store = createEditorStore(doc);
    const runs = new RunStore();
    const engine = recordingEngine();
    const controller = new RunController(engine, store, runs, () => 'wasm', () => [leaf]);
    const first = controller.run();
    store.edit('bias 1', (d) => setParam(d, leaf, 'bias', 1));
    void controller.run();
    store.edit('bias 2', (d) => setParam(d, leaf, 'bias', 2));
    void controller.run();
    expect(controller.getQueue().waiting.map((q) => q.id)).toEqual([2, 3]);
    await first;
    const snap = runs.getSnapshot();
    expect(controller.getQueue()).toEqual({ waiting: [] });
    expect(snap.runId).toBe(3);
    expect(engine.graphs.map((g) => g.nodes.find((n) => n.id === leaf)!.params.bias)).toEqual([doc.nodes.find((n) => n.id === leaf)!.params.bias, 1, 2]);
    expect(snap.nodes[leaf].values).toBe('result = 50');
    expect(controller.running).toBe(false);
  });

  it('a queued run can be removed before it starts', async () => {
    const doc = mathDemo();
    const runs = new RunStore();
    const engine = recordingEngine();
    const controller = new RunController(engine, createEditorStore(doc), runs, () => 'wasm', () => [leafOf(doc)]);
    const first = controller.run();
    void controller.run();
    void controller.run();
    const [a, b] = controller.getQueue().waiting;
    expect(controller.dequeue(a.id)).toBe(true);
    expect(controller.dequeue(a.id)).toBe(false);
    expect(controller.getQueue().waiting.map((q) => q.id)).toEqual([b.id]);
    await first;
    expect(engine.graphs.length).toBe(2);
    expect(runs.getSnapshot().runId).toBe(2);
  });

  it('a batch without random seeds runs N identical graphs; the engine cache makes the rest cheap', async () => {
    const doc = mathDemo();
    const runs = new RunStore();
    const engine = recordingEngine();
    const controller = new RunController(engine, createEditorStore(doc), runs, () => 'wasm', () => [leafOf(doc)]);
    await controller.run(undefined, 3);
    expect(engine.graphs.length).toBe(3);
    expect(new Set(engine.graphs.map((g) => JSON.stringify(g))).size).toBe(1);
    expect(runs.getSnapshot().lastRun!.executed).toEqual([]);
    expect(controller.getQueue().waiting).toEqual([]);
  });

  it('a batch gives every run its own seed where seeds are marked "randomise after run"', async () => {
    const doc = mathDemo();
    doc.nodes.push({ id: 'seed', type: 'const/seed', version: 1, params: { value: 7 }, ui: { x: 0, y: 400 } });
    doc.ui = { extra: { [RANDOMIZED_SEEDS_KEY]: ['seed.value'] } };
    const store = createEditorStore(doc);
    const runs = new RunStore();
    const engine = recordingEngine();
    const controller = new RunController(engine, store, runs, () => 'wasm', () => ['seed']);
    await controller.run(undefined, 4);
    const seeds = engine.graphs.map((g) => g.nodes.find((n) => n.id === 'seed')!.params.value);
    expect(seeds[0]).toBe(7);
    expect(new Set(seeds).size).toBe(4);
    const now = store.getSnapshot().doc.nodes.find((n) => n.id === 'seed')!.params.value;
    expect(seeds).not.toContain(now);
    // One undoable step for the document's new seed, which is not an unsaved edit of the user's.
    expect(store.getSnapshot().dirty).toBe(false);
    store.undo();
    expect(store.getSnapshot().doc.nodes.find((n) => n.id === 'seed')!.params.value).toBe(7);
  });

  it('opening another document drops the queue', async () => {
    const doc = mathDemo();
    const runs = new RunStore();
    const engine = recordingEngine();
    const controller = new RunController(engine, createEditorStore(doc), runs, () => 'wasm', () => [leafOf(doc)]);
    const first = controller.run(undefined, 5);
    expect(controller.getQueue().waiting.length).toBe(4);
    controller.detach();
    expect(controller.getQueue().waiting).toEqual([]);
    await first;
    expect(engine.graphs.length).toBe(1);
  });
});
