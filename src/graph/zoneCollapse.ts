/**
 * Collapsed repeat zones. A zone is collapsed when both nodes of its pair carry
 * `ui.collapsed: true`; the editor then draws the whole zone (pair, body, nodes drawn in it) as
 * one box whose ports are the zone's outside inputs and outputs. This module computes that box
 * and the edges drawn to it, and the edit that collapses or expands a zone in place (nodes right
 * of the zone move aside by the zone's width, so an expanded zone overlaps nothing).
 * Pure data: no React, no React Flow.
 */
import type { GraphDocument, GraphEdge, PortRef } from './document.ts';
import type { DocDraft } from './edits.ts';
import { REPEAT_INPUT_TYPE, REPEAT_OUTPUT_TYPE } from './zones.ts';

/** Id of the box drawn for a collapsed zone (no graph node id starts with it: ':' is reserved). */
export const COLLAPSED_ZONE_PREFIX = 'collapsed-zone:';
/** Width the editor gives a collapsed zone's box, plus the gap after it. */
export const COLLAPSED_BOX_SPAN = 260;
/** Width assumed for a node card when measuring a zone from its members' positions. */
const CARD_SPAN = 260;

export interface CollapsedInput {
  /** Handle id on the box: the outside source's `node.port`. */
  key: string;
  label: string;
  /** The inner ports the outside source feeds. */
  targets: PortRef[];
  /** Absent for a required inner input nothing feeds yet (so it can be wired on the box). */
  source?: PortRef;
}

/** Required inputs of a node, for the box's ports of inputs nothing feeds yet. */
export type RequiredInputs = (nodeId: string) => readonly string[];

/** Handle id of a box port standing for an inner input that nothing feeds. */
export const OPEN_INPUT_PREFIX = 'open:';

export interface CollapsedOutput {
  /** Handle id on the box: the inner source's `node.port`. */
  key: string;
  label: string;
  source: PortRef;
}

export interface CollapsedZoneBox {
  id: string;
  zone: string;
  title: string;
  /** The zone's nodes, hidden while it is collapsed. */
  members: string[];
  /** The repeat-output: the node whose progress and live preview the box shows. */
  progressNode: string;
  position: { x: number; y: number };
  inputs: CollapsedInput[];
  outputs: CollapsedOutput[];
}

const keyOf = (r: PortRef) => `${r.node}.${r.port}`;

function pairOf(doc: Pick<GraphDocument, 'nodes'>, zone: string) {
  const input = doc.nodes.find((n) => n.zone === zone && n.type === REPEAT_INPUT_TYPE);
  const output = doc.nodes.find((n) => n.zone === zone && n.type === REPEAT_OUTPUT_TYPE);
  return { input, output };
}

/** Zones (of those in `members`) whose pair is collapsed. One pass: huge graphs have many zones. */
export function collapsedZones(doc: Pick<GraphDocument, 'nodes'>, members: ReadonlyMap<string, readonly string[]>): string[] {
  const ends = new Map<string, number>();
  for (const n of doc.nodes) {
    if (!n.ui?.collapsed || !n.zone || (n.type !== REPEAT_INPUT_TYPE && n.type !== REPEAT_OUTPUT_TYPE)) continue;
    ends.set(n.zone, (ends.get(n.zone) ?? 0) | (n.type === REPEAT_INPUT_TYPE ? 1 : 2));
  }
  return [...members.keys()].filter((zone) => ends.get(zone) === 3);
}

function bounds(doc: Pick<GraphDocument, 'nodes'>, ids: readonly string[]) {
  const set = new Set(ids);
  const nodes = doc.nodes.filter((n) => set.has(n.id));
  const xs = nodes.map((n) => n.ui?.x ?? 0);
  const ys = nodes.map((n) => n.ui?.y ?? 0);
  return { x: Math.min(...xs), y: Math.min(...ys), right: Math.max(...xs) + CARD_SPAN };
}

/** The box of a collapsed zone: its ports are what crosses the zone's boundary. */
export function collapsedZoneBox(doc: Pick<GraphDocument, 'nodes' | 'edges'>, zone: string, members: readonly string[], required?: RequiredInputs): CollapsedZoneBox {
  const inside = new Set(members);
  const { input, output } = pairOf(doc, zone);
  const inputs = new Map<string, CollapsedInput>();
  const outputs = new Map<string, CollapsedOutput>();
  for (const e of doc.edges) {
    const fromIn = inside.has(e.from.node);
    const toIn = inside.has(e.to.node);
    if (toIn && !fromIn) {
      const key = keyOf(e.from);
      // Named after what arrives (a scheduler's "steps", not the repeat-input's "count").
      const port = inputs.get(key) ?? { key, label: e.from.port, targets: [], source: e.from };
      port.targets.push(e.to);
      inputs.set(key, port);
    } else if (fromIn && !toIn && !outputs.has(keyOf(e.from))) {
      outputs.set(keyOf(e.from), { key: keyOf(e.from), label: e.from.port, source: e.from });
    }
  }
  if (required) {
    const fed = new Set(doc.edges.filter((e) => inside.has(e.to.node)).map((e) => keyOf(e.to)));
    for (const id of members) {
      for (const port of required(id)) {
        const ref = { node: id, port };
        if (!fed.has(keyOf(ref))) inputs.set(OPEN_INPUT_PREFIX + keyOf(ref), { key: OPEN_INPUT_PREFIX + keyOf(ref), label: `${port}?`, targets: [ref] });
      }
    }
  }
  const { x, y } = bounds(doc, members);
  const labels = new Set<string>();
  for (const port of inputs.values()) {
    let label = port.label;
    for (let i = 2; labels.has(label); i++) label = `${port.label} ${i}`;
    labels.add(label);
    port.label = label;
  }
  return {
    id: COLLAPSED_ZONE_PREFIX + zone,
    zone,
    title: input?.title ?? output?.title ?? `Repeat zone "${zone}"`,
    members: [...members],
    progressNode: output?.id ?? input?.id ?? members[0],
    position: { x, y },
    inputs: [...inputs.values()],
    outputs: [...outputs.values()],
  };
}

/** The edges as drawn with `boxes` standing for their zones (inner edges hidden, ends moved to boxes). */
export function edgesWithBoxes(edges: readonly GraphEdge[], boxes: readonly CollapsedZoneBox[]): GraphEdge[] {
  if (boxes.length === 0) return [...edges];
  const boxOf = new Map<string, CollapsedZoneBox>();
  for (const box of boxes) for (const id of box.members) boxOf.set(id, box);
  const out: GraphEdge[] = [];
  const seen = new Set<string>();
  for (const e of edges) {
    const a = boxOf.get(e.from.node);
    const b = boxOf.get(e.to.node);
    if (a && a === b) continue;
    const from = a ? { node: a.id, port: keyOf(e.from) } : e.from;
    const to = b ? { node: b.id, port: keyOf(e.from) } : e.to;
    const key = `${keyOf(from)}>${keyOf(to)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ from, to });
  }
  return out;
}

/** A port on a box back to the graph ports it stands for (an input may stand for several). */
export function resolveBoxPort(box: CollapsedZoneBox, port: string, side: 'in' | 'out'): PortRef[] {
  if (side === 'out') {
    const found = box.outputs.find((p) => p.key === port);
    return found ? [found.source] : [];
  }
  return box.inputs.find((p) => p.key === port)?.targets ?? [];
}

/**
 * Collapses or expands `zone` in place. Expanding moves the nodes right of the box to the right
 * by the zone's width less the box's; collapsing moves the nodes right of the zone back.
 */
export function setZoneCollapsed(doc: DocDraft, zone: string, members: readonly string[], collapsed: boolean): void {
  const { input, output } = pairOf(doc, zone);
  if (!input || !output) throw new Error(`Repeat zone "${zone}" has no repeat-input/repeat-output pair`);
  if (!!input.ui?.collapsed === collapsed && !!output.ui?.collapsed === collapsed) return;
  const inside = new Set(members);
  const { x, right } = bounds(doc, members);
  const shift = Math.max(0, right - x - COLLAPSED_BOX_SPAN);
  const edge = collapsed ? right : x + COLLAPSED_BOX_SPAN;
  for (const n of doc.nodes) {
    if (inside.has(n.id) || !n.ui || n.ui.x < edge - CARD_SPAN / 4) continue;
    n.ui.x += collapsed ? -shift : shift;
  }
  for (const n of [input, output]) {
    n.ui ??= { x: 0, y: 0 };
    if (collapsed) n.ui.collapsed = true;
    else delete n.ui.collapsed;
  }
}
