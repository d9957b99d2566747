import { loadGraph } from '../../src/persistence/load.ts';
import { saveGraph } from '../../src/persistence/save.ts';

const base = () => ({
  format: 'latentloom.graph',
  version: 1,
  meta: { title: 'Demo' },
  nodes: [{ id: 'a', type: 'math/add', version: 1, params: { bias: 1 }, ui: { x: 0, y: 0 } }],
  edges: [],
});

function codesOf(input: unknown): string[] {
  const result = loadGraph(input);
  return result.ok ? [] : result.issues.map((i) => i.code);
}

describe('loadGraph', () => {
  it('loads an object and the same document as JSON text', () => {
    const fromObject = loadGraph(base());
    const fromText = loadGraph(JSON.stringify(base()));
    expect(fromObject.ok && fromText.ok).toBe(true);
    if (!fromObject.ok || !fromText.ok) return;
    expect(fromText.graph).toEqual(fromObject.graph);
    expect(fromObject.graph.nodes[0]).toEqual({ id: 'a', type: 'math/add', version: 1, params: { bias: 1 }, ui: { x: 0, y: 0 } });
    expect(fromObject.warnings).toEqual([]);
  });

  it('fills defaults: models, edges, meta, node version and params', () => {
    const result = loadGraph({ format: 'latentloom.graph', version: 1, nodes: [{ id: 'a', type: 't' }] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.graph).toEqual({
      format: 'latentloom.graph',
      version: 2,
      meta: {},
      models: {},
      nodes: [{ id: 'a', type: 't', version: 1, params: {} }],
      edges: [],
    });
  });

  it('keeps unknown fields under extra for document, meta, model and node', () => {
    const input = {
      ...base(),
      future: { a: 1 },
      meta: { title: 'x', author: 'me' },
      models: { m: { source: 'builtin:toy-shapes', license: 'MIT' } },
      nodes: [{ id: 'a', type: 'math/add', color: 'red', extra: { kept: true } }],
    };
    const result = loadGraph(input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.graph.extra).toEqual({ future: { a: 1 } });
    expect(result.graph.meta.extra).toEqual({ author: 'me' });
    expect(result.graph.models.m.extra).toEqual({ license: 'MIT' });
    expect(result.graph.nodes[0].extra).toEqual({ kept: true, color: 'red' });
  });

  it('treats undefined properties of in-memory documents as absent, like JSON.stringify', () => {
    const input = { ...base(), ui: undefined, meta: { title: undefined, description: 'd' } };
    input.nodes[0] = { ...input.nodes[0], title: undefined, zone: undefined } as (typeof input.nodes)[0];
    const result = loadGraph(input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.graph.meta).toEqual({ description: 'd' });
    expect(result.graph.nodes[0]).toEqual({ id: 'a', type: 'math/add', version: 1, params: { bias: 1 }, ui: { x: 0, y: 0 } });
    expect('ui' in result.graph).toBe(false);
  });

  it('drops unknown edge fields with a warning naming where', () => {
    const input = { ...base(), edges: [{ from: { node: 'a', port: 'result' }, to: { node: 'a', port: 'b' }, label: 'x' }] };
    const result = loadGraph(input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.graph.edges[0]).toEqual({ from: { node: 'a', port: 'result' }, to: { node: 'a', port: 'b' } });
    expect(result.warnings).toMatchObject([{ code: 'unknown-field', path: 'edges[0].label', severity: 'warning' }]);
  });

  it('drops __proto__ / constructor / prototype keys without polluting anything', () => {
    const text = '{"format":"latentloom.graph","version":1,"__proto__":{"polluted":1},' +
      '"nodes":[{"id":"a","type":"math/add","params":{"__proto__":{"polluted":2},"constructor":{"prototype":{"polluted":3}},"bias":1}}]}';
    const result = loadGraph(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result.graph.nodes[0].params)).toBe(Object.prototype);
    expect((result.graph.nodes[0].params as Record<string, unknown>).polluted).toBeUndefined();
    expect((result.graph as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(result.graph.nodes[0].params)).toEqual(['bias']);
    expect(result.warnings.map((w) => w.code)).toEqual(['unsafe-key', 'unsafe-key', 'unsafe-key']);
    expect(JSON.stringify(saveGraph(result.graph))).not.toContain('polluted');
  });

  it('reads UTF-8 bytes (Uint8Array or ArrayBuffer) and ignores a byte-order mark', () => {
    const bytes = new TextEncoder().encode(`\uFEFF${JSON.stringify(base())}`);
    const fromBytes = loadGraph(bytes);
    const fromBuffer = loadGraph(bytes.slice().buffer);
    const fromObject = loadGraph(base());
    expect(fromBytes).toEqual(fromObject);
    expect(fromBuffer).toEqual(fromObject);
    expect(codesOf(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toEqual(['invalid-json']);
  });

  it('reports invalid JSON text, including truncated files', () => {
    expect(codesOf('{"format": "latentloom.graph", "version": 1, "nodes": [')).toEqual(['invalid-json']);
    expect(codesOf('')).toEqual(['invalid-json']);
    expect(codesOf('{a:1}')).toEqual(['invalid-json']);
  });

  it('refuses non-objects and other formats with a clear message', () => {
    for (const input of [null, undefined, 3, [], 'null', '[1,2]', new TextEncoder().encode('"text"')]) {
      expect(codesOf(input)).toEqual(['invalid-document']);
    }
    const result = loadGraph({ format: 'comfyui', version: 1, nodes: [] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].message).toContain('Not a LatentLoom graph');
  });

  it('refuses versions it cannot read', () => {
    expect(codesOf({ ...base(), version: 3 })).toEqual(['unsupported-version']);
    expect(codesOf({ ...base(), version: 0 })).toEqual(['unsupported-version']);
    expect(codesOf({ ...base(), version: '1' })).toEqual(['unsupported-version']);
    expect(codesOf({ ...base(), version: undefined })).toEqual(['unsupported-version']);
  });

  it('schema problems name the node and the field', () => {
    const input = base();
    (input.nodes[0].ui as Record<string, unknown>).x = 'left';
    const result = loadGraph(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]).toMatchObject({ code: 'invalid-document', node: 'a', path: 'nodes[0].ui.x' });
  });

  it('1e400 (Infinity) is read as null with a warning, and refused where a number is required', () => {
    const text = JSON.stringify(base()).replace('"x":0', '"x":1e400');
    expect(codesOf(text)).toEqual(['invalid-document']);
    const inParams = loadGraph(JSON.stringify(base()).replace('"bias":1', '"bias":1e400'));
    expect(inParams.ok).toBe(true);
    if (!inParams.ok) return;
    expect(inParams.graph.nodes[0].params.bias).toBeNull();
    expect(inParams.warnings).toMatchObject([{ code: 'invalid-document', severity: 'warning', path: 'nodes[0].params.bias' }]);
    expect(inParams.warnings[0].message).toContain('Infinity');
  });

  it('refuses a generated 100k-node file as too-large in well under a second', () => {
    const nodes = Array.from({ length: 100_000 }, (_, i) => ({ id: `n${i}`, type: 'math/add', version: 1, params: {}, ui: { x: i, y: 0 } }));
    const text = JSON.stringify({ format: 'latentloom.graph', version: 1, nodes, edges: [] });
    const start = performance.now();
    const result = loadGraph(text);
    const ms = performance.now() - start;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].code).toBe('too-large');
    expect(ms).toBeLessThan(500);
  });

  it('refuses too many edges, deep nesting, long strings and huge texts', () => {
    const edges = Array.from({ length: 100_001 }, () => ({ from: { node: 'a', port: 'r' }, to: { node: 'a', port: 'b' } }));
    expect(codesOf({ ...base(), edges })).toEqual(['too-large']);
    expect(codesOf('['.repeat(200_000))).toEqual(['too-large']);
    expect(codesOf(`{"format":"latentloom.graph","version":1,"nodes":[],"x":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`)).toEqual(['too-large']);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { deep };
    expect(codesOf({ ...base(), meta: { deep } })).toEqual(['too-large']);
    expect(codesOf({ ...base(), meta: { title: 'x'.repeat(1_000_001) } })).toEqual(['too-large']);
    expect(codesOf('"' + 'x'.repeat(100) + '"')).toEqual(['invalid-document']);
    const result = loadGraph(' '.repeat(100), { limits: { maxTextLength: 10 } });
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(['too-large']);
  });

  it('brackets inside strings do not count as nesting', () => {
    const input = { ...base(), meta: { title: '['.repeat(1000) } };
    expect(loadGraph(JSON.stringify(input)).ok).toBe(true);
  });

  it('never throws on hostile objects: cycles, throwing getters, proxies', () => {
    const cyclic: Record<string, unknown> = { ...base() };
    cyclic.meta = { self: cyclic };
    expect(codesOf(cyclic)).toEqual(['invalid-document']);
    const getter = { ...base() };
    Object.defineProperty(getter, 'edges', { enumerable: true, get: () => { throw new Error('nope'); } });
    expect(codesOf(getter)).toEqual(['invalid-document']);
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    expect(codesOf(proxy)).toEqual(['invalid-document']);
  });
});
