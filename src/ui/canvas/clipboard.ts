/** Copy/paste of node selections as a small JSON fragment (also readable by other tabs). */
import type { GraphDocument, GraphEdge, GraphNode } from '../../graph/document.ts';

export const CLIPBOARD_KIND = 'latentloom.fragment';

export interface Fragment {
  kind: typeof CLIPBOARD_KIND;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function copyFragment(doc: GraphDocument, ids: ReadonlySet<string>): Fragment {
  return {
    kind: CLIPBOARD_KIND,
    nodes: doc.nodes.filter((n) => ids.has(n.id)).map((n) => structuredClone(n)),
    edges: doc.edges.filter((e) => ids.has(e.from.node) && ids.has(e.to.node)).map((e) => structuredClone(e)),
  };
}

/** A fragment from pasted text (whole graph documents are opened by the app, not pasted in). */
export function parseFragment(text: string): Fragment | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (v.kind === CLIPBOARD_KIND && Array.isArray(v.nodes) && Array.isArray(v.edges ?? [])) {
    const nodes = (v.nodes as GraphNode[]).filter((n) => n && typeof n.id === 'string' && typeof n.type === 'string');
    const edges = ((v.edges ?? []) as GraphEdge[]).filter((e) => e?.from?.node && e?.to?.node);
    return { kind: CLIPBOARD_KIND, nodes, edges };
  }
  return undefined;
}
