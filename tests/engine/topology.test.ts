import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { topologicalOrder, reachable } from '../../src/graph/topology.ts';
import type { GraphEdge } from '../../src/graph/document.ts';

const edge = (from: string, to: string): GraphEdge => ({ from: { node: from, port: 'out' }, to: { node: to, port: 'in' } });

describe('topologicalOrder', () => {
  it('puts every producer before its consumers and keeps document order among ready nodes', () => {
    const r = topologicalOrder(['c', 'a', 'b', 'd'], [edge('a', 'b'), edge('b', 'c'), edge('a', 'd')]);
    expect(r).toEqual({ ok: true, order: ['a', 'b', 'c', 'd'] });
  });

  it('reports a cycle in edge direction', () => {
    const r = topologicalOrder(['x', 'a', 'b', 'c'], [edge('x', 'a'), edge('a', 'b'), edge('b', 'c'), edge('c', 'a')]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(new Set(r.cycle)).toEqual(new Set(['a', 'b', 'c']));
    // consecutive entries are edges, and the last closes the loop
    const edges = new Set(['a>b', 'b>c', 'c>a']);
    for (let i = 0; i < r.cycle.length; i++) expect(edges.has(`${r.cycle[i]}>${r.cycle[(i + 1) % r.cycle.length]}`)).toBe(true);
  });

  it('finds a self-loop', () => {
    const r = topologicalOrder(['a'], [edge('a', 'a')]);
    expect(r).toEqual({ ok: false, cycle: ['a'] });
  });

  it('ignores edges to unknown nodes', () => {
    expect(topologicalOrder(['a'], [edge('a', 'ghost')])).toEqual({ ok: true, order: ['a'] });
  });

  it('orders a 100k-node chain listed backwards without recursion', () => {
    const n = 100_000;
    const ids = Array.from({ length: n }, (_, i) => `n${n - 1 - i}`);
    const edges = Array.from({ length: n - 1 }, (_, i) => edge(`n${i}`, `n${i + 1}`));
    const r = topologicalOrder(ids, edges);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.order[0]).toBe('n0');
      expect(r.order[n - 1]).toBe(`n${n - 1}`);
    }
    const cyclic = topologicalOrder(ids, [...edges, edge(`n${n - 1}`, 'n0')]);
    expect(cyclic.ok).toBe(false);
    if (!cyclic.ok) expect(cyclic.cycle.length).toBe(n);
  });

  it('is a valid order for random DAGs and detects random back edges (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 120 }), (n, raw) => {
        const ids = Array.from({ length: n }, (_, i) => `v${i}`);
        // forward edges only: a DAG by construction
        const edges = raw.map(([a, b]) => [a % n, b % n]).filter(([a, b]) => a < b).map(([a, b]) => edge(ids[a], ids[b]));
        const r = topologicalOrder([...ids].reverse(), edges);
        if (!r.ok) return false;
        const pos = new Map(r.order.map((id, i) => [id, i]));
        if (r.order.length !== n) return false;
        if (!edges.every((e) => pos.get(e.from.node)! < pos.get(e.to.node)!)) return false;
        if (edges.length === 0) return true;
        const e = edges[0];
        return topologicalOrder(ids, [...edges, edge(e.to.node, e.from.node)]).ok === false;
      }),
      { seed: 7 },
    );
  });
});

describe('reachable', () => {
  it('walks down and up', () => {
    const edges = [edge('a', 'b'), edge('b', 'c'), edge('x', 'c')];
    expect(reachable(['a'], edges, 'down')).toEqual(new Set(['a', 'b', 'c']));
    expect(reachable(['c'], edges, 'up')).toEqual(new Set(['a', 'b', 'c', 'x']));
  });
});
