/**
 * Hand-built subgraph fixtures: `x → (×2 → +1) → after` drawn flat, and the same with the middle
 * two nodes inside a `graph/subgraph` node "sg" exposing input "in" and output "out".
 */
import type { GraphDocument } from '../../src/graph/document.ts';
import { edge, graph, node } from './build.ts';

export function flatMathGraph(): GraphDocument {
  return graph(
    [
      node('x', 'const/float', { value: 1.5 }, { ui: { x: 0, y: 0 } }),
      node('double', 'math/multiply', { factor: 2 }, { ui: { x: 200, y: 0 } }),
      node('plus', 'math/add', { bias: 1 }, { ui: { x: 400, y: 0 } }),
      node('after', 'math/add', { bias: 0.5 }, { ui: { x: 600, y: 0 } }),
    ],
    [edge('x.value', 'double.a'), edge('double.result', 'plus.a'), edge('plus.result', 'after.a')],
  );
}

export function subgraphMathGraph(): GraphDocument {
  return graph(
    [
      node('x', 'const/float', { value: 1.5 }, { ui: { x: 0, y: 0 } }),
      node('sg', 'graph/subgraph', {}, {
        title: 'Double plus one',
        ui: { x: 300, y: 0 },
        subgraph: {
          nodes: [
            node('double', 'math/multiply', { factor: 2 }, { ui: { x: 200, y: 0 } }),
            node('plus', 'math/add', { bias: 1 }, { ui: { x: 400, y: 0 } }),
          ],
          edges: [edge('double.result', 'plus.a')],
          inputs: [{ name: 'in', type: 'FLOAT', to: [{ node: 'double', port: 'a' }] }],
          outputs: [{ name: 'out', type: 'FLOAT', from: { node: 'plus', port: 'result' } }],
        },
      }),
      node('after', 'math/add', { bias: 0.5 }, { ui: { x: 600, y: 0 } }),
    ],
    [edge('x.value', 'sg.in'), edge('sg.out', 'after.a')],
  );
}
