/**
 * Subgraph edits (immer recipes, like edits.ts): make a subgraph node from a selection, and
 * unpack one back into its nodes. Edges crossing the selection's boundary become the subgraph's
 * exposed ports: one input per outside source (feeding every inner port it fed), one output per
 * inner source read outside. Unpacking restores the inner ids (renamed only where the graph
 * already uses one) and positions (moved by however far the subgraph node was dragged).
 */
import { current, isDraft, type Draft } from 'immer';
import { SUBGRAPH_TYPE, type GraphDocument, type GraphEdge, type GraphNode, type PortRef, type SubgraphBody, type SubgraphInput, type SubgraphOutput } from './document.ts';
import { freshId, type DocDraft } from './edits.ts';
import { isSubgraphNode } from './subgraphs.ts';
import { REPEAT_INPUT_TYPE, REPEAT_OUTPUT_TYPE } from './zones.ts';

/** The type of an output (`side` 'out') or input port, when known; exposed ports record it. */
export type PortTypeOf = (ref: PortRef, side: 'in' | 'out') => string | undefined;

export interface MakeSubgraphOptions {
  id?: string;
  title?: string;
  portType?: PortTypeOf;
}

function plain<T>(value: T): T {
  return isDraft(value) ? structuredClone(current(value as Draft<T>) as T) : structuredClone(value);
}

const refKey = (r: PortRef) => `${r.node}\u0000${r.port}`;

function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
  used.add(name);
  return name;
}

/** Zones must stay whole: a selection takes all of a zone's drawn nodes, or none of them. */
function checkZones(doc: DocDraft, inside: ReadonlySet<string>): void {
  const zoneOf = (n: GraphNode) => n.zone;
  const split = new Set<string>();
  const zonesIn = new Set(doc.nodes.filter((n) => inside.has(n.id) && zoneOf(n)).map((n) => n.zone!));
  for (const n of doc.nodes) if (n.zone && zonesIn.has(n.zone) && !inside.has(n.id)) split.add(n.zone);
  if (split.size > 0) {
    throw new Error(`The selection takes part of repeat zone "${[...split][0]}": select the whole zone (its repeat-input, repeat-output and body) or none of it`);
  }
  const pair = doc.nodes.filter((n) => inside.has(n.id) && (n.type === REPEAT_INPUT_TYPE || n.type === REPEAT_OUTPUT_TYPE) && !n.zone);
  if (pair.length > 0) throw new Error(`Repeat node "${pair[0].id}" has no zone id and cannot go into a subgraph`);
}

/** Replaces the nodes `ids` by one subgraph node holding them; returns the new node's id. */
export function makeSubgraph(doc: DocDraft, ids: readonly string[], options: MakeSubgraphOptions = {}): string {
  const inside = new Set(ids);
  const chosen = doc.nodes.filter((n) => inside.has(n.id));
  if (chosen.length === 0) throw new Error('Select at least one node to make a subgraph');
  for (const id of inside) if (!doc.nodes.some((n) => n.id === id)) throw new Error(`No node "${id}" in the graph`);
  checkZones(doc, inside);
  const id = options.id ?? freshId(doc, 'subgraph');
  if (doc.nodes.some((n) => n.id === id)) throw new Error(`A node with id "${id}" already exists`);
  const portType = options.portType ?? (() => undefined);

  const innerEdges: GraphEdge[] = [];
  const inputs: SubgraphInput[] = [];
  const outputs: SubgraphOutput[] = [];
  const outerEdges: GraphEdge[] = [];
  const inputBySource = new Map<string, SubgraphInput>();
  const outputBySource = new Map<string, SubgraphOutput>();
  const inNames = new Set<string>();
  const outNames = new Set<string>();
  for (const edge of doc.edges) {
    const e = plain(edge);
    const fromIn = inside.has(e.from.node);
    const toIn = inside.has(e.to.node);
    if (fromIn && toIn) innerEdges.push(e);
    else if (toIn) {
      let port = inputBySource.get(refKey(e.from));
      if (!port) {
        port = { name: uniqueName(e.to.port, inNames), type: portType(e.from, 'out') ?? portType(e.to, 'in') ?? 'ANY', to: [] };
        inputBySource.set(refKey(e.from), port);
        inputs.push(port);
        outerEdges.push({ from: e.from, to: { node: id, port: port.name } });
      }
      port.to.push(e.to);
    } else if (fromIn) {
      let port = outputBySource.get(refKey(e.from));
      if (!port) {
        port = { name: uniqueName(e.from.port, outNames), type: portType(e.from, 'out') ?? 'ANY', from: e.from };
        outputBySource.set(refKey(e.from), port);
        outputs.push(port);
      }
      outerEdges.push({ from: { node: id, port: port.name }, to: e.to });
    } else outerEdges.push(e);
  }
  const nodes = chosen.map((n) => plain(n));
  const x = Math.min(...nodes.map((n) => n.ui?.x ?? 0));
  const y = Math.min(...nodes.map((n) => n.ui?.y ?? 0));
  const node: GraphNode = {
    id,
    type: SUBGRAPH_TYPE,
    version: 1,
    params: {},
    title: options.title ?? 'Subgraph',
    ui: { x, y },
    subgraph: { nodes, edges: innerEdges, inputs, outputs },
  };
  const at = doc.nodes.findIndex((n) => inside.has(n.id));
  const rest = doc.nodes.filter((n) => !inside.has(n.id));
  rest.splice(at, 0, node as Draft<GraphNode>);
  doc.nodes = rest;
  doc.edges = outerEdges;
  return id;
}

/** Width assumed for a node card when making room for an unpacked subgraph. */
const CARD_SPAN = 260;

/**
 * Puts the nodes of subgraph `id` back in the graph in its place; returns their ids. With
 * `makeRoom`, nodes from the subgraph's column rightwards move right by the inside's width, so
 * a compact layout (the subgraph as one card) opens up without overlaps.
 */
export function unpackSubgraph(doc: DocDraft, id: string, options: { makeRoom?: boolean } = {}): string[] {
  const index = doc.nodes.findIndex((n) => n.id === id);
  if (index < 0) throw new Error(`No node "${id}" in the graph`);
  const sg = plain(doc.nodes[index]) as GraphNode;
  if (!isSubgraphNode(sg) || !sg.subgraph) throw new Error(`Node "${id}" is not a subgraph`);
  const body = sg.subgraph;
  const others: Pick<GraphDocument, 'nodes'> = { nodes: doc.nodes.filter((n) => n.id !== id) as GraphNode[] };
  const rename = new Map<string, string>();
  for (const n of body.nodes) {
    const next = freshId(others, n.id);
    rename.set(n.id, next);
    others.nodes.push({ ...n, id: next });
  }
  // An inner zone id another zone of the graph already uses gets a fresh one.
  const zonesUsed = new Set(doc.nodes.filter((n) => n.id !== id && n.zone).map((n) => n.zone!));
  const zoneRename = new Map<string, string>();
  for (const n of body.nodes) {
    if (!n.zone || zoneRename.has(n.zone)) continue;
    let zone = n.zone;
    for (let i = 2; zonesUsed.has(zone); i++) zone = `${n.zone}_${i}`;
    zonesUsed.add(zone);
    zoneRename.set(n.zone, zone);
  }
  const left = Math.min(...body.nodes.map((n) => n.ui?.x ?? 0));
  const top = Math.min(...body.nodes.map((n) => n.ui?.y ?? 0));
  const dx = (sg.ui?.x ?? left) - left;
  const dy = (sg.ui?.y ?? top) - top;
  const ref = (r: PortRef): PortRef => ({ node: rename.get(r.node) ?? r.node, port: r.port });
  const nodes = body.nodes.map((n): GraphNode => ({
    ...n,
    id: rename.get(n.id)!,
    ...(n.zone ? { zone: zoneRename.get(n.zone)! } : {}),
    ...(n.ui ? { ui: { ...n.ui, x: n.ui.x + dx, y: n.ui.y + dy } } : {}),
  }));
  const inputs = new Map(body.inputs.map((p) => [p.name, p.to.map(ref)]));
  const outputs = new Map(body.outputs.map((p) => [p.name, ref(p.from)]));
  const edges: GraphEdge[] = body.edges.map((e) => ({ from: ref(e.from), to: ref(e.to) }));
  const outer: GraphEdge[] = [];
  for (const edge of doc.edges) {
    const e = plain(edge);
    if (e.to.node === id) for (const to of inputs.get(e.to.port) ?? []) outer.push({ from: e.from.node === id ? outputs.get(e.from.port)! : e.from, to });
    else if (e.from.node === id) {
      const from = outputs.get(e.from.port);
      if (from) outer.push({ from, to: e.to });
    } else outer.push(e);
  }
  const list = doc.nodes.filter((n) => n.id !== id);
  if (options.makeRoom && sg.ui && body.nodes.length > 0) {
    const width = Math.max(...body.nodes.map((n) => n.ui?.x ?? 0)) - left + CARD_SPAN;
    for (const n of list) if (n.ui && n.ui.x >= sg.ui.x) n.ui.x += width;
  }
  list.splice(index, 0, ...(nodes as Draft<GraphNode>[]));
  doc.nodes = list;
  doc.edges = [...outer, ...edges];
  return nodes.map((n) => n.id);
}

/**
 * Keeps a subgraph's exposed ports true to its inside after an edit there: an exposed input no
 * longer feeds inner ports that are gone or now wired inside (a new wire replaces the old one, as
 * on the canvas), and an exposed output whose inner node is gone is removed. Returns the names of
 * the outputs removed, so the caller can drop the edges that read them.
 */
export function reconcileExposedPorts(body: SubgraphBody | Draft<SubgraphBody>): Set<string> {
  const ids = new Set(body.nodes.map((n) => n.id));
  const wired = new Set(body.edges.map((e) => refKey(e.to)));
  for (const port of body.inputs) {
    const kept = port.to.filter((t) => ids.has(t.node) && !wired.has(refKey(t)));
    if (kept.length !== port.to.length) port.to = kept;
  }
  const removed = new Set(body.outputs.filter((p) => !ids.has(p.from.node)).map((p) => p.name));
  if (removed.size > 0) body.outputs = body.outputs.filter((p) => !removed.has(p.name));
  return removed;
}
