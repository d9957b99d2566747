/**
 * Repeat-zone edit operations (immer recipes, like edits.ts): group selected nodes into a new
 * zone, and ungroup a zone back into plain nodes.
 */
import type { GraphEdge, GraphNode, PortRef } from './document.ts';
import { findNode, freshId, sameRef, type DocDraft } from './edits.ts';
import { resolvePorts, type PortListItem } from './nodeSpec.ts';
import { isPortType, type PortType } from './portTypes.ts';
import type { NodeRegistry } from './registry.ts';
import { REPEAT_INPUT_TYPE, REPEAT_OUTPUT_TYPE, REPEAT_RESERVED_PORTS } from './zones.ts';

export interface GroupOptions {
  /** Ids for the zone and its repeat nodes; default: `groupIds(doc)`. */
  ids?: GroupIds;
  /** Resolves the types of values that leave the selection (their state items); unknown → ANY. */
  registry?: NodeRegistry;
  /** Horizontal gap between the selection and the repeat nodes, in canvas units. */
  margin?: number;
}

export interface GroupIds {
  zoneId: string;
  inputId: string;
  outputId: string;
}

function isRepeatNode(node: GraphNode): boolean {
  return node.type === REPEAT_INPUT_TYPE || node.type === REPEAT_OUTPUT_TYPE;
}

function outputType(doc: DocDraft, ref: PortRef, registry: NodeRegistry | undefined): PortType {
  const node = doc.nodes.find((n) => n.id === ref.node);
  const def = node && registry?.get(node.type);
  if (!node || !def) return 'ANY';
  const type = resolvePorts(def, node.params as Record<string, unknown>, node.paramInputs ?? []).outputs[ref.port]?.type;
  return isPortType(type) ? type : 'ANY';
}

function freshZoneId(doc: Pick<DocDraft, 'nodes'>): string {
  const used = new Set(doc.nodes.map((n) => n.zone).filter((z) => z !== undefined));
  if (!used.has('zone')) return 'zone';
  for (let i = 2; ; i++) if (!used.has(`zone_${i}`)) return `zone_${i}`;
}

/**
 * Fresh ids for a new zone: the first free of `zone`, `zone_2`, … and `<zone>_input` /
 * `<zone>_output`. The editor calls it before grouping when it needs to know them (an immer
 * recipe returns nothing) and passes them in `GroupOptions.ids`.
 */
export function groupIds(doc: Pick<DocDraft, 'nodes'>, zoneId?: string): GroupIds {
  const zone = zoneId ?? freshZoneId(doc);
  const inputId = freshId(doc, `${zone}_input`);
  const outputId = freshId({ nodes: [...doc.nodes, { id: inputId } as GraphNode] }, `${zone}_output`);
  return { zoneId: zone, inputId, outputId };
}

/**
 * Puts the selected nodes in a new repeat zone: adds a repeat-input left of them and a
 * repeat-output right of them (same zone id), and marks them with the zone. Values that left the
 * selection now leave through the repeat-output: each distinct source port becomes a state item
 * of the zone (named after the port), so the graph has no zone crossing afterwards. The count and
 * the state's initial values are left for the user to wire.
 */
export function groupIntoZone(doc: DocDraft, nodeIds: readonly string[], options: GroupOptions = {}): void {
  if (nodeIds.length === 0) throw new Error('Select at least one node to group into a repeat zone');
  const selected = new Set<string>();
  for (const id of nodeIds) {
    const node = findNode(doc, id);
    if (isRepeatNode(node)) throw new Error(`Node "${id}" is a repeat node; zones cannot be nested or merged`);
    if (node.zone !== undefined) throw new Error(`Node "${id}" is already in zone "${node.zone}"`);
    selected.add(id);
  }
  const { zoneId, inputId, outputId } = options.ids ?? groupIds(doc);
  if (doc.nodes.some((n) => n.zone === zoneId)) throw new Error(`Zone id "${zoneId}" is already used`);
  for (const id of [inputId, outputId]) {
    if (doc.nodes.some((n) => n.id === id) || inputId === outputId) throw new Error(`Node id "${id}" for the repeat node is taken`);
  }

  // Each distinct source port whose value leaves the selection becomes one state item.
  const state: PortListItem[] = [];
  const itemOfSource = new Map<string, string>();
  const taken = new Set(REPEAT_RESERVED_PORTS);
  const rewired: GraphEdge[] = [];
  for (const edge of doc.edges) {
    if (!selected.has(edge.from.node) || selected.has(edge.to.node)) {
      rewired.push(edge);
      continue;
    }
    const key = `${edge.from.node}\u0000${edge.from.port}`;
    let name = itemOfSource.get(key);
    if (name === undefined) {
      name = edge.from.port;
      for (let i = 2; taken.has(name); i++) name = `${edge.from.port}_${i}`;
      taken.add(name);
      itemOfSource.set(key, name);
      state.push({ name, type: outputType(doc, edge.from, options.registry) });
      rewired.push({ from: { ...edge.from }, to: { node: outputId, port: name } });
    }
    rewired.push({ from: { node: outputId, port: name }, to: { ...edge.to } });
  }

  const placed = doc.nodes.filter((n) => selected.has(n.id) && n.ui);
  const margin = options.margin ?? 240;
  const xs = placed.map((n) => n.ui!.x);
  const ys = placed.map((n) => n.ui!.y);
  const left = xs.length ? Math.min(...xs) - margin : 0;
  const right = xs.length ? Math.max(...xs) + margin : 2 * margin;
  const y = ys.length ? (Math.min(...ys) + Math.max(...ys)) / 2 : 0;

  for (const node of doc.nodes) if (selected.has(node.id)) node.zone = zoneId;
  doc.nodes.push(
    { id: inputId, type: REPEAT_INPUT_TYPE, version: 1, zone: zoneId, params: { state: state.map((s) => ({ ...s })) }, ui: { x: left, y } },
    { id: outputId, type: REPEAT_OUTPUT_TYPE, version: 1, zone: zoneId, params: { state: state.map((s) => ({ ...s })) }, ui: { x: right, y } },
  );
  if (rewired.length !== doc.edges.length || state.length > 0) doc.edges = rewired;
}

/**
 * Dissolves a zone: removes its repeat-input and repeat-output, wires what fed each state item
 * straight to what read it (so the body runs once, on the initial state), drops the iteration
 * index edges, and clears the zone mark of the body nodes.
 */
export function ungroupZone(doc: DocDraft, zoneId: string): void {
  const inputs = doc.nodes.filter((n) => n.zone === zoneId && n.type === REPEAT_INPUT_TYPE);
  const outputs = doc.nodes.filter((n) => n.zone === zoneId && n.type === REPEAT_OUTPUT_TYPE);
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new Error(`Zone "${zoneId}" needs exactly one repeat-input and one repeat-output to ungroup (found ${inputs.length} and ${outputs.length})`);
  }
  const pair = new Set([inputs[0].id, outputs[0].id]);
  const feeding = (ref: PortRef) => doc.edges.find((e) => sameRef(e.to, ref))?.from;
  const next: GraphEdge[] = [];
  for (const edge of doc.edges) {
    if (pair.has(edge.to.node)) continue;
    if (!pair.has(edge.from.node)) {
      next.push(edge);
      continue;
    }
    // A state value read from a repeat node: bypass it to whatever fed the same item.
    const source = feeding({ node: edge.from.node, port: edge.from.port });
    if (source && !pair.has(source.node)) next.push({ from: { ...source }, to: { ...edge.to } });
    else if (source && edge.from.node === outputs[0].id && source.node === inputs[0].id) {
      const initial = feeding({ node: inputs[0].id, port: source.port });
      if (initial) next.push({ from: { ...initial }, to: { ...edge.to } });
    }
  }
  doc.nodes = doc.nodes.filter((n) => !pair.has(n.id));
  for (const node of doc.nodes) if (node.zone === zoneId) delete node.zone;
  doc.edges = next;
}
