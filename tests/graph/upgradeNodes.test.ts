import { createRegistry } from '../../src/graph/registry.ts';
import { upgradeNodes, migratedParams } from '../../src/graph/upgradeNodes.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { defineNode } from '../../nodes/define.ts';
import { graph, node } from './build.ts';

// Version 2 of an imaginary node renamed param "amount" (v1) to "gain" and added a range.
const scale = defineNode({
  type: 'test/scale',
  version: 2,
  title: 'Scale',
  category: 'test',
  description: 'x × gain',
  inputs: {},
  outputs: { result: { type: 'FLOAT' } },
  params: { gain: { kind: 'float', default: 1, min: 0, max: 10 } },
  migrate(from, params) {
    if (from === 1) {
      if (params.amount === 'explode') throw new Error('cannot read "explode"');
      const { amount, ...rest } = params;
      return { ...rest, gain: amount };
    }
    return params;
  },
  run: (_ctx, _inputs, params) => ({ result: params.gain }),
});
const registry = createRegistry([scale]);

describe('node type versions', () => {
  it('migratedParams applies the type migration to older nodes only', () => {
    expect(migratedParams(node('s', 'test/scale', { amount: 3 }), scale)).toEqual({ ok: true, params: { gain: 3 }, migrated: true });
    expect(migratedParams({ ...node('s', 'test/scale', { gain: 3 }), version: 2 }, scale)).toEqual({ ok: true, params: { gain: 3 }, migrated: false });
    expect(migratedParams(node('s', 'test/scale', { amount: 'explode' }), scale)).toMatchObject({ ok: false, message: expect.stringContaining('cannot read') });
  });

  it('validateGraph judges old nodes by their migrated params', () => {
    expect(validateGraph(graph([node('s', 'test/scale', { amount: 3 })]), registry)).toEqual([]);
    expect(validateGraph(graph([node('s', 'test/scale', { amount: 30 })]), registry)).toMatchObject([{ code: 'param-invalid', port: 'gain' }]);
    expect(validateGraph(graph([node('s', 'test/scale', { amount: 'explode' })]), registry)).toMatchObject([{ code: 'param-invalid', node: 's' }]);
  });

  it('upgradeNodes rewrites version and params, with a warning per node', () => {
    const doc = graph([node('s', 'test/scale', { amount: 3 }), node('u', 'other/type')]);
    const { graph: upgraded, issues } = upgradeNodes(doc, registry);
    expect(upgraded.nodes[0]).toMatchObject({ version: 2, params: { gain: 3 } });
    expect(upgraded.nodes[1]).toBe(doc.nodes[1]);
    expect(issues).toMatchObject([{ code: 'migrated', node: 's', severity: 'warning' }]);
    expect(doc.nodes[0].params).toEqual({ amount: 3 });
  });

  it('loadGraph upgrades nodes when given a registry; a failing migration still opens the file', () => {
    const text = JSON.stringify(graph([node('s', 'test/scale', { amount: 3 }), node('t', 'test/scale', { amount: 'explode' })]));
    const result = loadGraph(text, { registry });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.graph.nodes.map((n) => [n.version, n.params])).toEqual([[2, { gain: 3 }], [1, { amount: 'explode' }]]);
    expect(result.warnings.map((w) => [w.code, w.node, w.severity])).toEqual([['migrated', 's', 'warning'], ['param-invalid', 't', 'warning']]);
    const plain = loadGraph(text);
    expect(plain.ok && plain.graph.nodes[0].params).toEqual({ amount: 3 });
  });

  it('upgrades nodes inside subgraphs too, naming them by flat id', () => {
    const inner = node('s', 'test/scale', { amount: 3 });
    const doc = graph([node('sg', 'graph/subgraph', {}, { subgraph: { nodes: [inner], edges: [], inputs: [], outputs: [] } })]);
    const { graph: upgraded, issues } = upgradeNodes(doc, registry);
    expect(upgraded.nodes[0].subgraph!.nodes[0]).toMatchObject({ id: 's', version: 2, params: { gain: 3 } });
    expect(issues).toMatchObject([{ code: 'migrated', node: 'sg/s' }]);
    expect(doc.nodes[0].subgraph!.nodes[0].params).toEqual({ amount: 3 });
    expect(upgradeNodes(upgraded, registry).graph).toBe(upgraded);
  });
});
