import { IDBFactory } from 'fake-indexeddb';
import type { GraphDocument, GraphNode } from '../../src/graph/document.ts';
import { createEditorStore } from '../../src/ui/store/editorStore.ts';
import {
  addNodes,
  cloneWithFreshIds,
  connect,
  moveNodes,
  removeNodes,
  setParam,
  setParamAsInput,
} from '../../src/ui/store/docEdits.ts';
import { openIndexedDbStore, readAutosave, startAutosave } from '../../src/ui/store/autosave.ts';

function node(id: string, x = 0, params: Record<string, unknown> = {}): GraphNode {
  return { id, type: 'math/add', version: 1, params, ui: { x, y: 0 } };
}

function baseDoc(): GraphDocument {
  return {
    format: 'latentloom.graph',
    version: 1,
    meta: { title: 't' },
    models: {},
    nodes: [node('a', 0, { bias: 1 }), node('b', 200, { bias: 2 })],
    edges: [{ from: { node: 'a', port: 'result' }, to: { node: 'b', port: 'a' } }],
  };
}

describe('editor store edits and undo/redo', () => {
  it('undoes and redoes a param edit exactly', () => {
    const store = createEditorStore(baseDoc());
    const before = store.getSnapshot().doc;
    store.edit('set bias', (d) => setParam(d, 'a', 'bias', 5));
    expect(store.getSnapshot().doc.nodes[0].params.bias).toBe(5);
    expect(store.getSnapshot().canUndo).toBe(true);
    expect(store.undo()).toBe(true);
    expect(store.getSnapshot().doc).toEqual(before);
    expect(store.getSnapshot().canRedo).toBe(true);
    expect(store.redo()).toBe(true);
    expect(store.getSnapshot().doc.nodes[0].params.bias).toBe(5);
    expect(store.redo()).toBe(false);
  });

  it('merges a drag (same group) into one undo step and seals it at drag end', () => {
    let t = 0;
    const store = createEditorStore(baseDoc(), { now: () => t });
    for (let i = 1; i <= 30; i++) {
      t += 16;
      store.edit('move', (d) => moveNodes(d, { a: { x: i * 10, y: i } }), { group: 'drag:a' });
    }
    store.seal();
    t += 16;
    store.edit('move', (d) => moveNodes(d, { a: { x: 999, y: 999 } }), { group: 'drag:a' });
    expect(store.getSnapshot().doc.nodes[0].ui).toMatchObject({ x: 999, y: 999 });
    store.undo();
    expect(store.getSnapshot().doc.nodes[0].ui).toMatchObject({ x: 300, y: 30 });
    store.undo();
    expect(store.getSnapshot().doc.nodes[0].ui).toMatchObject({ x: 0, y: 0 });
    expect(store.getSnapshot().canUndo).toBe(false);
  });

  it('does not merge grouped edits that are far apart in time', () => {
    let t = 0;
    const store = createEditorStore(baseDoc(), { now: () => t, mergeWindowMs: 1000 });
    store.edit('type', (d) => setParam(d, 'a', 'bias', 10), { group: 'param:a:bias' });
    t += 5000;
    store.edit('type', (d) => setParam(d, 'a', 'bias', 11), { group: 'param:a:bias' });
    store.undo();
    expect(store.getSnapshot().doc.nodes[0].params.bias).toBe(10);
  });

  it('a new edit after undo clears the redo stack', () => {
    const store = createEditorStore(baseDoc());
    store.edit('x', (d) => setParam(d, 'a', 'bias', 3));
    store.undo();
    store.edit('y', (d) => setParam(d, 'b', 'bias', 4));
    expect(store.getSnapshot().canRedo).toBe(false);
    expect(store.redo()).toBe(false);
  });

  it('removing a node removes its edges, and undo restores both', () => {
    const store = createEditorStore(baseDoc());
    store.edit('delete', (d) => removeNodes(d, ['a']));
    expect(store.getSnapshot().doc.nodes.map((n) => n.id)).toEqual(['b']);
    expect(store.getSnapshot().doc.edges).toEqual([]);
    store.undo();
    expect(store.getSnapshot().doc).toEqual(baseDoc());
  });

  it('connect keeps one edge per input', () => {
    const store = createEditorStore(baseDoc());
    store.edit('add', (d) => addNodes(d, [node('c', 400)]));
    store.edit('connect', (d) => connect(d, { from: { node: 'c', port: 'result' }, to: { node: 'b', port: 'a' } }));
    const edges = store.getSnapshot().doc.edges;
    expect(edges).toHaveLength(1);
    expect(edges[0].from.node).toBe('c');
  });

  it('converting a param back from input drops the edge feeding it', () => {
    const store = createEditorStore(baseDoc());
    store.edit('as input', (d) => setParamAsInput(d, 'b', 'bias', true));
    store.edit('wire', (d) => connect(d, { from: { node: 'a', port: 'result' }, to: { node: 'b', port: 'bias' } }));
    expect(store.getSnapshot().doc.nodes[1].paramInputs).toEqual(['bias']);
    store.edit('as widget', (d) => setParamAsInput(d, 'b', 'bias', false));
    const snap = store.getSnapshot().doc;
    expect(snap.nodes[1].paramInputs).toBeUndefined();
    expect(snap.edges.some((e) => e.to.port === 'bias')).toBe(false);
  });

  it('load replaces the document and clears history; listeners hear every change', () => {
    const store = createEditorStore(baseDoc());
    let calls = 0;
    store.subscribe(() => calls++);
    store.edit('x', (d) => setParam(d, 'a', 'bias', 3));
    const other = { ...baseDoc(), nodes: [node('z')], edges: [] };
    store.load(other, 'other.json');
    expect(store.getSnapshot()).toMatchObject({ canUndo: false, canRedo: false, fileName: 'other.json' });
    expect(store.getSnapshot().doc.nodes.map((n) => n.id)).toEqual(['z']);
    expect(calls).toBe(2);
  });

  it('an edit that changes nothing records no undo step', () => {
    const store = createEditorStore(baseDoc());
    store.edit('noop', (d) => setParam(d, 'a', 'bias', 1));
    expect(store.getSnapshot().canUndo).toBe(false);
  });

  it('cloneWithFreshIds renames nodes, internal edges and repeat zone ids', () => {
    const doc: GraphDocument = {
      ...baseDoc(),
      nodes: [
        { id: 'in', type: 'flow/repeat-input', version: 1, params: {}, zone: 'loop', ui: { x: 0, y: 0 } },
        { id: 'body', type: 'math/add', version: 1, params: {}, zone: 'loop', ui: { x: 10, y: 0 } },
        { id: 'out', type: 'flow/repeat-output', version: 1, params: {}, zone: 'loop', ui: { x: 20, y: 0 } },
      ],
      edges: [{ from: { node: 'in', port: 'i' }, to: { node: 'body', port: 'a' } }],
    };
    const copy = cloneWithFreshIds(doc, doc.nodes, doc.edges, { x: 5, y: 5 });
    expect(copy.nodes.map((n) => n.id)).toEqual(['in_2', 'body_2', 'out_2']);
    expect(new Set(copy.nodes.map((n) => n.zone))).toEqual(new Set(['loop_2']));
    expect(copy.edges).toEqual([{ from: { node: 'in_2', port: 'i' }, to: { node: 'body_2', port: 'a' } }]);
    expect(copy.nodes[1].ui).toMatchObject({ x: 15, y: 5 });
  });
});

describe('autosave to IndexedDB', () => {
  it('writes the latest document after changes and restores it', async () => {
    const factory = new IDBFactory();
    const kv = await openIndexedDbStore(factory, 'test-db');
    const store = createEditorStore(baseDoc());
    const autosave = startAutosave(store, kv, { delayMs: 5 });
    store.edit('x', (d) => setParam(d, 'a', 'bias', 42));
    store.edit('y', (d) => setParam(d, 'b', 'bias', 43));
    await autosave.flush();
    autosave.stop();

    // A "reload": a fresh connection to the same database.
    const kv2 = await openIndexedDbStore(factory, 'test-db');
    const record = await readAutosave(kv2);
    expect(record).toBeDefined();
    const restored = JSON.parse(record!.json) as GraphDocument;
    expect(restored.nodes.map((n) => n.params.bias)).toEqual([42, 43]);
  });

  it('debounces: a burst of edits is written once, after the delay', async () => {
    const writes: unknown[] = [];
    const kv = {
      get: async () => undefined,
      set: async (_k: string, v: unknown) => void writes.push(v),
      delete: async () => {},
    };
    const store = createEditorStore(baseDoc());
    const autosave = startAutosave(store, kv, { delayMs: 20 });
    for (let i = 0; i < 10; i++) store.edit('x', (d) => setParam(d, 'a', 'bias', i + 100));
    expect(writes).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(writes).toHaveLength(1);
    autosave.stop();
  });

  it('reports a storage failure instead of throwing', async () => {
    const kv = {
      get: async () => undefined,
      set: async () => {
        throw new Error('QuotaExceededError');
      },
      delete: async () => {},
    };
    const store = createEditorStore(baseDoc());
    const errors: Error[] = [];
    const autosave = startAutosave(store, kv, { delayMs: 1, onError: (e) => errors.push(e) });
    store.edit('x', (d) => setParam(d, 'a', 'bias', 9));
    await autosave.flush();
    expect(autosave.lastError?.message).toBe('QuotaExceededError');
    expect(errors).toHaveLength(1);
    autosave.stop();
  });

  it('readAutosave returns nothing on an empty database', async () => {
    const kv = await openIndexedDbStore(new IDBFactory(), 'empty');
    expect(await readAutosave(kv)).toBeUndefined();
  });
});

describe('fresh node ids', () => {
  it('number copies from the base name, not from the copy', async () => {
    const { freshNodeId } = await import('../../src/ui/store/docEdits.ts');
    const doc = baseDoc();
    doc.nodes.push(node('a_2'));
    expect(freshNodeId(doc, 'c')).toBe('c');
    expect(freshNodeId(doc, 'a')).toBe('a_3');
    expect(freshNodeId(doc, 'a_2')).toBe('a_3');
    expect(freshNodeId(doc, 'a b!')).toBe('a_b');
  });
});
