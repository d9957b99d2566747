import { describe, expect, it } from 'vitest';
import { analyzeZones } from '../../src/graph/zones.ts';
import type { GraphEdge, GraphNode } from '../../src/graph/document.ts';

const node = (id: string, type: string, extra: Partial<GraphNode> = {}): GraphNode => ({ id, type, version: 1, params: {}, ...extra });
const e = (from: string, fromPort: string, to: string, toPort: string): GraphEdge => ({
  from: { node: from, port: fromPort },
  to: { node: to, port: toPort },
});
const state = [{ name: 'x', type: 'FLOAT' }];

/** count → [rin → step → rout] → after ; `cond` drawn in the zone but loop-invariant. */
function sampleZone(): { nodes: GraphNode[]; edges: GraphEdge[] } {
  return {
    nodes: [
      node('count', 'const/int'),
      node('init', 'const/float'),
      node('rin', 'flow/repeat-input', { zone: 'z', params: { state } }),
      node('cond', 'const/float', { zone: 'z' }),
      node('step', 'math/add', { zone: 'z' }),
      node('idx', 'math/int-to-float'),
      node('rout', 'flow/repeat-output', { zone: 'z', params: { state } }),
      node('after', 'math/multiply'),
    ],
    edges: [
      e('count', 'value', 'rin', 'count'),
      e('init', 'value', 'rin', 'x'),
      e('rin', 'x', 'step', 'a'),
      e('rin', 'index', 'idx', 'value'),
      e('idx', 'value', 'step', 'b'),
      e('cond', 'value', 'step', 'b2'),
      e('step', 'result', 'rout', 'x'),
      e('rout', 'x', 'after', 'a'),
    ],
  };
}

describe('analyzeZones', () => {
  it('finds the body (including undrawn nodes between the pair) and the loop-invariant nodes', () => {
    const r = analyzeZones(sampleZone());
    expect(r.issues).toEqual([]);
    expect(r.zones).toEqual([{ id: 'z', input: 'rin', output: 'rout', body: ['step', 'idx'], invariant: ['cond'] }]);
    expect(r.zoneOfNode.get('idx')).toBe('z');
    expect(r.zoneOfNode.has('cond')).toBe(false);
    expect(r.zoneOfNode.has('after')).toBe(false);
  });

  it('reports a repeat-input without its repeat-output', () => {
    const g = sampleZone();
    g.nodes = g.nodes.filter((n) => n.id !== 'rout');
    const r = analyzeZones(g);
    expect(r.zones).toEqual([]);
    expect(r.issues).toEqual([expect.objectContaining({ node: 'rin', code: 'zone-unpaired' })]);
    expect(r.issues[0].message).toContain('1 repeat-input and 0 repeat-output');
  });

  it('reports repeat nodes without a zone id and duplicated ends', () => {
    const g = sampleZone();
    g.nodes.push(node('loose', 'flow/repeat-output'), node('rin2', 'flow/repeat-input', { zone: 'z', params: { state } }));
    const r = analyzeZones(g);
    expect(r.issues.filter((i) => i.code === 'zone-unpaired').map((i) => i.node).sort()).toEqual(['loose', 'rin', 'rin2', 'rout']);
  });

  it('reports an edge leaving the body other than through the repeat-output', () => {
    const g = sampleZone();
    g.edges.push(e('step', 'result', 'after', 'b'));
    const r = analyzeZones(g);
    expect(r.issues).toEqual([expect.objectContaining({ node: 'after', port: 'b', code: 'zone-crossing' })]);
    expect(r.issues[0].message).toContain('step.result');
  });

  it('reports a node shared by two zones', () => {
    const g = sampleZone();
    g.nodes.push(
      node('rin2', 'flow/repeat-input', { zone: 'w', params: { state } }),
      node('rout2', 'flow/repeat-output', { zone: 'w', params: { state } }),
    );
    g.edges.push(e('count', 'value', 'rin2', 'count'), e('rin2', 'x', 'step', 'c'), e('step', 'result', 'rout2', 'x'));
    const r = analyzeZones(g);
    expect(r.issues).toContainEqual(expect.objectContaining({ node: 'step', code: 'zone-crossing' }));
  });

  it('accepts two zones in sequence', () => {
    const g = sampleZone();
    g.nodes.push(
      node('rin2', 'flow/repeat-input', { zone: 'w', params: { state } }),
      node('rout2', 'flow/repeat-output', { zone: 'w', params: { state } }),
    );
    g.edges.push(e('count', 'value', 'rin2', 'count'), e('rout', 'x', 'rin2', 'x'), e('rin2', 'x', 'rout2', 'x'));
    const r = analyzeZones(g);
    expect(r.issues).toEqual([]);
    expect(r.zones.map((z) => z.id)).toEqual(['z', 'w']);
  });

  it('reports mismatched or reserved state items', () => {
    const g = sampleZone();
    g.nodes.find((n) => n.id === 'rout')!.params = { state: [{ name: 'y', type: 'FLOAT' }] };
    g.nodes.find((n) => n.id === 'rin')!.params = { state: [{ name: 'index', type: 'INT' }] };
    const r = analyzeZones(g);
    expect(r.issues.map((i) => [i.node, i.code])).toEqual([
      ['rin', 'param-invalid'],
      ['rout', 'param-invalid'],
    ]);
  });

  it('never throws on malformed params', () => {
    const g = sampleZone();
    g.nodes.find((n) => n.id === 'rin')!.params = { state: 'nope' };
    g.nodes.find((n) => n.id === 'rout')!.params = { state: [null, 3] };
    const r = analyzeZones(g);
    expect(r.issues.filter((i) => i.code === 'param-invalid')).toHaveLength(2);
  });
});

describe('analyzeZones, nodes drawn in a missing zone', () => {
  it('reports a node drawn in a zone id no pair has', () => {
    const r = analyzeZones({ nodes: [node('a', 'const/int', { zone: 'nowhere' })], edges: [] });
    expect(r.issues).toEqual([expect.objectContaining({ node: 'a', code: 'zone-unpaired' })]);
  });
});
