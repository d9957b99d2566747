import { loadGraph } from '../../src/persistence/load.ts';
import { saveGraph, saveGraphText } from '../../src/persistence/save.ts';
import type { GraphDocument } from '../../src/graph/document.ts';

function mustLoad(input: unknown): GraphDocument {
  const result = loadGraph(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.graph;
}

const messy = {
  ui: { viewport: { zoom: 1, y: 2, x: 1 }, panels: ['a'] },
  edges: [{ to: { port: 'a', node: 'b' }, from: { port: 'result', node: 'a' } }],
  nodes: [
    { ui: { y: 5, x: 4 }, params: { mode: 'sum', bias: 2 }, version: 1, type: 'math/add', id: 'a', hue: 3 },
    { zone: 'z', title: 'B', type: 'math/add', id: 'b', paramInputs: ['bias'] },
  ],
  models: { zeta: { source: 'builtin:z' }, alpha: { source: 'builtin:a', files: { 'b.onnx': { sha256: 'x', size: 1 } } } },
  meta: { description: 'd', title: 't', note: { z: 1, a: 2 } },
  version: 1,
  format: 'latentloom.graph',
  extension: true,
};

describe('saveGraph', () => {
  it('writes keys in canonical order', () => {
    const saved = saveGraph(mustLoad(messy));
    expect(Object.keys(saved)).toEqual(['format', 'version', 'meta', 'models', 'nodes', 'edges', 'ui', 'extra']);
    expect(Object.keys(saved.meta as object)).toEqual(['title', 'description', 'extra']);
    expect(Object.keys(saved.models as object)).toEqual(['alpha', 'zeta']);
    const [a, b] = saved.nodes as Record<string, unknown>[];
    expect(Object.keys(a)).toEqual(['id', 'type', 'version', 'params', 'ui', 'extra']);
    expect(Object.keys(a.params as object)).toEqual(['bias', 'mode']);
    expect(Object.keys(a.ui as object)).toEqual(['x', 'y']);
    expect(Object.keys(b)).toEqual(['id', 'type', 'version', 'title', 'zone', 'params', 'paramInputs']);
    expect(JSON.stringify((saved.edges as unknown[])[0])).toBe('{"from":{"node":"a","port":"result"},"to":{"node":"b","port":"a"}}');
    expect(JSON.stringify(saved.ui)).toBe('{"viewport":{"x":1,"y":2,"zoom":1},"extra":{"panels":["a"]}}');
    expect(JSON.stringify((saved.models as Record<string, unknown>).alpha)).toBe('{"source":"builtin:a","files":{"b.onnx":{"size":1,"sha256":"x"}}}');
    expect(saved.extra).toEqual({ extension: true });
  });

  it('load → save → load is stable, and save is a fixed point', () => {
    const first = mustLoad(messy);
    const saved = saveGraph(first);
    const second = mustLoad(saved);
    expect(second).toEqual(first);
    expect(JSON.stringify(saveGraph(second))).toBe(JSON.stringify(saved));
    expect(mustLoad(saveGraphText(first))).toEqual(first);
  });

  it('output is plain JSON data: survives a JSON round trip unchanged', () => {
    const saved = saveGraph(mustLoad(messy));
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
  });

  it('drops unsafe keys and non-JSON values from in-memory documents', () => {
    const doc = mustLoad(messy);
    const params = Object.create(null) as Record<string, unknown>;
    params.__proto__ = { polluted: true };
    params.bias = Number.NaN;
    params.fn = () => 1;
    params.gone = undefined;
    doc.nodes[0].params = params;
    const saved = saveGraph(doc);
    expect((saved.nodes as Record<string, unknown>[])[0].params).toEqual({ bias: null });
  });

  it('saveGraphText is pretty-printed with a trailing newline', () => {
    const text = saveGraphText(mustLoad(messy));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.startsWith('{\n  "format": "latentloom.graph",\n  "version": 2,')).toBe(true);
  });
});
