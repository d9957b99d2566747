/**
 * Topological order of a node graph. Iterative throughout (no recursion), so graphs of 100k
 * nodes neither blow the stack nor go quadratic.
 */
import type { GraphEdge } from './document.ts';

export type TopologyResult = { ok: true; order: string[] } | { ok: false; cycle: string[] };

/**
 * Orders `nodeIds` so every edge goes from an earlier node to a later one. Among nodes that are
 * ready at the same time the one listed first in `nodeIds` comes first, so the order is stable
 * and follows the document where the edges allow. Edges naming unknown nodes are ignored (the
 * validator reports them as dangling). On a cycle, returns one cycle as a list of node ids in
 * edge direction (the first id is not repeated at the end).
 */
export function topologicalOrder(nodeIds: readonly string[], edges: readonly GraphEdge[]): TopologyResult {
  const n = nodeIds.length;
  const indexOf = new Map<string, number>();
  for (let i = 0; i < n; i++) if (!indexOf.has(nodeIds[i])) indexOf.set(nodeIds[i], i);

  // Adjacency in compressed form: successor lists packed into one array.
  const indegree = new Int32Array(n);
  const outCount = new Int32Array(n + 1);
  const pairs: number[] = [];
  for (const edge of edges) {
    const from = indexOf.get(edge.from.node);
    const to = indexOf.get(edge.to.node);
    if (from === undefined || to === undefined) continue;
    pairs.push(from, to);
    outCount[from + 1]++;
    indegree[to]++;
  }
  for (let i = 0; i < n; i++) outCount[i + 1] += outCount[i];
  const succ = new Int32Array(pairs.length / 2);
  const fill = outCount.slice(0, n);
  for (let k = 0; k < pairs.length; k += 2) succ[fill[pairs[k]]++] = pairs[k + 1];

  const heap = new MinHeap();
  for (let i = 0; i < n; i++) if (indegree[i] === 0 && indexOf.get(nodeIds[i]) === i) heap.push(i);
  const order: string[] = [];
  const done = new Uint8Array(n);
  while (heap.size > 0) {
    const i = heap.pop();
    done[i] = 1;
    order.push(nodeIds[i]);
    for (let k = outCount[i]; k < outCount[i + 1]; k++) {
      const j = succ[k];
      if (--indegree[j] === 0) heap.push(j);
    }
  }
  const unique = indexOf.size;
  if (order.length === unique) return { ok: true, order };
  return { ok: false, cycle: findCycle(nodeIds, done, pairs, indexOf) };
}

/**
 * Every node left after Kahn's algorithm has a predecessor that is also left, so walking
 * predecessors from any of them must revisit a node; the revisited stretch is a cycle.
 */
function findCycle(
  nodeIds: readonly string[],
  done: Uint8Array,
  pairs: readonly number[],
  indexOf: Map<string, number>,
): string[] {
  const pred = new Map<number, number>();
  for (let k = 0; k < pairs.length; k += 2) {
    const [from, to] = [pairs[k], pairs[k + 1]];
    if (!done[from] && !done[to] && !pred.has(to)) pred.set(to, from);
  }
  let start = -1;
  for (const i of indexOf.values()) {
    if (!done[i]) {
      start = i;
      break;
    }
  }
  const seenAt = new Map<number, number>();
  const walk: number[] = [];
  let cur = start;
  while (!seenAt.has(cur)) {
    seenAt.set(cur, walk.length);
    walk.push(cur);
    cur = pred.get(cur)!;
  }
  // walk runs against edge direction; reverse the cyclic stretch to follow the edges.
  return walk.slice(seenAt.get(cur)).reverse().map((i) => nodeIds[i]);
}

/** Binary min-heap of node indices (ready nodes come out in document order). */
class MinHeap {
  private items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(value: number): void {
    const a = this.items;
    a.push(value);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent] <= value) break;
      a[i] = a[parent];
      i = parent;
    }
    a[i] = value;
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r] < a[l] ? r : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/** Node ids reachable from `starts` following edges forward (`'down'`) or backward (`'up'`). */
export function reachable(
  starts: Iterable<string>,
  edges: readonly GraphEdge[],
  direction: 'down' | 'up',
): Set<string> {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const [a, b] = direction === 'down' ? [e.from.node, e.to.node] : [e.to.node, e.from.node];
    let list = next.get(a);
    if (!list) next.set(a, (list = []));
    list.push(b);
  }
  const seen = new Set<string>();
  const stack = [...starts];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const b of next.get(id) ?? []) if (!seen.has(b)) stack.push(b);
  }
  return seen;
}
