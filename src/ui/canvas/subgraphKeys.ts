/**
 * Ctrl+G / Ctrl+Shift+G: the selection becomes one subgraph node; selected subgraph nodes are
 * unpacked back. A collapsed zone's box stands for all of the zone's nodes. A refusal (half a
 * zone selected, say) is a toast saying why; the document is left as it was.
 */
import type { GraphDocument } from '../../graph/document.ts';
import { makeSubgraph, unpackSubgraph } from '../../graph/subgraphEdits.ts';
import { isSubgraphNode } from '../../graph/subgraphs.ts';
import { COLLAPSED_ZONE_PREFIX } from '../../graph/zoneCollapse.ts';
import { REPEAT_INPUT_TYPE } from '../../graph/zones.ts';
import type { NodeCatalog } from '../catalog.ts';
import type { EditorStore } from '../store/editorStore.ts';
import { zoneMembers } from './flowModel.ts';

type Toast = (message: string, kind?: 'error' | 'info') => void;

/** Selected ids with each collapsed zone's box replaced by the zone's nodes. */
export function expandBoxes(doc: GraphDocument, ids: readonly string[]): string[] {
  if (!ids.some((id) => id.startsWith(COLLAPSED_ZONE_PREFIX))) return [...ids];
  const members = zoneMembers(doc);
  return ids.flatMap((id) => (id.startsWith(COLLAPSED_ZONE_PREFIX) ? members.get(id.slice(COLLAPSED_ZONE_PREFIX.length)) ?? [] : [id]));
}

export function groupSelection(store: EditorStore, doc: GraphDocument, catalog: NodeCatalog, selected: readonly string[], toast: Toast): void {
  const ids = expandBoxes(doc, selected);
  if (ids.length === 0) return toast('Select the nodes to put in a subgraph first', 'error');
  const portType = (ref: { node: string; port: string }, side: 'in' | 'out') => {
    const node = doc.nodes.find((n) => n.id === ref.node);
    if (!node) return undefined;
    const ports = catalog.portsOf(node);
    return (side === 'out' ? ports.outputs : ports.inputs)[ref.port]?.type;
  };
  // A whole zone inside reads best named after it.
  const zone = doc.nodes.find((n) => ids.includes(n.id) && n.type === REPEAT_INPUT_TYPE);
  const title = zone?.title ?? (zone ? `Zone ${zone.zone}` : 'Subgraph');
  try {
    let made = '';
    store.edit(`Make subgraph of ${ids.length} node(s)`, (d) => void (made = makeSubgraph(d, ids, { portType, title })));
    toast(`Made subgraph "${made}" of ${ids.length} node(s): double-click to open it, Ctrl+Shift+G to unpack`, 'info');
  } catch (error) {
    toast(`Cannot make a subgraph: ${error instanceof Error ? error.message : String(error)}`, 'error');
  }
}

export function ungroupSelection(store: EditorStore, doc: GraphDocument, selected: readonly string[], toast: Toast): void {
  const subgraphs = doc.nodes.filter((n) => selected.includes(n.id) && isSubgraphNode(n)).map((n) => n.id);
  if (subgraphs.length === 0) return toast('Select a subgraph node to unpack', 'error');
  try {
    store.edit(`Unpack ${subgraphs.join(', ')}`, (d) => subgraphs.forEach((id) => unpackSubgraph(d, id)));
  } catch (error) {
    toast(`Cannot unpack: ${error instanceof Error ? error.message : String(error)}`, 'error');
  }
}
