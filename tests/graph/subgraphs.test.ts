/** Subgraph flattening and the validation of exposed ports (src/graph/subgraphs.ts). */
import { validateGraph } from '../../src/graph/validate.ts';
import { expandSubgraphIds, flattenSubgraphs, ownerOf } from '../../src/graph/subgraphs.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { edge, node } from './build.ts';
import { flatMathGraph, subgraphMathGraph } from './subgraphFixtures.ts';
import { deepFreeze } from '../../src/graph/frozen.ts';

const registry = defaultRegistry();
const errors = (doc: Parameters<typeof validateGraph>[0]) => validateGraph(doc, registry).filter((i) => i.severity !== 'warning');

describe('flattenSubgraphs', () => {
  it('flattens a frozen document once, to a frozen graph; an unfrozen one afresh each time', () => {
    const frozen = deepFreeze(subgraphMathGraph());
    const first = flattenSubgraphs(frozen).graph;
    expect(flattenSubgraphs(frozen).graph).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.nodes[1]) && Object.isFrozen(first.edges[0].from)).toBe(true);
    expect(first.nodes.map((n) => n.id)).toEqual(flattenSubgraphs(subgraphMathGraph()).graph.nodes.map((n) => n.id));
    const open = subgraphMathGraph();
    const once = flattenSubgraphs(open).graph;
    expect(flattenSubgraphs(open).graph).not.toBe(once);
    expect(Object.isFrozen(once)).toBe(false);
  });

  it('flattens a new frozen version with a changed plain node from the last one: same flat edges and inner nodes, the new node swapped in', () => {
    const before = deepFreeze(subgraphMathGraph());
    const flatBefore = flattenSubgraphs(before).graph;
    const x = before.nodes[0];
    const after = deepFreeze({ ...before, nodes: [{ ...x, params: { value: 4 } }, ...before.nodes.slice(1)] });
    const { graph, issues } = flattenSubgraphs(after);
    expect(issues).toEqual([]);
    expect(graph.edges).toBe(flatBefore.edges);
    expect(graph.nodes[0]).toBe(after.nodes[0]);
    expect(graph.nodes.slice(1)).toEqual(flatBefore.nodes.slice(1));
    graph.nodes.slice(1).forEach((n, i) => expect(n).toBe(flatBefore.nodes[i + 1]));
    expect(Object.isFrozen(graph) && Object.isFrozen(graph.nodes)).toBe(true);
    // The same as flattening that version from scratch.
    expect(graph).toEqual(flattenSubgraphs(structuredClone(after)).graph);
  });

  it('flattens afresh when a subgraph node itself changed in the new version', () => {
    const before = deepFreeze(subgraphMathGraph());
    const flatBefore = flattenSubgraphs(before).graph;
    const sg = structuredClone(before.nodes[1]);
    sg.subgraph!.nodes[0].params = { factor: 3 };
    const after = deepFreeze({ ...before, nodes: [before.nodes[0], sg, before.nodes[2]] });
    const { graph } = flattenSubgraphs(after);
    expect(graph.edges).not.toBe(flatBefore.edges);
    expect(graph.nodes.find((n) => n.id === 'sg/double')!.params).toEqual({ factor: 3 });
    expect(graph).toEqual(flattenSubgraphs(structuredClone(after)).graph);
  });

  it('returns a graph without subgraphs as it is', () => {
    const doc = flatMathGraph();
    expect(flattenSubgraphs(doc).graph).toBe(doc);
  });

  it('replaces a subgraph by its inside with ids <subgraph>/<inner> and rewires its ports', () => {
    const { graph, issues } = flattenSubgraphs(subgraphMathGraph());
    expect(issues).toEqual([]);
    expect(graph.nodes.map((n) => n.id)).toEqual(['x', 'sg/double', 'sg/plus', 'after']);
    expect(graph.edges).toEqual([
      edge('sg/double.result', 'sg/plus.a'),
      edge('x.value', 'sg/double.a'),
      edge('sg/plus.result', 'after.a'),
    ]);
    expect(errors(subgraphMathGraph())).toEqual([]);
  });

  it('an exposed input may feed several inner ports, and nested subgraphs flatten through', () => {
    const doc = subgraphMathGraph();
    const body = doc.nodes[1].subgraph!;
    body.nodes.push(node('inner', 'graph/subgraph', {}, {
      zone: undefined,
      subgraph: {
        nodes: [node('neg', 'math/multiply', { factor: -1 })],
        edges: [],
        inputs: [{ name: 'v', type: 'FLOAT', to: [{ node: 'neg', port: 'a' }] }],
        outputs: [{ name: 'r', type: 'FLOAT', from: { node: 'neg', port: 'result' } }],
      },
    }));
    body.inputs[0].to.push({ node: 'inner', port: 'v' });
    body.edges.push(edge('inner.r', 'plus.b'));
    const { graph, issues } = flattenSubgraphs(doc);
    expect(issues).toEqual([]);
    expect(graph.nodes.map((n) => n.id)).toContain('sg/inner/neg');
    expect(graph.edges).toContainEqual(edge('x.value', 'sg/inner/neg.a'));
    expect(graph.edges).toContainEqual(edge('x.value', 'sg/double.a'));
    expect(graph.edges).toContainEqual(edge('sg/inner/neg.result', 'sg/plus.b'));
    expect(errors(doc)).toEqual([]);
  });

  it('prefixes inner zone ids so two copies of one subgraph do not share a zone', () => {
    const doc = subgraphMathGraph();
    doc.nodes[1].subgraph!.nodes[0].zone = 'z';
    expect(flattenSubgraphs(doc).graph.nodes[1].zone).toBe('sg/z');
  });

  it('a subgraph drawn in a zone puts its inner nodes in that zone', () => {
    const doc = subgraphMathGraph();
    doc.nodes[1].zone = 'z';
    doc.nodes[1].subgraph!.nodes[1].zone = 'own';
    expect(flattenSubgraphs(doc).graph.nodes.map((n) => n.zone)).toEqual([undefined, 'z', 'sg/own', undefined]);
  });

  it('reports an exposed port naming an inner node that does not exist, naming the subgraph and the port', () => {
    const doc = subgraphMathGraph();
    doc.nodes[1].subgraph!.inputs[0].to = [{ node: 'gone', port: 'a' }];
    const issues = errors(doc);
    expect(issues).toContainEqual(expect.objectContaining({ code: 'subgraph-invalid', node: 'sg', port: 'in' }));
    expect(issues.find((i) => i.code === 'subgraph-invalid')!.message).toContain('gone.a');
    // The inner input is then unfed: a required input, reported on its flat id.
    expect(issues).toContainEqual(expect.objectContaining({ code: 'missing-input', node: 'sg/double', port: 'a' }));
  });

  it('reports an edge to a port the subgraph does not expose, and a duplicate port name', () => {
    const doc = subgraphMathGraph();
    doc.edges.push(edge('sg.nope', 'after.b'));
    doc.nodes[1].subgraph!.outputs.push({ name: 'out', type: 'FLOAT', from: { node: 'double', port: 'result' } });
    const codes = errors(doc).filter((i) => i.code === 'subgraph-invalid').map((i) => i.message);
    expect(codes).toEqual([
      'Subgraph "sg" exposes the output "out" twice',
      'Subgraph "sg" has no output "nope" (edge to after.b)',
    ]);
  });

  it('inner problems (wrong inner port, type mismatch) name the inner node by its flat id', () => {
    const doc = subgraphMathGraph();
    doc.nodes[1].subgraph!.edges = [edge('double.result', 'plus.zzz')];
    const issues = errors(doc);
    expect(issues).toContainEqual(expect.objectContaining({ code: 'unknown-port', node: 'sg/plus', port: 'zzz' }));
  });

  it('a subgraph without an inside is invalid, and validation never throws on junk', () => {
    const doc = subgraphMathGraph();
    delete (doc.nodes[1] as { subgraph?: unknown }).subgraph;
    expect(errors(doc)).toContainEqual(expect.objectContaining({ code: 'subgraph-invalid', node: 'sg' }));
    const junk = subgraphMathGraph();
    (junk.nodes[1] as unknown as { subgraph: unknown }).subgraph = { nodes: [null, 3], edges: 'x' };
    expect(() => validateGraph(junk, registry)).not.toThrow();
    expect(errors(junk).length).toBeGreaterThan(0);
  });

  it('ownerOf and expandSubgraphIds map between flat ids and drawn ids', () => {
    const doc = subgraphMathGraph();
    const flat = flattenSubgraphs(doc).graph;
    expect(ownerOf('sg/plus', new Set(['sg']))).toBe('sg');
    expect(ownerOf('x', new Set(['sg']))).toBe('x');
    expect(expandSubgraphIds(['sg', 'after'], doc, flat)).toEqual(['sg/double', 'sg/plus', 'after']);
  });
});
