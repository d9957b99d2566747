/**
 * The run controller driven by the real engine and node set, in-process (the same API the
 * worker exposes), on the shipped math demo graph.
 */
import { RunController, RANDOMIZED_SEEDS_KEY, scalarText } from '../../src/ui/run/runController.ts';
import { RunStore } from '../../src/ui/run/runStore.ts';
import { createEditorStore } from '../../src/ui/store/editorStore.ts';
import { setParam } from '../../src/ui/store/docEdits.ts';
import { inProcessEngine, mathDemo } from './inProcessEngine.ts';


const LEAF = 'finish';

describe('run controller with the real engine', () => {
  it('runs, reports per-node state and values, then re-runs only what an edit touched', async () => {
    const doc = mathDemo();
    const leaf = doc.nodes.find((n) => !doc.edges.some((e) => e.from.node === n.id))!.id;
    const store = createEditorStore(doc);
    const runs = new RunStore();
    const controller = new RunController(inProcessEngine(), store, runs, () => 'wasm', () => [leaf]);

    await controller.run();
    let snap = runs.getSnapshot();
    expect(snap.running).toBe(false);
    expect(snap.message).toMatch(/^Done in/);
    expect(snap.nodes[leaf].state).toBe('done');
    expect(snap.nodes[leaf].values).toBe('result = 48.5');
    expect(snap.lastRun!.executed.length).toBe(doc.nodes.length);

    // Same graph again: everything comes from the engine's cache.
    await controller.run();
    snap = runs.getSnapshot();
    expect(snap.lastRun!.executed).toEqual([]);
    expect(snap.nodes[leaf].state).toBe('cached');

    // Change the bias of the last node: only that node runs again.
    store.edit('bias', (d) => setParam(d, leaf, 'bias', 1.5));
    await controller.run();
    snap = runs.getSnapshot();
    expect(snap.lastRun!.executed).toEqual([leaf]);
    expect(snap.nodes[leaf].values).toBe('result = 49.5');
    expect(snap.nodes.steps.state).toBe('cached');
  });

  it('marks the failing node and keeps the graph untouched', async () => {
    const doc = mathDemo();
    const store = createEditorStore(doc);
    const runs = new RunStore();
    const controller = new RunController(inProcessEngine(), store, runs, () => 'wasm', () => [LEAF]);
    // A negative iteration count makes the repeat-input fail at run time.
    store.edit('steps', (d) => setParam(d, 'steps', 'value', -3));
    const before = store.getSnapshot().doc;
    await controller.run([LEAF]);
    const snap = runs.getSnapshot();
    expect(snap.message).toMatch(/^Failed:/);
    const failed = Object.entries(snap.nodes).filter(([, s]) => s.state === 'error');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0][1].error?.message).toMatch(/count/);
    expect(store.getSnapshot().doc).toBe(before);
  });

  it('re-rolls seeds marked "randomise after run", as one undoable edit', async () => {
    const doc = mathDemo();
    doc.nodes.push({ id: 'seed', type: 'const/seed', version: 1, params: { value: 7 }, ui: { x: 0, y: 400 } });
    doc.ui = { extra: { [RANDOMIZED_SEEDS_KEY]: ['seed.value'] } };
    const store = createEditorStore(doc);
    const controller = new RunController(inProcessEngine(), store, new RunStore(), () => 'wasm', () => ['seed']);
    await controller.run();
    const seed = store.getSnapshot().doc.nodes.find((n) => n.id === 'seed')!.params.value;
    expect(seed).not.toBe(7);
    expect(Number.isSafeInteger(seed)).toBe(true);
    store.undo();
    expect(store.getSnapshot().doc.nodes.find((n) => n.id === 'seed')!.params.value).toBe(7);
  });

  it('formats scalar outputs', () => {
    expect(scalarText({ a: 1, b: 0.1 + 0.2, c: true, d: 'x'.repeat(80), e: {} })).toBe(
      `a = 1\nb = 0.3\nc = true\nd = ${'x'.repeat(57)}…`,
    );
  });
});
