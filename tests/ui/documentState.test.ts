/**
 * State belongs to its document: unsaved-edit tracking in the document store, and the run state
 * (node statuses, errors, previews, the status line) dropped when another document is opened,
 * including what a run still under way reports afterwards.
 */
import { RunController, RANDOMIZED_SEEDS_KEY } from '../../src/ui/run/runController.ts';
import { RunStore } from '../../src/ui/run/runStore.ts';
import { createEditorStore } from '../../src/ui/store/editorStore.ts';
import { setParam } from '../../src/ui/store/docEdits.ts';
import { emptyDocument } from '../../src/ui/files.ts';
import { inProcessEngine, leafOf, mathDemo } from './inProcessEngine.ts';

describe('unsaved edits (document store)', () => {
  it('an edit makes the document dirty; load, Save and seed re-rolls do not', () => {
    const doc = mathDemo();
    const leaf = leafOf(doc);
    const store = createEditorStore(doc);
    expect(store.getSnapshot().dirty).toBe(false);
    store.editWithoutHistory((d) => void (d.ui = { viewport: { x: 1, y: 2, zoom: 1 } }));
    expect(store.getSnapshot().dirty).toBe(false);
    store.edit('seed re-roll', (d) => setParam(d, leaf, 'bias', 3), { keepsClean: true });
    expect(store.getSnapshot().dirty).toBe(false);
    store.edit('bias', (d) => setParam(d, leaf, 'bias', 2));
    expect(store.getSnapshot().dirty).toBe(true);
    store.markSaved();
    expect(store.getSnapshot().dirty).toBe(false);
    store.undo();
    expect(store.getSnapshot().dirty).toBe(true);
    store.load(emptyDocument());
    expect(store.getSnapshot().dirty).toBe(false);
    expect(store.getSnapshot().canUndo).toBe(false);
    store.load(doc, 'autosave', { dirty: true });
    expect(store.getSnapshot().dirty).toBe(true);
  });
});

describe('run state belongs to the document that ran', () => {
  it('reset drops node states, errors, values, the status line and the last run; the gallery stays', () => {
    const runs = new RunStore();
    runs.begin(['a', 'b']);
    runs.nodeFinish('a', 3, false);
    runs.nodeError('b', 'boom', 'it failed');
    runs.nodeValues('a', 'value = 1');
    runs.addImage({ nodeId: 'a', url: 'blob:kept', width: 1, height: 1 });
    runs.end({ error: 'b: it failed' });
    expect(runs.getSnapshot().message).toMatch(/^Failed/);
    runs.reset();
    const snap = runs.getSnapshot();
    expect(snap.nodes).toEqual({});
    expect(snap.message).toBeUndefined();
    expect(snap.lastRun).toBeUndefined();
    expect(snap.running).toBe(false);
    expect(snap.gallery.map((g) => g.url)).toEqual(['blob:kept']);
  });

  it('detach after a run clears what the run showed', async () => {
    const doc = mathDemo();
    const store = createEditorStore(doc);
    const runs = new RunStore();
    const controller = new RunController(inProcessEngine(), store, runs, () => 'wasm', () => [leafOf(doc)]);
    await controller.run();
    expect(runs.getSnapshot().nodes[leafOf(doc)].state).toBe('done');
    controller.detach();
    expect(runs.getSnapshot().nodes).toEqual({});
    expect(runs.getSnapshot().message).toBeUndefined();
  });

  it('a run under way when another document opens is cancelled and reports nothing afterwards', async () => {
    const doc = mathDemo();
    const store = createEditorStore(doc);
    const runs = new RunStore();
    const controller = new RunController(inProcessEngine(), store, runs, () => 'wasm', () => [leafOf(doc)]);
    const running = controller.run();
    controller.detach();
    store.load(emptyDocument());
    await running;
    const snap = runs.getSnapshot();
    expect(snap.running).toBe(false);
    expect(snap.nodes).toEqual({});
    expect(snap.message).toBeUndefined();
    expect(snap.lastRun).toBeUndefined();
    expect(controller.running).toBe(false);
  });

  it('re-rolling seeds after a run leaves the document clean', async () => {
    const doc = mathDemo();
    doc.nodes.push({ id: 'seed', type: 'const/seed', version: 1, params: { value: 7 }, ui: { x: 0, y: 400 } });
    doc.ui = { extra: { [RANDOMIZED_SEEDS_KEY]: ['seed.value'] } };
    const store = createEditorStore(doc);
    const controller = new RunController(inProcessEngine(), store, new RunStore(), () => 'wasm', () => ['seed']);
    await controller.run();
    expect(store.getSnapshot().doc.nodes.find((n) => n.id === 'seed')!.params.value).not.toBe(7);
    expect(store.getSnapshot().dirty).toBe(false);
  });
});
