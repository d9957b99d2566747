/** Small builders for hand-made graph fixtures in the graph and persistence tests. */
import type { GraphDocument, GraphEdge, GraphNode } from '../../src/graph/document.ts';

export function node(id: string, type: string, params: Record<string, unknown> = {}, more: Partial<GraphNode> = {}): GraphNode {
  return { id, type, version: 1, params, ...more };
}

/** `edge('a.result', 'b.a')`: from node a's output "result" to node b's input "a". */
export function edge(from: string, to: string): GraphEdge {
  const split = (ref: string) => {
    const dot = ref.indexOf('.');
    return { node: ref.slice(0, dot), port: ref.slice(dot + 1) };
  };
  return { from: split(from), to: split(to) };
}

export function graph(nodes: GraphNode[], edges: GraphEdge[] = [], more: Partial<GraphDocument> = {}): GraphDocument {
  return { format: 'latentloom.graph', version: 1, meta: {}, models: {}, nodes, edges, ...more };
}

/** A valid repeat zone: count → repeat-input → multiply (body) → repeat-output → add. */
export function zoneGraph(): GraphDocument {
  const state = [{ name: 'x', type: 'FLOAT' }];
  return graph(
    [
      node('count', 'const/int', { value: 3 }),
      node('init', 'const/float', { value: 1 }),
      node('in', 'flow/repeat-input', { state }, { zone: 'z' }),
      node('double', 'math/multiply', { factor: 2 }, { zone: 'z' }),
      node('out', 'flow/repeat-output', { state }, { zone: 'z' }),
      node('after', 'math/add', {}),
    ],
    [
      edge('count.value', 'in.count'),
      edge('init.value', 'in.x'),
      edge('in.x', 'double.a'),
      edge('double.result', 'out.x'),
      edge('out.x', 'after.a'),
    ],
  );
}
