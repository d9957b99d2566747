/**
 * Whether a wire may be drawn, with the reason when not: the graph layer's `checkConnection`
 * (the loader's own rules: `isAssignable`, no cycles, zone exits, one edge per input) run
 * against the editor's catalog. Connecting into an input that already has an edge is allowed:
 * the new edge replaces the old one.
 */
import type { GraphDocument, PortRef } from '../../graph/document.ts';
import { checkConnection as checkGraphConnection } from '../../graph/connection.ts';
import type { NodeCatalog } from '../catalog.ts';

export type ConnectionCheck = { ok: true; replaces?: PortRef } | { ok: false; reason: string };

export function checkConnection(doc: GraphDocument, catalog: NodeCatalog, from: PortRef, to: PortRef): ConnectionCheck {
  const r = checkGraphConnection(doc, catalog.registry, from, to);
  if (!r.isValid) return { ok: false, reason: r.reason };
  return r.replaces ? { ok: true, replaces: r.replaces.from } : { ok: true };
}
