import { validateGraph } from '../../src/graph/validate.ts';
import type { GraphDocument, GraphIssue } from '../../src/graph/document.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { edge, graph, node, zoneGraph } from './build.ts';

const registry = defaultRegistry();
const errors = (doc: GraphDocument): GraphIssue[] => validateGraph(doc, registry).filter((i) => i.severity !== 'warning');
const codes = (doc: GraphDocument): string[] => errors(doc).map((i) => i.code);

function simple(): GraphDocument {
  return graph(
    [node('x', 'const/float', { value: 2 }), node('sum', 'math/add', { bias: 1, mode: 'sum' })],
    [edge('x.value', 'sum.a')],
  );
}

describe('validateGraph', () => {
  it('accepts a valid graph and a valid repeat zone', () => {
    expect(errors(simple())).toEqual([]);
    expect(errors(zoneGraph())).toEqual([]);
  });

  it('duplicate-id names the repeated id', () => {
    const doc = simple();
    doc.nodes.push(node('x', 'const/int', { value: 1 }));
    const issues = errors(doc);
    expect(issues.map((i) => i.code)).toEqual(['duplicate-id']);
    expect(issues[0].node).toBe('x');
  });

  it('unknown-node-type names node and type', () => {
    const doc = simple();
    doc.nodes.push(node('odd', 'nope/missing'));
    const [issue] = errors(doc);
    expect(issue).toMatchObject({ code: 'unknown-node-type', node: 'odd' });
    expect(issue.message).toContain('nope/missing');
  });

  it('unknown-port on either end', () => {
    const doc = simple();
    doc.edges = [edge('x.nothing', 'sum.a')];
    expect(codes(doc)).toEqual(['unknown-port']);
    doc.edges = [edge('x.value', 'sum.zzz')];
    expect(errors(doc).map((i) => [i.code, i.port])).toEqual([['unknown-port', 'zzz'], ['missing-input', 'a']]);
  });

  it('missing-input for a required unconnected input, not for optional ones', () => {
    const doc = simple();
    doc.edges = [];
    expect(errors(doc)).toMatchObject([{ code: 'missing-input', node: 'sum', port: 'a' }]);
  });

  it('type-mismatch uses isAssignable (TEXT cannot feed FLOAT, INT widens to FLOAT)', () => {
    const doc = graph([node('p', 'text/prompt', { text: 'hi' }), node('sum', 'math/add')], [edge('p.text', 'sum.a')]);
    expect(errors(doc)).toMatchObject([{ code: 'type-mismatch', node: 'sum', port: 'a' }]);
    const widened = graph([node('i', 'const/int', { value: 1 }), node('sum', 'math/add')], [edge('i.value', 'sum.a')]);
    expect(errors(widened)).toEqual([]);
  });

  it('cycle names the nodes of the loop', () => {
    const doc = graph(
      [node('a', 'math/add'), node('b', 'math/add')],
      [edge('a.result', 'b.a'), edge('b.result', 'a.a')],
    );
    const issues = errors(doc);
    expect(issues.map((i) => i.code)).toEqual(['cycle']);
    expect(issues[0].message).toMatch(/a → b → a|b → a → b/);
  });

  it('a self-loop is a cycle', () => {
    const doc = graph([node('x', 'const/float'), node('a', 'math/add')], [edge('x.value', 'a.a'), edge('a.result', 'a.b')]);
    expect(codes(doc)).toEqual(['cycle']);
  });

  it('dangling-edge names the missing node', () => {
    const doc = simple();
    doc.edges.push(edge('ghost.value', 'sum.b'));
    expect(errors(doc)).toMatchObject([{ code: 'dangling-edge', node: 'ghost' }]);
  });

  it('input-has-two-edges', () => {
    const doc = simple();
    doc.nodes.push(node('y', 'const/float'));
    doc.edges.push(edge('y.value', 'sum.a'));
    expect(errors(doc)).toMatchObject([{ code: 'input-has-two-edges', node: 'sum', port: 'a' }]);
  });

  it.each([
    ['wrong type', { mode: 3 }, /expected one of/],
    ['not in the enum', { mode: 'product' }, /not one of sum, diff/],
    ['out of range', { bias: 2e9 }, /above the maximum/],
    ['not finite', { bias: Number.POSITIVE_INFINITY }, /finite number/],
    ['NaN', { bias: Number.NaN }, /NaN/],
  ])('param-invalid: %s', (_why, params, message) => {
    const doc = simple();
    doc.nodes[1].params = params;
    const issues = errors(doc);
    expect(issues).toMatchObject([{ code: 'param-invalid', node: 'sum' }]);
    expect(issues[0].message).toMatch(message);
  });

  it('param-invalid for int params that are not integers and bad seeds', () => {
    const doc = graph([node('i', 'const/int', { value: 1.5 }), node('s', 'const/seed', { seed: -1 })]);
    expect(codes(doc)).toEqual(['param-invalid', 'param-invalid']);
  });

  it('unknown params are a warning, not an error', () => {
    const doc = simple();
    doc.nodes[1].params = { surprise: 1 };
    expect(errors(doc)).toEqual([]);
    expect(validateGraph(doc, registry)).toMatchObject([{ code: 'unknown-param', severity: 'warning', port: 'surprise' }]);
  });

  it('a param turned into an input becomes an optional port that edges may feed', () => {
    const doc = simple();
    doc.nodes.push(node('b', 'const/float', { value: 3 }));
    doc.nodes[1].paramInputs = ['bias'];
    doc.edges.push(edge('b.value', 'sum.bias'));
    expect(errors(doc)).toEqual([]);
    doc.nodes[1].paramInputs = ['nope'];
    expect(codes(doc)).toEqual(['param-invalid', 'unknown-port']);
  });

  it('zone-unpaired when a repeat-output is missing', () => {
    const doc = zoneGraph();
    doc.nodes = doc.nodes.filter((n) => n.id !== 'out');
    doc.edges = doc.edges.filter((e) => e.from.node !== 'out' && e.to.node !== 'out');
    doc.nodes.find((n) => n.id === 'after')!.params = {};
    expect(codes(doc)).toContain('zone-unpaired');
  });

  it('zone-crossing when a body value leaves without the repeat-output', () => {
    const doc = zoneGraph();
    doc.edges.push(edge('double.result', 'after.b'));
    expect(errors(doc)).toMatchObject([{ code: 'zone-crossing', node: 'after', port: 'b' }]);
  });

  it('a node newer than the installed type is reported', () => {
    const doc = simple();
    doc.nodes[1].version = 7;
    expect(codes(doc)).toEqual(['unsupported-version']);
  });

  it('never throws on structurally broken documents', () => {
    const broken: unknown[] = [
      null,
      42,
      {},
      { nodes: 'x', edges: [] },
      { nodes: [null, 1, { id: 3 }], edges: [null, { from: 1 }] },
      { nodes: [{ id: 'a', type: 'math/add', params: [1], paramInputs: 'bias' }], edges: [] },
      { nodes: [{ id: 'a', type: 'flow/repeat-input', zone: 5, params: { state: 'no' } }], edges: [] },
    ];
    for (const doc of broken) {
      const issues = validateGraph(doc as GraphDocument, registry);
      expect(issues.length).toBeGreaterThan(0);
    }
  });

  it('survives a registry whose dynamicPorts throws', () => {
    const doc = zoneGraph();
    const throwing = {
      ...registry,
      get: (type: string) => {
        const def = registry.get(type);
        return def && { ...def, dynamicPorts: () => { throw new Error('boom'); } };
      },
    };
    expect(() => validateGraph(doc, throwing)).not.toThrow();
  });
});
