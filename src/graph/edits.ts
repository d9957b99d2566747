/**
 * Edit operations on a graph document, written as immer recipes: each takes a draft (or any
 * mutable document) and changes it in place, returning nothing, so the editor can run it through
 * `produceWithPatches` and keep the inverse patches for undo/redo:
 *
 *   const [next, patches, inverse] = produceWithPatches(doc, (d) => connect(d, edge));
 *
 * Each keeps the document's invariants: node ids are unique, an input has at most one edge, and
 * no edge names a node that is gone. A recipe given a node id that does not exist throws an Error
 * naming it (immer then discards the half-made change).
 *
 * Repeat-zone grouping lives in zoneEdits.ts.
 */
import { current, isDraft, type Draft } from 'immer';
import type { GraphDocument, GraphEdge, GraphNode, PortRef } from './document.ts';

export type DocDraft = Draft<GraphDocument> | GraphDocument;
type NodeDraft = Draft<GraphNode> | GraphNode;

/** A detached plain copy, whether `value` is plain data or part of an immer draft. */
function detached<T>(value: T): T {
  return isDraft(value) ? (current(value as Draft<T>) as T) : structuredClone(value);
}

export function sameRef(a: PortRef, b: PortRef): boolean {
  return a.node === b.node && a.port === b.port;
}

export function findNode(doc: DocDraft, id: string): NodeDraft {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`No node "${id}" in the graph`);
  return node;
}

/** An id no node uses yet: `base`, else `base_2`, `base_3`, … */
export function freshId(doc: Pick<GraphDocument, 'nodes'>, base: string): string {
  const used = new Set(doc.nodes.map((n) => n.id));
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** Adds a node (a copy of `node`); its id must be new. */
export function addNode(doc: DocDraft, node: GraphNode): void {
  if (doc.nodes.some((n) => n.id === node.id)) throw new Error(`A node with id "${node.id}" already exists`);
  doc.nodes.push(detached(node));
}

/** Removes nodes and every edge touching them. Unknown ids are ignored (already gone). */
export function removeNodes(doc: DocDraft, ids: readonly string[]): void {
  const gone = new Set(ids);
  if (!doc.nodes.some((n) => gone.has(n.id))) return;
  doc.nodes = doc.nodes.filter((n) => !gone.has(n.id));
  doc.edges = doc.edges.filter((e) => !gone.has(e.from.node) && !gone.has(e.to.node));
}

export function removeNode(doc: DocDraft, id: string): void {
  removeNodes(doc, [id]);
}

/**
 * Wires `edge.from` to `edge.to`, replacing whatever fed that input before (an input takes one
 * edge). Whether the connection is allowed is `checkConnection`'s question, asked beforehand.
 */
export function connect(doc: DocDraft, edge: GraphEdge): void {
  findNode(doc, edge.from.node);
  findNode(doc, edge.to.node);
  const existing = doc.edges.findIndex((e) => sameRef(e.to, edge.to));
  const fresh = { from: { node: edge.from.node, port: edge.from.port }, to: { node: edge.to.node, port: edge.to.port } };
  if (existing === -1) doc.edges.push(fresh);
  else if (!sameRef(doc.edges[existing].from, edge.from)) doc.edges[existing] = fresh;
}

/** Removes the edge into input `to` (only if it comes from `from`, when given). */
export function disconnect(doc: DocDraft, to: PortRef, from?: PortRef): void {
  const keep = doc.edges.filter((e) => !(sameRef(e.to, to) && (from === undefined || sameRef(e.from, from))));
  if (keep.length !== doc.edges.length) doc.edges = keep;
}

/** Sets a param; `undefined` removes it so the node type's default applies. */
export function setParam(doc: DocDraft, nodeId: string, name: string, value: unknown): void {
  const node = findNode(doc, nodeId);
  if (value === undefined) delete node.params[name];
  else node.params[name] = detached(value) as never;
}

export function moveNode(doc: DocDraft, nodeId: string, x: number, y: number): void {
  moveNodes(doc, { [nodeId]: { x, y } });
}

/** Moves several nodes at once (one undo step for a dragged selection). */
export function moveNodes(doc: DocDraft, positions: Readonly<Record<string, { x: number; y: number }>>): void {
  for (const id of Object.keys(positions)) findNode(doc, id);
  for (const node of doc.nodes) {
    if (!Object.hasOwn(positions, node.id)) continue;
    const { x, y } = positions[node.id];
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`Node "${node.id}": position must be finite, got (${x}, ${y})`);
    if (!node.ui) node.ui = { x, y };
    else if (node.ui.x !== x || node.ui.y !== y) {
      node.ui.x = x;
      node.ui.y = y;
    }
  }
}

/** Sets the title shown on the node; empty or undefined goes back to the type's title. */
export function setTitle(doc: DocDraft, nodeId: string, title: string | undefined): void {
  const node = findNode(doc, nodeId);
  if (title) node.title = title;
  else delete node.title;
}

/** Changes a node's id and every edge that names it. */
export function renameNode(doc: DocDraft, oldId: string, newId: string): void {
  if (oldId === newId) return;
  if (newId === '') throw new Error('A node id cannot be empty');
  if (doc.nodes.some((n) => n.id === newId)) throw new Error(`Cannot rename "${oldId}" to "${newId}": that id is taken`);
  findNode(doc, oldId).id = newId;
  for (const edge of doc.edges) {
    if (edge.from.node === oldId) edge.from.node = newId;
    if (edge.to.node === oldId) edge.to.node = newId;
  }
}

/** Turns a param into an input socket (ComfyUI's "convert widget to input"); an edge into it overrides the param. */
export function paramToInput(doc: DocDraft, nodeId: string, name: string): void {
  const node = findNode(doc, nodeId);
  const list = node.paramInputs ?? [];
  if (list.includes(name)) return;
  node.paramInputs = [...list, name];
}

/** Turns a param input back into a widget, removing the edge into it. */
export function inputToParam(doc: DocDraft, nodeId: string, name: string): void {
  const node = findNode(doc, nodeId);
  if (!node.paramInputs?.includes(name)) return;
  const rest = node.paramInputs.filter((p) => p !== name);
  if (rest.length > 0) node.paramInputs = rest;
  else delete node.paramInputs;
  disconnect(doc, { node: nodeId, port: name });
}
