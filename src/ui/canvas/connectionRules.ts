/**
 * Whether a wire may be drawn, with the reason when not. Same rules as the loader/validator:
 * ports must exist, types must be assignable (`isAssignable`), the graph must stay acyclic, and a
 * value may leave a repeat zone only through its repeat-output. Connecting into an input that
 * already has an edge is allowed: the new edge replaces the old one (one edge per input).
 */
import type { GraphDocument, PortRef } from '../../graph/document.ts';
import { isAssignable } from '../../graph/portTypes.ts';
import { reachable } from '../../graph/topology.ts';
import { analyzeZones } from '../../graph/zones.ts';
import type { NodeCatalog } from '../catalog.ts';

export type ConnectionCheck = { ok: true; replaces?: PortRef } | { ok: false; reason: string };

export function checkConnection(
  doc: Pick<GraphDocument, 'nodes' | 'edges'>,
  catalog: NodeCatalog,
  from: PortRef,
  to: PortRef,
): ConnectionCheck {
  const source = doc.nodes.find((n) => n.id === from.node);
  const target = doc.nodes.find((n) => n.id === to.node);
  if (!source) return { ok: false, reason: `No node "${from.node}"` };
  if (!target) return { ok: false, reason: `No node "${to.node}"` };
  if (source.id === target.id) return { ok: false, reason: `A node cannot feed itself ("${source.id}")` };
  const out = catalog.portsOf(source).outputs[from.port];
  if (!out) return { ok: false, reason: `"${source.id}" has no output "${from.port}"` };
  const inp = catalog.portsOf(target).inputs[to.port];
  if (!inp) return { ok: false, reason: `"${target.id}" has no input "${to.port}"` };
  if (!isAssignable(out.type, inp.type)) {
    return { ok: false, reason: `Type mismatch: ${source.id}.${from.port} gives ${out.type}, ${target.id}.${to.port} takes ${inp.type}` };
  }
  const others = doc.edges.filter((e) => !(e.to.node === to.node && e.to.port === to.port));
  if (reachable([target.id], others, 'down').has(source.id)) {
    return { ok: false, reason: `That would make a cycle: "${target.id}" already feeds "${source.id}"` };
  }
  const zones = analyzeZones({ nodes: doc.nodes, edges: [...others, { from, to }] });
  const crossing = zones.issues.find((i) => i.code === 'zone-crossing' && i.node === to.node && i.port === to.port);
  if (crossing) return { ok: false, reason: crossing.message };
  const existing = doc.edges.find((e) => e.to.node === to.node && e.to.port === to.port);
  return existing ? { ok: true, replaces: existing.from } : { ok: true };
}
