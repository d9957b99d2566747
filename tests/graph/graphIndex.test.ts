import { describe, expect, it } from 'vitest';
import { componentRanks, indexGraph } from '../../src/graph/graphIndex.ts';
import { edge } from './build.ts';

describe('graph index', () => {
  it('indexes listed nodes first, then ids only edges name, with both adjacency directions', () => {
    const g = indexGraph(['a', 'b'], [edge('a.x', 'b.y'), edge('b.x', 'ghost.y')]);
    expect(g.ids).toEqual(['a', 'b', 'ghost']);
    const succ = (i: number) => [...g.succ.subarray(g.succStart[i], g.succStart[i + 1])];
    const pred = (i: number) => [...g.pred.subarray(g.predStart[i], g.predStart[i + 1])];
    expect([succ(0), succ(1), succ(2)]).toEqual([[1], [2], []]);
    expect([pred(0), pred(1), pred(2)]).toEqual([[], [0], [1]]);
  });

  it('ranks never decrease along an edge and are shared exactly by a cycle', () => {
    // a → b ⇄ c → d, and e alone
    const g = indexGraph(['d', 'c', 'b', 'a', 'e'], [edge('a.o', 'b.i'), edge('b.o', 'c.i'), edge('c.o', 'b.i'), edge('c.o', 'd.i')]);
    const rank = componentRanks(g);
    const r = (id: string) => rank[g.indexOf.get(id)!];
    expect(r('a')).toBeLessThan(r('b'));
    expect(r('b')).toBe(r('c'));
    expect(r('c')).toBeLessThan(r('d'));
    expect(new Set([r('a'), r('b'), r('d'), r('e')]).size).toBe(4);
  });

  it('handles a 200k-node chain without recursion', () => {
    const n = 200_000;
    const ids = Array.from({ length: n }, (_, i) => `n${i}`);
    const edges = ids.slice(1).map((id, i) => edge(`${ids[i]}.o`, `${id}.i`));
    const rank = componentRanks(indexGraph(ids, edges));
    let increasing = true;
    for (let i = 1; i < n; i++) if (rank[i] <= rank[i - 1]) increasing = false;
    expect(increasing).toBe(true);
  });
});
