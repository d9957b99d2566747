/**
 * Document edit recipes used by the editor. Each takes an immer draft and mutates it; the store
 * turns each call into an undoable step. They keep the document's invariants: an input holds at
 * most one edge, removing a node removes its edges, ids stay unique.
 */
import type { Draft } from 'immer';
import type { GraphDocument, GraphEdge, GraphNode, PortRef } from '../../graph/document.ts';

type Doc = Draft<GraphDocument>;

export function sameRef(a: PortRef, b: PortRef): boolean {
  return a.node === b.node && a.port === b.port;
}

/** An id not used by any node of the document, derived from a readable base. */
export function freshNodeId(doc: GraphDocument, base: string, taken: ReadonlySet<string> = new Set()): string {
  const used = new Set(doc.nodes.map((n) => n.id));
  const clean = base.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'node';
  if (!used.has(clean) && !taken.has(clean)) return clean;
  // A copy of "start_2" becomes "start_3", not "start_2_2".
  const stem = clean.replace(/_\d+$/, '') || clean;
  for (let i = 2; ; i++) {
    const id = `${stem}_${i}`;
    if (!used.has(id) && !taken.has(id)) return id;
  }
}

export function addNodes(doc: Doc, nodes: readonly GraphNode[], edges: readonly GraphEdge[] = []): void {
  for (const node of nodes) doc.nodes.push(structuredClone(node));
  for (const edge of edges) connect(doc, edge);
}

export function removeNodes(doc: Doc, ids: readonly string[]): void {
  const gone = new Set(ids);
  doc.nodes = doc.nodes.filter((n) => !gone.has(n.id));
  doc.edges = doc.edges.filter((e) => !gone.has(e.from.node) && !gone.has(e.to.node));
}

export function moveNodes(doc: Doc, positions: Readonly<Record<string, { x: number; y: number }>>): void {
  for (const node of doc.nodes) {
    const p = positions[node.id];
    if (!p) continue;
    if (!node.ui) node.ui = { x: p.x, y: p.y };
    else if (node.ui.x !== p.x || node.ui.y !== p.y) {
      node.ui.x = p.x;
      node.ui.y = p.y;
    }
  }
}

function nodeOf(doc: Doc, id: string): Draft<GraphNode> {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`No node "${id}" in the document`);
  return node;
}

export function setParam(doc: Doc, nodeId: string, name: string, value: unknown): void {
  nodeOf(doc, nodeId).params[name] = value as never;
}

export function setTitle(doc: Doc, nodeId: string, title: string | undefined): void {
  const node = nodeOf(doc, nodeId);
  if (title) node.title = title;
  else delete node.title;
}

export function setCollapsed(doc: Doc, nodeId: string, collapsed: boolean): void {
  const node = nodeOf(doc, nodeId);
  node.ui ??= { x: 0, y: 0 };
  if (collapsed) node.ui.collapsed = true;
  else delete node.ui.collapsed;
}

/** Connects, replacing any edge already feeding the same input (one edge per input). */
export function connect(doc: Doc, edge: GraphEdge): void {
  doc.edges = doc.edges.filter((e) => !sameRef(e.to, edge.to));
  doc.edges.push({ from: { ...edge.from }, to: { ...edge.to } });
}

export function disconnect(doc: Doc, to: PortRef): void {
  doc.edges = doc.edges.filter((e) => !sameRef(e.to, to));
}

/** Turns a param into an input socket (ComfyUI's "convert widget to input") or back. */
export function setParamAsInput(doc: Doc, nodeId: string, name: string, asInput: boolean): void {
  const node = nodeOf(doc, nodeId);
  const list = new Set(node.paramInputs ?? []);
  if (asInput) list.add(name);
  else {
    list.delete(name);
    disconnect(doc, { node: nodeId, port: name });
  }
  if (list.size) node.paramInputs = [...list];
  else delete node.paramInputs;
}

export function setZone(doc: Doc, nodeIds: readonly string[], zone: string | undefined): void {
  for (const id of nodeIds) {
    const node = nodeOf(doc, id);
    if (node.type.startsWith('flow/repeat-')) continue; // the pair defines the zone; never re-home it
    if (zone) node.zone = zone;
    else delete node.zone;
  }
}

/**
 * Copies of `nodes` (and the edges among them) with fresh ids, offset by `offset`; used by
 * paste, duplicate and templates. Zone ids of copied repeat pairs are renamed too, so a pasted
 * zone is a new zone rather than a second body of the old one.
 */
export function cloneWithFreshIds(
  doc: GraphDocument,
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  offset: { x: number; y: number },
): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const idMap = new Map<string, string>();
  const taken = new Set<string>();
  for (const node of nodes) {
    const id = freshNodeId(doc, node.id, taken);
    taken.add(id);
    idMap.set(node.id, id);
  }
  const zoneMap = new Map<string, string>();
  const existingZones = new Set(doc.nodes.map((n) => n.zone).filter((z): z is string => !!z));
  for (const node of nodes) {
    if (node.type.startsWith('flow/repeat-') && node.zone && !zoneMap.has(node.zone)) {
      let zone = node.zone;
      for (let i = 2; existingZones.has(zone); i++) zone = `${node.zone}_${i}`;
      existingZones.add(zone);
      zoneMap.set(node.zone, zone);
    }
  }
  const outNodes = nodes.map((node) => {
    const copy: GraphNode = structuredClone(node);
    copy.id = idMap.get(node.id)!;
    copy.ui = { ...(node.ui ?? { x: 0, y: 0 }), x: (node.ui?.x ?? 0) + offset.x, y: (node.ui?.y ?? 0) + offset.y };
    if (copy.zone && zoneMap.has(copy.zone)) copy.zone = zoneMap.get(copy.zone);
    return copy;
  });
  const outEdges = edges
    .filter((e) => idMap.has(e.from.node) && idMap.has(e.to.node))
    .map((e) => ({
      from: { node: idMap.get(e.from.node)!, port: e.from.port },
      to: { node: idMap.get(e.to.node)!, port: e.to.port },
    }));
  return { nodes: outNodes, edges: outEdges };
}
