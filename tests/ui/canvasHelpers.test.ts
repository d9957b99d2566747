import type { GraphDocument } from '../../src/graph/document.ts';
import { alignBoxes } from '../../src/ui/canvas/align.ts';
import { copyFragment, parseFragment, CLIPBOARD_KIND } from '../../src/ui/canvas/clipboard.ts';
import { frameRect, zoneAtPoint, zoneMembers } from '../../src/ui/canvas/flowModel.ts';
import type { Node } from '@xyflow/react';

const boxes = [
  { id: 'a', x: 0, y: 10, width: 100, height: 50 },
  { id: 'b', x: 300, y: 40, width: 100, height: 80 },
  { id: 'c', x: 120, y: 0, width: 100, height: 20 },
];

describe('align and distribute', () => {
  it('aligns left and top edges', () => {
    expect(alignBoxes(boxes, 'left')).toEqual({ a: { x: 0, y: 10 }, b: { x: 0, y: 40 }, c: { x: 0, y: 0 } });
    expect(alignBoxes(boxes, 'top')).toEqual({ a: { x: 0, y: 0 }, b: { x: 300, y: 0 }, c: { x: 120, y: 0 } });
  });

  it('distributes with equal gaps between neighbours', () => {
    const out = alignBoxes(boxes, 'distribute-x');
    // span 0..400, widths 300 → two gaps of 50
    expect(out).toEqual({ a: { x: 0, y: 10 }, c: { x: 150, y: 0 }, b: { x: 300, y: 40 } });
  });

  it('does nothing for fewer than two nodes', () => {
    expect(alignBoxes(boxes.slice(0, 1), 'left')).toEqual({});
  });
});

const doc: GraphDocument = {
  format: 'latentloom.graph',
  version: 1,
  meta: {},
  models: {},
  nodes: [
    { id: 'in', type: 'flow/repeat-input', version: 1, zone: 'z', params: { state: [{ name: 'v', type: 'FLOAT' }] }, ui: { x: 0, y: 0 } },
    { id: 'body', type: 'math/multiply', version: 1, params: {}, ui: { x: 300, y: 0 } },
    { id: 'out', type: 'flow/repeat-output', version: 1, zone: 'z', params: { state: [{ name: 'v', type: 'FLOAT' }] }, ui: { x: 600, y: 0 } },
    { id: 'after', type: 'math/add', version: 1, params: {}, ui: { x: 900, y: 0 } },
  ],
  edges: [
    { from: { node: 'in', port: 'v' }, to: { node: 'body', port: 'a' } },
    { from: { node: 'body', port: 'result' }, to: { node: 'out', port: 'v' } },
    { from: { node: 'out', port: 'v' }, to: { node: 'after', port: 'a' } },
  ],
};

describe('clipboard fragments', () => {
  it('copies the selected nodes with only the edges among them', () => {
    const f = copyFragment(doc, new Set(['body', 'out']));
    expect(f.nodes.map((n) => n.id)).toEqual(['body', 'out']);
    expect(f.edges).toEqual([doc.edges[1]]);
    expect(parseFragment(JSON.stringify(f))).toEqual(f);
  });

  it('ignores text that is not a fragment (a whole document is opened, not pasted in)', () => {
    expect(parseFragment('hello')).toBeUndefined();
    expect(parseFragment(JSON.stringify(doc))).toBeUndefined();
    expect(parseFragment(JSON.stringify({ kind: CLIPBOARD_KIND, nodes: [{ nope: 1 }], edges: [] }))?.nodes).toEqual([]);
  });
});

describe('zone frames', () => {
  const rf = new Map<string, Node>(doc.nodes.map((n) => [n.id, { id: n.id, position: { x: n.ui!.x, y: n.ui!.y }, data: {}, measured: { width: 200, height: 100 } }]));

  it('a zone holds its pair and its body, not what follows it', () => {
    expect(zoneMembers(doc).get('z')!.sort()).toEqual(['body', 'in', 'out']);
  });

  it('frames the members with padding and finds the zone under a point', () => {
    const rect = frameRect(['in', 'body', 'out'], rf)!;
    expect(rect.x).toBeLessThan(0);
    expect(rect.x + rect.width).toBeGreaterThan(800);
    const members = zoneMembers(doc);
    expect(zoneAtPoint({ x: 400, y: 50 }, members, rf, new Set())).toBe('z');
    expect(zoneAtPoint({ x: 1000, y: 50 }, members, rf, new Set())).toBeUndefined();
  });
});

describe('cards before React Flow measures them', () => {
  it('carry an estimated size and a handle per port, so off-screen cards need not be mounted', async () => {
    const { ALL_NODES } = await import('../../nodes/index.ts');
    const { NodeCatalog, toNodeTypeInfo } = await import('../../src/ui/catalog.ts');
    const { buildCardNodes, withoutEstimate } = await import('../../src/ui/canvas/flowModel.ts');
    const catalog = new NodeCatalog(ALL_NODES.map(toNodeTypeInfo));
    const graph: GraphDocument = {
      format: 'latentloom.graph', version: 1, meta: {}, models: {}, edges: [],
      nodes: [{ id: 'add', type: 'math/add', version: 1, params: { bias: 0, mode: 'sum' }, ui: { x: 0, y: 0 } }],
    };
    const [card] = buildCardNodes({ doc: graph, catalog, issues: [], randomizedSeeds: [] }, new Map());
    expect(card.initialWidth).toBe(220);
    expect(card.initialHeight).toBeGreaterThan(80);
    const ports = catalog.portsOf(graph.nodes[0]);
    expect(card.handles?.filter((h) => h.type === 'target').map((h) => h.id)).toEqual(Object.keys(ports.inputs));
    expect(card.handles?.filter((h) => h.type === 'source').map((h) => h.id)).toEqual(Object.keys(ports.outputs));
    // Once measured, the node's own bounds count: the estimate is dropped.
    expect(withoutEstimate(card).handles).toBeUndefined();
    expect(withoutEstimate(card).data).toBe(card.data);
  });
});
