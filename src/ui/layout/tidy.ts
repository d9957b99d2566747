/**
 * "Tidy up" for a document: card sizes from the catalog's node descriptions, zones kept
 * together, positions from the layered layout. Used by the toolbar command, for ComfyUI imports
 * and for graphs whose nodes carry no positions.
 */
import type { GraphDocument, GraphNode } from '../../graph/document.ts';
import type { NodeCatalog } from '../catalog.ts';
import { isHeavyGraph, zoneMembers } from '../analysis/graphAnalysis.ts';
import { cardSize } from './cardSize.ts';
import { layoutGraph, type Point } from './autoLayout.ts';

export function catalogCardSize(catalog: NodeCatalog) {
  return (node: GraphNode) => cardSize(node, catalog.get(node.type), catalog.portsOf(node));
}

/** New positions for every node of `doc`. */
export function tidyPositions(doc: Pick<GraphDocument, 'nodes' | 'edges'>, catalog: NodeCatalog): Record<string, Point> {
  const at = layoutGraph(doc, catalogCardSize(catalog), zoneMembers(doc));
  return Object.fromEntries(at);
}

/** No node has a position of its own: a generated or hand-written file. */
export function lacksPositions(doc: Pick<GraphDocument, 'nodes'>): boolean {
  return doc.nodes.length > 1 && doc.nodes.every((n) => n.ui?.x === undefined && n.ui?.y === undefined);
}

/**
 * The graph laid out anew when it came without positions or from another tool (a converted
 * ComfyUI workflow); graphs too big to lay out in an instant keep what they have.
 */
export function withTidyLayout(doc: GraphDocument, catalog: NodeCatalog, imported: boolean): GraphDocument {
  if ((!imported && !lacksPositions(doc)) || isHeavyGraph(doc)) return doc;
  const at = tidyPositions(doc, catalog);
  return { ...doc, nodes: doc.nodes.map((n) => ({ ...n, ui: { ...n.ui, ...at[n.id] } })) };
}
