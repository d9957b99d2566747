/**
 * Turns the document (plus run state and issues) into React Flow nodes and edges. Pure: the
 * canvas keeps React Flow's own per-node state (selection, measured size, in-flight drags) and
 * merges it in, so a 300-node graph re-renders only the nodes whose data changed. Run state is
 * not in here: each node card reads its own status from the run store, so a run never touches
 * React Flow's node list.
 */
import { Position, type Edge, type Node, type NodeHandle } from '@xyflow/react';
import type { GraphDocument, GraphIssue, GraphNode, PortRef } from '../../graph/document.ts';
import type { NodeCatalog } from '../catalog.ts';
import type { PortType } from '../../graph/portTypes.ts';
import type { NodeCardData, NodeCardNode } from './NodeCard.tsx';
import { PORT_COLORS } from './colors.ts';
import { paramsBlockHeight } from './detail.ts';
import { FRAME_HEADER, FRAME_PAD } from '../layout/boxes.ts';

export interface ZoneFrameData extends Record<string, unknown> {
  zone: string;
  label: string;
  members: string[];
  /** The zone's repeat-output node (its progress is the zone's). */
  output?: string;
}
export type ZoneFrameNode = Node<ZoneFrameData, 'zoneFrame'>;
export type FlowNode = NodeCardNode | ZoneFrameNode;

export const ZONE_PREFIX = 'zone:';
const DEFAULT_SIZE = { width: 240, height: 160 };

export interface FlowInputs {
  doc: GraphDocument;
  catalog: NodeCatalog;
  issues: readonly GraphIssue[];
  randomizedSeeds: readonly string[];
}

/** Cache of built node data by node id, so unchanged nodes keep their data object. */
export type DataCache = Map<string, { key: unknown[]; data: NodeCardData }>;

function sameKey(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function buildCardNodes(inputs: FlowInputs, cache: DataCache): NodeCardNode[] {
  const { doc, catalog, issues, randomizedSeeds } = inputs;
  const models = Object.keys(doc.models);
  const issuesByNode = new Map<string, string[]>();
  for (const issue of issues) {
    if (!issue.node) continue;
    const list = issuesByNode.get(issue.node) ?? [];
    list.push(issue.message);
    issuesByNode.set(issue.node, list);
  }
  const seen = new Set<string>();
  const out = doc.nodes.map((node): NodeCardNode => {
    seen.add(node.id);
    const info = catalog.get(node.type);
    const nodeIssues = issuesByNode.get(node.id) ?? [];
    const seeds = randomizedSeeds.filter((k) => k.startsWith(`${node.id}.`));
    const key = [node, info, doc.models, nodeIssues.join('\n'), seeds.join(',')];
    let entry = cache.get(node.id);
    if (!entry || !sameKey(entry.key, key)) {
      const ports = catalog.portsOf(node);
      entry = {
        key,
        data: { node, info, ...ports, models, randomizedSeeds: seeds, issues: nodeIssues },
      };
      cache.set(node.id, entry);
    }
    return {
      id: node.id,
      type: 'graphNode',
      position: { x: node.ui?.x ?? 0, y: node.ui?.y ?? 0 },
      data: entry.data,
      zIndex: 1,
      ...estimatedLayout(entry.data),
    };
  });
  for (const id of [...cache.keys()]) if (!seen.has(id)) cache.delete(id);
  return out;
}

// The card's geometry (theme.css): 220 px wide, the first port row's handle 53 px from the top,
// 20 px per row; widgets take about 26 px each.
const CARD_WIDTH = 220;
const FIRST_HANDLE_Y = 53;
const ROW = 20;
const HANDLE = 10;

/**
 * A card's size and handle positions before React Flow has measured it. React Flow draws every
 * node it has no handle bounds for, visible or not, to measure it: without an estimate, opening
 * a 19,000-node graph mounts 19,000 cards at once (tens of seconds). With one, only the cards on
 * screen are mounted; each is measured when first drawn, and its real bounds replace these
 * (the canvas drops `handles` from a node once it has `measured`).
 */
export function estimatedLayout(data: Pick<NodeCardData, 'node' | 'info' | 'inputs' | 'outputs'>): { initialWidth: number; initialHeight: number; handles: NodeHandle[] } {
  const collapsed = !!data.node.ui?.collapsed;
  const converted = new Set(data.node.paramInputs ?? []);
  const params = data.info ? Object.entries(data.info.params).filter(([n, s]) => !s.hidden && !converted.has(n)).length : 0;
  const ins = Object.keys(data.inputs);
  const outs = Object.keys(data.outputs);
  const rows = Math.max(ins.length, outs.length);
  const centre = (i: number) => (collapsed ? FIRST_HANDLE_Y - 7 : FIRST_HANDLE_Y + ROW * i);
  const handle = (id: string, i: number, type: 'source' | 'target'): NodeHandle => ({
    id,
    type,
    position: type === 'source' ? Position.Right : Position.Left,
    x: type === 'source' ? CARD_WIDTH - HANDLE / 2 : -HANDLE / 2,
    y: centre(i) - HANDLE / 2,
    width: HANDLE,
    height: HANDLE,
  });
  const height = collapsed ? 49 : FIRST_HANDLE_Y - 6 + ROW * rows + paramsBlockHeight(params);
  return {
    initialWidth: CARD_WIDTH,
    initialHeight: height,
    handles: [...ins.map((id, i) => handle(id, i, 'target')), ...outs.map((id, i) => handle(id, i, 'source'))],
  };
}

/** A node without React Flow's estimated `handles` (once measured, its own bounds count). */
export function withoutEstimate<N extends Node>(node: N): N {
  if (node.handles === undefined) return node;
  const { handles: _estimate, ...rest } = node;
  return rest as N;
}

/** Built edges by edge id, so that an edit elsewhere leaves unchanged edges the same objects. */
export type EdgeCache = Map<string, Edge>;

/** `typeOf` gives the type of wires from ends that are not nodes of `doc` (collapsed zones' boxes). */
export function buildEdges(doc: GraphDocument, catalog: NodeCatalog, cache: EdgeCache = new Map(), typeOf?: (from: PortRef) => string | undefined): Edge[] {
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const out = doc.edges.map((e) => {
    const source = byId.get(e.from.node);
    const type = source ? catalog.portsOf(source).outputs[e.from.port]?.type : typeOf?.(e.from);
    const id = edgeId(e.from.node, e.from.port, e.to.node, e.to.port);
    const stroke = type ? PORT_COLORS[type as PortType] ?? '#888' : '#888';
    seen.add(id);
    const prior = cache.get(id);
    if (prior && prior.style?.stroke === stroke) return prior;
    const edge: Edge = {
      id,
      source: e.from.node,
      sourceHandle: e.from.port,
      target: e.to.node,
      targetHandle: e.to.port,
      style: { stroke, strokeWidth: 2 },
      zIndex: 0,
    };
    cache.set(id, edge);
    return edge;
  });
  for (const id of [...cache.keys()]) if (!seen.has(id)) cache.delete(id);
  return out;
}

export function edgeId(fromNode: string, fromPort: string, toNode: string, toPort: string): string {
  return `${fromNode}.${fromPort}->${toNode}.${toPort}`;
}

export { zoneMembers } from '../analysis/graphAnalysis.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Frame rectangle around `ids`, from current positions and measured sizes. */
export function frameRect(ids: readonly string[], nodes: ReadonlyMap<string, Node>): Rect | undefined {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const id of ids) {
    const n = nodes.get(id);
    if (!n) continue;
    const w = n.measured?.width ?? DEFAULT_SIZE.width;
    const h = n.measured?.height ?? DEFAULT_SIZE.height;
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x + w);
    maxY = Math.max(maxY, n.position.y + h);
  }
  if (!Number.isFinite(minX)) return undefined;
  return { x: minX - FRAME_PAD, y: minY - FRAME_PAD - FRAME_HEADER, width: maxX - minX + 2 * FRAME_PAD, height: maxY - minY + 2 * FRAME_PAD + FRAME_HEADER };
}

/**
 * Zone frames around their members. With `prior` frames, a frame whose zone has none of
 * `changed` among its members, or whose rectangle came out the same, is kept as the same object:
 * a drag then rebuilds only the frame of the dragged node's zone, and React Flow re-renders
 * nothing else for frames.
 */
export function buildFrames(
  members: ReadonlyMap<string, string[]>,
  nodes: readonly Node[] | ReadonlyMap<string, Node>,
  prior?: readonly ZoneFrameNode[],
  changed?: ReadonlySet<string>,
): ZoneFrameNode[] {
  const byId: ReadonlyMap<string, Node> = nodes instanceof Map ? nodes : new Map((nodes as readonly Node[]).map((n) => [n.id, n]));
  const priorByZone = new Map((prior ?? []).map((f) => [f.data.zone, f]));
  const frames: ZoneFrameNode[] = [];
  for (const [zone, ids] of members) {
    const old = priorByZone.get(zone);
    const sameMembers = old !== undefined && old.data.members.length === ids.length && old.data.members.every((id, i) => id === ids[i]);
    if (old && sameMembers && changed && !ids.some((id) => changed.has(id))) {
      frames.push(old);
      continue;
    }
    const rect = frameRect(ids, byId);
    if (!rect) continue;
    if (old && sameMembers && old.position.x === rect.x && old.position.y === rect.y && old.width === rect.width && old.height === rect.height) {
      frames.push(old);
      continue;
    }
    frames.push({
      id: ZONE_PREFIX + zone,
      type: 'zoneFrame',
      position: { x: rect.x, y: rect.y },
      width: rect.width,
      height: rect.height,
      style: { width: rect.width, height: rect.height },
      data: { zone, label: `Repeat zone "${zone}"`, members: ids, output: ids.find((id) => (byId.get(id)?.data as Partial<NodeCardData> | undefined)?.node?.type === 'flow/repeat-output') },
      selectable: false,
      draggable: false,
      connectable: false,
      focusable: false,
      zIndex: -1,
      handles: [],
    });
  }
  return frames;
}

/** The zone whose frame (computed without `exclude`) contains point p, if any. */
export function zoneAtPoint(
  p: { x: number; y: number },
  members: ReadonlyMap<string, string[]>,
  nodes: ReadonlyMap<string, Node>,
  exclude: ReadonlySet<string>,
): string | undefined {
  for (const [zone, ids] of members) {
    const rect = frameRect(ids.filter((id) => !exclude.has(id)), nodes);
    if (rect && p.x >= rect.x && p.x <= rect.x + rect.width && p.y >= rect.y && p.y <= rect.y + rect.height) return zone;
  }
  return undefined;
}

export function isRepeatNode(node: GraphNode): boolean {
  return node.type.startsWith('flow/repeat-');
}
