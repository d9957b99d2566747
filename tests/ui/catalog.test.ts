import type { GraphDocument, GraphNode } from '../../src/graph/document.ts';
import { ALL_NODES } from '../../nodes/index.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import { createRegistry } from '../../src/graph/registry.ts';
import { NodeCatalog, toNodeTypeInfo } from '../../src/ui/catalog.ts';
import { checkConnection } from '../../src/ui/canvas/connectionRules.ts';
import { fuzzyScore, searchNodeTypes } from '../../src/ui/palette/fuzzy.ts';

// The real node definitions, reduced to what the worker sends the editor.
const catalog = new NodeCatalog(ALL_NODES.map(toNodeTypeInfo));

function n(id: string, type: string, params: Record<string, unknown> = {}, extra: Partial<GraphNode> = {}): GraphNode {
  return { id, type, version: 1, params, ...extra };
}

function doc(nodes: GraphNode[], edges: GraphDocument['edges'] = []): GraphDocument {
  return { format: 'latentloom.graph', version: 1, meta: {}, models: {}, nodes, edges };
}

describe('node catalog', () => {
  it('drops the code and keeps the description', () => {
    const info = catalog.get('math/add')!;
    expect(info).toBeDefined();
    expect('run' in info).toBe(false);
    expect(structuredClone(info)).toEqual(info);
  });

  it('resolves repeat-zone state items as inputs and outputs, like the node itself', () => {
    const state = [{ name: 'latent', type: 'LATENT' }];
    const ports = catalog.portsOf(n('r', 'flow/repeat-input', { state }));
    const def = ALL_NODES.find((d) => d.type === 'flow/repeat-input')!;
    const real = def.dynamicPorts!({ state });
    expect(Object.keys(ports.inputs)).toEqual(['count', ...Object.keys(real.inputs ?? {})]);
    expect(ports.outputs.latent.type).toBe('LATENT');
  });

  it('adds params turned into inputs', () => {
    const ports = catalog.portsOf(n('a', 'math/add', {}, { paramInputs: ['bias'] }));
    expect(ports.inputs.bias).toMatchObject({ type: 'FLOAT', optional: true });
  });

  it('instantiates a node with default params', () => {
    const node = catalog.instantiate('math/add', 'add_1', { x: 10.4, y: 3 });
    expect(node).toMatchObject({ id: 'add_1', type: 'math/add', params: { bias: 0, mode: 'sum' }, ui: { x: 10, y: 3 } });
  });
});

describe('connection rules', () => {
  it('the catalog registry validates like the real one', () => {
    const g = doc([n('a', 'math/add'), n('q', 'nope/unknown')]);
    const codes = validateGraph(g, catalog.registry).map((i) => i.code);
    expect(codes).toEqual(validateGraph(g, createRegistry(ALL_NODES)).map((i) => i.code));
    expect(codes).toContain('unknown-node-type');
  });

  const graph = doc(
    [n('a', 'math/add'), n('b', 'math/add'), n('t', 'text/prompt', { text: 'x' })],
    [{ from: { node: 'a', port: 'result' }, to: { node: 'b', port: 'a' } }],
  );

  it('accepts an assignable connection', () => {
    expect(checkConnection(graph, catalog, { node: 'b', port: 'result' }, { node: 'a', port: 'b' })).toMatchObject({
      ok: false,
    });
    expect(checkConnection(graph, catalog, { node: 'a', port: 'result' }, { node: 'b', port: 'b' })).toEqual({ ok: true });
  });

  it('refuses a type mismatch and says which types', () => {
    const textOut = Object.keys(catalog.portsOf(graph.nodes[2]).outputs)[0];
    const r = checkConnection(graph, catalog, { node: 't', port: textOut }, { node: 'a', port: 'a' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/(TEXT|STRING) output "\w+" cannot feed FLOAT input "a"/);
  });

  it('refuses a cycle and names the nodes', () => {
    const r = checkConnection(graph, catalog, { node: 'b', port: 'result' }, { node: 'a', port: 'a' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/cycle: "a" already feeds "b"/);
  });

  it('refuses self-loops and unknown ports', () => {
    expect(checkConnection(graph, catalog, { node: 'a', port: 'result' }, { node: 'a', port: 'b' }).ok).toBe(false);
    const r = checkConnection(graph, catalog, { node: 'a', port: 'nope' }, { node: 'b', port: 'b' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/"a" \(math\/add\) has no output "nope"/);
  });

  it('reports the edge it replaces on an already connected input', () => {
    const g = doc([...graph.nodes, n('c', 'math/add')], graph.edges);
    expect(checkConnection(g, catalog, { node: 'c', port: 'result' }, { node: 'b', port: 'a' })).toEqual({
      ok: true,
      replaces: { node: 'a', port: 'result' },
    });
  });
});

describe('palette fuzzy search', () => {
  it('matches in-order subsequences only', () => {
    expect(fuzzyScore('add', 'Add')).toBeGreaterThan(0);
    expect(fuzzyScore('rpt', 'Repeat Input')).toBeGreaterThan(0);
    expect(fuzzyScore('tpr', 'Repeat Input')).toBe(-1);
  });

  it('ranks prefix and word-start matches first', () => {
    expect(fuzzyScore('rep', 'Repeat Input')).toBeGreaterThan(fuzzyScore('rep', 'Sharpen prep'));
  });

  it('searches title, type and category', () => {
    const infos = catalog.list();
    expect(searchNodeTypes(infos, 'repeat in')[0].info.type).toBe('flow/repeat-input');
    expect(searchNodeTypes(infos, 'flow/').every((h) => h.info.type.startsWith('flow/') || h.score >= 0)).toBe(true);
    expect(searchNodeTypes(infos, 'zzzzqqq')).toEqual([]);
  });

  it('filters to types that accept a dragged wire and names the port', () => {
    const hits = searchNodeTypes(catalog.list(), '', { acceptsType: 'FLOAT' });
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits) expect(h.port && h.info.inputs[h.port]).toBeTruthy();
    expect(hits.some((h) => h.info.type === 'text/prompt')).toBe(false);
  });
});
