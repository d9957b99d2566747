/**
 * The far level of detail's scene (src/ui/canvas/farScene.ts): boxes where React Flow has the
 * nodes, at their measured (else estimated) sizes, wires the same beziers React Flow's default
 * edge draws between the same handle points, hidden things left out, and picking by point.
 */
import { getBezierPath, Position, type Edge, type InternalNode } from '@xyflow/react';
import { buildFarScene, nodeAt, ZONE_BOX_HEADER } from '../../src/ui/canvas/farScene.ts';
import { categoryColor } from '../../src/ui/canvas/colors.ts';

type Handle = { id: string; x: number; y: number; width: number; height: number; position: Position; type: 'source' | 'target' };

function internal(id: string, o: {
  x: number; y: number; type?: string; measured?: { width: number; height: number }; initial?: { width: number; height: number };
  category?: string; selected?: boolean; hidden?: boolean; z?: number; handles?: Handle[];
}): InternalNode {
  const handles = o.handles ?? [];
  return {
    id,
    type: o.type ?? 'graphNode',
    position: { x: o.x, y: o.y },
    data: { info: o.category ? { category: o.category } : undefined },
    measured: o.measured ?? {},
    initialWidth: o.initial?.width,
    initialHeight: o.initial?.height,
    selected: o.selected,
    hidden: o.hidden,
    internals: {
      positionAbsolute: { x: o.x, y: o.y },
      z: o.z ?? 0,
      userNode: {} as never,
      handleBounds: {
        source: handles.filter((h) => h.type === 'source').map((h) => ({ ...h, nodeId: id })),
        target: handles.filter((h) => h.type === 'target').map((h) => ({ ...h, nodeId: id })),
      },
    },
  } as unknown as InternalNode;
}

const out = (id: string, y: number): Handle => ({ id, x: 215, y, width: 10, height: 10, position: Position.Right, type: 'source' });
const inp = (id: string, y: number): Handle => ({ id, x: -5, y, width: 10, height: 10, position: Position.Left, type: 'target' });

function bezierNumbers(d: string): number[] {
  return (d.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number);
}

describe('far level of detail scene', () => {
  const a = internal('a', { x: 0, y: 0, measured: { width: 220, height: 120 }, category: 'math', handles: [out('result', 48), out('extra', 68)] });
  const b = internal('b', { x: 400, y: 60, initial: { width: 220, height: 90 }, category: 'image', selected: true, handles: [inp('x', 48), inp('y', 68)] });
  // An end behind its start: React Flow's bezier curls (the control offset is no longer half the distance).
  const c = internal('c', { x: -300, y: 300, measured: { width: 220, height: 80 }, handles: [inp('x', 48)] });
  const frame = internal('zone:z', { x: -20, y: -40, type: 'zoneFrame', measured: { width: 700, height: 260 }, z: -1 });
  const box = internal('zbox', { x: 900, y: 0, type: 'collapsedZone', measured: { width: 240, height: 100 }, handles: [] });
  const hidden = internal('h', { x: 0, y: 0, hidden: true, measured: { width: 220, height: 100 }, handles: [inp('x', 48)] });
  const edges: Edge[] = [
    { id: 'ab', source: 'a', sourceHandle: 'extra', target: 'b', targetHandle: 'y', style: { stroke: '#ff0000' } },
    { id: 'ac', source: 'a', sourceHandle: 'result', target: 'c', targetHandle: 'x', style: { stroke: '#ff0000' } },
    { id: 'ah', source: 'a', sourceHandle: 'result', target: 'h', targetHandle: 'x', style: { stroke: '#00ff00' } },
    { id: 'gone', source: 'a', sourceHandle: 'result', target: 'b', targetHandle: 'x', hidden: true },
    { id: 'nohandle', source: 'a', sourceHandle: 'nope', target: 'b', targetHandle: 'x' },
  ];
  const scene = buildFarScene([frame, a, b, c, box, hidden], edges, (n) => (n.id === 'b' ? 'running' : undefined));

  it('puts a box where each node is, at its measured or estimated size, with its header colour and run state', () => {
    expect(scene.frames).toEqual([{ id: 'zone:z', kind: 'frame', x: -20, y: -40, width: 700, height: 260, header: ZONE_BOX_HEADER, selected: false }]);
    expect(scene.boxes.map((x) => x.id)).toEqual(['a', 'b', 'c', 'zbox']);
    expect(scene.boxes[0]).toEqual({ id: 'a', kind: 'card', x: 0, y: 0, width: 220, height: 120, header: categoryColor('math'), selected: false });
    expect(scene.boxes[1]).toEqual({ id: 'b', kind: 'card', x: 400, y: 60, width: 220, height: 90, header: categoryColor('image'), selected: true, state: 'running' });
    expect(scene.boxes[2].header).toBe(categoryColor('unknown'));
    expect(scene.boxes[3]).toMatchObject({ kind: 'zoneBox', header: ZONE_BOX_HEADER });
  });

  it('draws each wire as the bezier React Flow draws between the same handles; hidden ends and unknown handles are left out', () => {
    expect([...scene.wires.keys()]).toEqual(['#ff0000']);
    const wires = scene.wires.get('#ff0000')!;
    expect(wires).toHaveLength(16);
    const expected = [
      // a.extra (right side of the handle, its middle) → b.y (left side)
      getBezierPath({ sourceX: 225, sourceY: 73, sourcePosition: Position.Right, targetX: 395, targetY: 133, targetPosition: Position.Left })[0],
      getBezierPath({ sourceX: 225, sourceY: 53, sourcePosition: Position.Right, targetX: -305, targetY: 353, targetPosition: Position.Left })[0],
    ];
    for (const [i, d] of expected.entries()) {
      const want = bezierNumbers(d);
      const got = wires.slice(8 * i, 8 * i + 8);
      expect(want).toHaveLength(8);
      got.forEach((v, j) => expect(v).toBeCloseTo(want[j], 6));
    }
  });

  it('picks the topmost card or zone box under a point, never a zone frame or a hidden node', () => {
    const all = [frame, a, b, c, box, hidden];
    expect(nodeAt(all, { x: 10, y: 10 })?.id).toBe('a');
    expect(nodeAt(all, { x: 500, y: 100 })?.id).toBe('b');
    expect(nodeAt(all, { x: 950, y: 50 })?.id).toBe('zbox');
    // Inside the zone frame only: nothing.
    expect(nodeAt(all, { x: 300, y: 10 })).toBeUndefined();
    const over = internal('over', { x: 100, y: 50, measured: { width: 220, height: 100 }, z: 5 });
    expect(nodeAt([over, a], { x: 150, y: 60 })?.id).toBe('over');
    expect(nodeAt([a, over], { x: 150, y: 60 })?.id).toBe('over');
  });
});
