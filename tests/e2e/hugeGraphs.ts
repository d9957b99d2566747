/**
 * Graphs near the format's 20,000-node limit, for the editor's "opening a huge graph does not
 * freeze it" checks (tests/e2e/hugeGraph.test.ts, tests/ui/hugeGraph.test.ts, the editor bench).
 */

/**
 * A chain of `zones` repeat zones (two nodes each), each passing its value straight through, fed
 * by one count and one start value: 9,990 zones make 19,982 nodes and 29,970 edges.
 */
export function zoneChainGraph(zones = 9_990): { nodes: object[]; edges: object[] } & Record<string, unknown> {
  const state = [{ name: 'value', type: 'FLOAT' }];
  const nodes: object[] = [
    { id: 'steps', type: 'const/int', version: 1, params: { value: 1 }, ui: { x: 0, y: 0 } },
    { id: 'start', type: 'const/float', version: 1, params: { value: 1 }, ui: { x: 0, y: 140 } },
  ];
  const edges: object[] = [];
  let prev = { node: 'start', port: 'value' };
  for (let i = 0; i < zones; i++) {
    const row = Math.floor(i / 20);
    const col = i % 20;
    const x = 240 + col * 560;
    const y = row * 220;
    nodes.push({ id: `in${i}`, type: 'flow/repeat-input', version: 1, zone: `z${i}`, params: { state }, ui: { x, y } });
    nodes.push({ id: `out${i}`, type: 'flow/repeat-output', version: 1, zone: `z${i}`, params: { state }, ui: { x: x + 260, y } });
    edges.push({ from: { node: 'steps', port: 'value' }, to: { node: `in${i}`, port: 'count' } });
    edges.push({ from: prev, to: { node: `in${i}`, port: 'value' } });
    edges.push({ from: { node: `in${i}`, port: 'value' }, to: { node: `out${i}`, port: 'value' } });
    prev = { node: `out${i}`, port: 'value' };
  }
  return { format: 'latentloom.graph', version: 1, meta: { title: `${zones} repeat zones` }, models: {}, nodes, edges, ui: { viewport: { x: 40, y: 40, zoom: 0.5 } } };
}

/** `count` math nodes in rows of 10, each row a chain (19,000 make 17,100 edges). */
export function mathGridGraph(count = 19_000): { nodes: object[]; edges: object[] } & Record<string, unknown> {
  const nodes: object[] = [];
  const edges: object[] = [];
  for (let i = 0; i < count; i++) {
    const col = i % 10;
    nodes.push({ id: `n${i}`, type: 'math/add', version: 1, params: { bias: i, mode: 'sum' }, ui: { x: col * 260, y: Math.floor(i / 10) * 200 } });
    if (col > 0) edges.push({ from: { node: `n${i - 1}`, port: 'result' }, to: { node: `n${i}`, port: 'a' } });
  }
  return { format: 'latentloom.graph', version: 1, meta: { title: `${count} math nodes` }, models: {}, nodes, edges, ui: { viewport: { x: 40, y: 40, zoom: 0.5 } } };
}
