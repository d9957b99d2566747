/**
 * The far level of detail's picture of the graph (detail.ts, below FAR_ZOOM): each card a box
 * (its category's header band, its run state as the body's colour), each wire the same bezier
 * React Flow draws between the same handle points, and zone frames as rectangles. Plain numbers
 * in flow coordinates, built from React Flow's internal nodes (positions, sizes, handle bounds),
 * so the boxes and wires sit exactly where the cards and wires are when they are drawn again.
 */
import { Position, type Edge, type InternalNode, type Node } from '@xyflow/react';
import type { NodeRunState } from '../run/runStore.ts';
import { categoryColor } from './colors.ts';

export type FarBoxKind = 'card' | 'zoneBox' | 'frame';

export interface FarBox {
  id: string;
  kind: FarBoxKind;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The header band's colour (the card's category; a collapsed zone's box colour). */
  header: string;
  state?: NodeRunState;
  selected: boolean;
}

export interface FarScene {
  frames: FarBox[];
  /** Cards and collapsed zones' boxes, in drawing order (the last on top). */
  boxes: FarBox[];
  /** By stroke colour: 8 numbers per wire, a cubic bezier (start, control 1, control 2, end). */
  wires: Map<string, number[]>;
}

/** The collapsed zone's box colour (theme.css `.ll-zone-box`). */
export const ZONE_BOX_HEADER = '#4a3f8f';
const WIRE_DEFAULT = '#888';

/** A node's size as React Flow knows it: measured, else given, else the estimate it was created with. */
export function nodeSize(node: InternalNode): { width: number; height: number } {
  return {
    width: node.measured?.width ?? node.width ?? node.initialWidth ?? 0,
    height: node.measured?.height ?? node.height ?? node.initialHeight ?? 0,
  };
}

function kindOf(node: InternalNode): FarBoxKind {
  return node.type === 'zoneFrame' ? 'frame' : node.type === 'collapsedZone' ? 'zoneBox' : 'card';
}

function headerOf(node: InternalNode, kind: FarBoxKind): string {
  if (kind !== 'card') return ZONE_BOX_HEADER;
  const info = (node.data as { info?: { category?: string } } | undefined)?.info;
  return categoryColor(info?.category ?? 'unknown');
}

/** Where a wire leaves or enters a handle: the middle of the handle's side that faces out. */
function handlePoint(node: InternalNode, side: 'source' | 'target', handleId: string | null | undefined): { x: number; y: number; position: Position } | undefined {
  const bounds = node.internals.handleBounds?.[side];
  if (!bounds || bounds.length === 0) return undefined;
  const h = (handleId ? bounds.find((b) => b.id === handleId) : bounds[0]) ?? undefined;
  if (!h) return undefined;
  const { x, y } = node.internals.positionAbsolute;
  const dx = h.position === Position.Left ? 0 : h.position === Position.Right ? h.width : h.width / 2;
  const dy = h.position === Position.Top ? 0 : h.position === Position.Bottom ? h.height : h.height / 2;
  return { x: x + h.x + dx, y: y + h.y + dy, position: h.position };
}

/** React Flow's bezier control offset (curvature 0.25): half the distance ahead, a curl when the end lies behind. */
function controlOffset(distance: number): number {
  return distance >= 0 ? 0.5 * distance : 0.25 * 25 * Math.sqrt(-distance);
}

/** The control point beside (x1, y1), toward (x2, y2), for a handle facing `position`. */
export function bezierControl(position: Position, x1: number, y1: number, x2: number, y2: number): [number, number] {
  switch (position) {
    case Position.Left: return [x1 - controlOffset(x1 - x2), y1];
    case Position.Right: return [x1 + controlOffset(x2 - x1), y1];
    case Position.Top: return [x1, y1 - controlOffset(y1 - y2)];
    default: return [x1, y1 + controlOffset(y2 - y1)];
  }
}

/**
 * The scene for `nodes` (React Flow's node lookup) and `edges`. `stateOf` gives a box's run
 * state. Hidden nodes and edges are left out, as React Flow leaves them out.
 */
export function buildFarScene(
  nodes: Iterable<InternalNode>,
  edges: readonly Edge[],
  stateOf: (node: InternalNode) => NodeRunState | undefined,
): FarScene {
  const frames: FarBox[] = [];
  const boxes: FarBox[] = [];
  const byId = new Map<string, InternalNode>();
  for (const node of nodes) {
    if (node.hidden) continue;
    byId.set(node.id, node);
    const kind = kindOf(node);
    const { width, height } = nodeSize(node);
    const { x, y } = node.internals.positionAbsolute;
    const box: FarBox = { id: node.id, kind, x, y, width, height, header: headerOf(node, kind), selected: !!node.selected };
    if (kind === 'frame') frames.push(box);
    else {
      const state = stateOf(node);
      if (state) box.state = state;
      boxes.push(box);
    }
  }
  const wires = new Map<string, number[]>();
  for (const edge of edges) {
    if (edge.hidden) continue;
    const from = byId.get(edge.source);
    const to = byId.get(edge.target);
    if (!from || !to) continue;
    const s = handlePoint(from, 'source', edge.sourceHandle);
    const t = handlePoint(to, 'target', edge.targetHandle);
    if (!s || !t) continue;
    const [c1x, c1y] = bezierControl(s.position, s.x, s.y, t.x, t.y);
    const [c2x, c2y] = bezierControl(t.position, t.x, t.y, s.x, s.y);
    const color = typeof edge.style?.stroke === 'string' ? edge.style.stroke : WIRE_DEFAULT;
    let list = wires.get(color);
    if (!list) wires.set(color, (list = []));
    list.push(s.x, s.y, c1x, c1y, c2x, c2y, t.x, t.y);
  }
  return { frames, boxes, wires };
}

/** The topmost card or collapsed zone's box at flow point `p` (zone frames are not picked). */
export function nodeAt<N extends Node>(nodes: Iterable<InternalNode<N>>, p: { x: number; y: number }): InternalNode<N> | undefined {
  let hit: InternalNode<N> | undefined;
  for (const node of nodes) {
    if (node.hidden || node.type === 'zoneFrame') continue;
    const { width, height } = nodeSize(node as InternalNode);
    const { x, y } = node.internals.positionAbsolute;
    if (p.x >= x && p.x <= x + width && p.y >= y && p.y <= y + height && (!hit || node.internals.z >= hit.internals.z)) hit = node;
  }
  return hit;
}
