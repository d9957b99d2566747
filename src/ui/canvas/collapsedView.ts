/**
 * The canvas's view of collapsed repeat zones: which cards are hidden, the box drawn for each
 * collapsed zone (a React Flow node of type 'collapsedZone'), and how a wire end on a box maps
 * back to graph ports. The graph logic is src/graph/zoneCollapse.ts; this adds port types and
 * React Flow shapes.
 */
import { Position, type Node, type NodeHandle } from '@xyflow/react';
import type { GraphDocument, PortRef } from '../../graph/document.ts';
import type { PortMap } from '../../graph/nodeSpec.ts';
import { collapsedZoneBox, collapsedZones, resolveBoxPort, type CollapsedZoneBox, type RequiredInputs } from '../../graph/zoneCollapse.ts';
import type { NodeCatalog } from '../catalog.ts';

export interface CollapsedZoneData extends Record<string, unknown> {
  box: CollapsedZoneBox;
  inputs: PortMap;
  outputs: PortMap;
}
export type CollapsedZoneNode = Node<CollapsedZoneData, 'collapsedZone'>;

export interface CollapsedView {
  boxes: CollapsedZoneBox[];
  /** Cards not drawn: the members of collapsed zones. */
  hidden: ReadonlySet<string>;
  byId: ReadonlyMap<string, CollapsedZoneBox>;
}

export const NO_COLLAPSED: CollapsedView = { boxes: [], hidden: new Set(), byId: new Map() };

/** Required inputs of a node of `doc` (the box offers those nothing feeds). */
function requiredInputs(doc: GraphDocument, catalog: NodeCatalog): RequiredInputs {
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  return (id) => {
    const node = byId.get(id);
    return node ? Object.entries(catalog.portsOf(node).inputs).filter(([, spec]) => !spec.optional).map(([name]) => name) : [];
  };
}

export function collapsedView(doc: GraphDocument, members: ReadonlyMap<string, readonly string[]>, catalog?: NodeCatalog): CollapsedView {
  const zones = collapsedZones(doc, members);
  if (zones.length === 0) return NO_COLLAPSED;
  const required = catalog ? requiredInputs(doc, catalog) : undefined;
  const boxes = zones.map((z) => collapsedZoneBox(doc, z, members.get(z)!, required));
  return { boxes, hidden: new Set(boxes.flatMap((b) => b.members)), byId: new Map(boxes.map((b) => [b.id, b])) };
}

/** Type of a node's output port in `doc`, if the node and port exist. */
export function outputType(doc: GraphDocument, catalog: NodeCatalog, ref: PortRef): string | undefined {
  const node = doc.nodes.find((n) => n.id === ref.node);
  return node ? catalog.portsOf(node).outputs[ref.port]?.type : undefined;
}

function inputType(doc: GraphDocument, catalog: NodeCatalog, ref: PortRef | undefined): string | undefined {
  const node = ref && doc.nodes.find((n) => n.id === ref.node);
  return node ? catalog.portsOf(node).inputs[ref!.port]?.type : undefined;
}

/** Ports of a box: labelled after the inner ports, typed after the values crossing. */
export function boxPorts(box: CollapsedZoneBox, doc: GraphDocument, catalog: NodeCatalog): { inputs: PortMap; outputs: PortMap } {
  const inputs: PortMap = {};
  const outputs: PortMap = {};
  for (const p of box.inputs) {
    const into = p.targets.map((t) => `${t.node}.${t.port}`).join(', ');
    const type = p.source ? outputType(doc, catalog, p.source) : inputType(doc, catalog, p.targets[0]);
    inputs[p.key] = { type: (type ?? 'ANY') as never, label: p.label, description: p.source ? `from ${p.source.node}.${p.source.port} into ${into}` : `${into}: not connected` };
  }
  for (const p of box.outputs) outputs[p.key] = { type: (outputType(doc, catalog, p.source) ?? 'ANY') as never, label: p.label, description: `${p.source.node}.${p.source.port}` };
  return { inputs, outputs };
}

const BOX_WIDTH = 240;
const FIRST_HANDLE_Y = 53;
const ROW = 20;
const HANDLE = 10;

export function buildBoxNodes(view: CollapsedView, doc: GraphDocument, catalog: NodeCatalog): CollapsedZoneNode[] {
  return view.boxes.map((box) => {
    const ports = boxPorts(box, doc, catalog);
    const handle = (id: string, i: number, type: 'source' | 'target'): NodeHandle => ({
      id, type, position: type === 'source' ? Position.Right : Position.Left,
      x: type === 'source' ? BOX_WIDTH - HANDLE / 2 : -HANDLE / 2, y: FIRST_HANDLE_Y + ROW * i - HANDLE / 2, width: HANDLE, height: HANDLE,
    });
    const ins = Object.keys(ports.inputs);
    const outs = Object.keys(ports.outputs);
    return {
      id: box.id,
      type: 'collapsedZone',
      position: box.position,
      data: { box, ...ports },
      zIndex: 1,
      initialWidth: BOX_WIDTH,
      initialHeight: FIRST_HANDLE_Y + ROW * Math.max(ins.length, outs.length) + 40,
      handles: [...ins.map((id, i) => handle(id, i, 'target')), ...outs.map((id, i) => handle(id, i, 'source'))],
    };
  });
}

/** A wire end as graph ports: a box's port stands for the inner ports behind it. */
export function graphRefs(view: CollapsedView, ref: PortRef, side: 'in' | 'out'): PortRef[] {
  const box = view.byId.get(ref.node);
  return box ? resolveBoxPort(box, ref.port, side) : [ref];
}
