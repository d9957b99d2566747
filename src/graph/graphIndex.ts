/**
 * A graph in index form, built once per analysis: node ids numbered, successor and predecessor
 * lists packed into flat arrays, and a rank per node that never decreases along an edge. Analyses
 * that would otherwise walk every edge once per zone (or per node) use it to stay linear.
 * Everything here is iterative, so 100k-node chains do not blow the stack.
 */
import type { GraphEdge } from './document.ts';

export interface GraphIndex {
  /** Number of indexed ids (listed nodes first, then ids only edges name). */
  size: number;
  ids: string[];
  indexOf: Map<string, number>;
  /** Successors of i: succ[succStart[i] .. succStart[i + 1]). */
  succ: Int32Array;
  succStart: Int32Array;
  /** Predecessors of i: pred[predStart[i] .. predStart[i + 1]). */
  pred: Int32Array;
  predStart: Int32Array;
}

/**
 * Indexes `nodeIds` (first occurrence wins) and every id an edge names, so walks through an edge
 * to a node missing from the list behave as they would on the raw edge list.
 */
export function indexGraph(nodeIds: Iterable<string>, edges: readonly GraphEdge[]): GraphIndex {
  const ids: string[] = [];
  const indexOf = new Map<string, number>();
  const add = (id: string): number => {
    let i = indexOf.get(id);
    if (i === undefined) {
      i = ids.length;
      indexOf.set(id, i);
      ids.push(id);
    }
    return i;
  };
  for (const id of nodeIds) add(id);
  const from = new Int32Array(edges.length);
  const to = new Int32Array(edges.length);
  for (let k = 0; k < edges.length; k++) {
    from[k] = add(edges[k].from.node);
    to[k] = add(edges[k].to.node);
  }
  const n = ids.length;
  const [succStart, succ] = pack(n, from, to);
  const [predStart, pred] = pack(n, to, from);
  return { size: n, ids, indexOf, succ, succStart, pred, predStart };
}

/** Compressed adjacency: for each a[k] → b[k], b[k] is listed under a[k]. */
function pack(n: number, a: Int32Array, b: Int32Array): [Int32Array, Int32Array] {
  const start = new Int32Array(n + 1);
  for (let k = 0; k < a.length; k++) start[a[k] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const list = new Int32Array(a.length);
  for (let k = 0; k < a.length; k++) list[fill[a[k]]++] = b[k];
  return [start, list];
}

/**
 * Rank of each node's strongly connected component in a topological order of the components
 * (Kosaraju): along every edge the rank does not decrease, and two nodes share a rank exactly
 * when they lie on a common cycle. So every path from u to v stays within ranks
 * [rank[u], rank[v]], which lets a walk between two nodes skip everything outside that window.
 */
export function componentRanks(g: GraphIndex): Int32Array {
  const n = g.size;
  // Pass 1: finishing order of an iterative depth-first search along the edges.
  const finished = new Int32Array(n);
  let finishedCount = 0;
  const visited = new Uint8Array(n);
  const stack = new Int32Array(n);
  const cursor = new Int32Array(n);
  for (let root = 0; root < n; root++) {
    if (visited[root]) continue;
    let top = 0;
    stack[0] = root;
    cursor[root] = g.succStart[root];
    visited[root] = 1;
    while (top >= 0) {
      const u = stack[top];
      if (cursor[u] < g.succStart[u + 1]) {
        const v = g.succ[cursor[u]++];
        if (!visited[v]) {
          visited[v] = 1;
          cursor[v] = g.succStart[v];
          stack[++top] = v;
        }
      } else {
        finished[finishedCount++] = u;
        top--;
      }
    }
  }
  // Pass 2: against the edges, in reverse finishing order; components come out source first.
  const rank = new Int32Array(n).fill(-1);
  let components = 0;
  for (let k = n - 1; k >= 0; k--) {
    const root = finished[k];
    if (rank[root] !== -1) continue;
    let top = 0;
    stack[0] = root;
    rank[root] = components;
    while (top >= 0) {
      const u = stack[top--];
      for (let e = g.predStart[u]; e < g.predStart[u + 1]; e++) {
        const v = g.pred[e];
        if (rank[v] === -1) {
          rank[v] = components;
          stack[++top] = v;
        }
      }
    }
    components++;
  }
  return rank;
}
