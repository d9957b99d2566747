/**
 * "Tidy up" for a document: card sizes from the catalog's node descriptions, zones kept
 * together, positions from the layered layout. Used by the toolbar command, for ComfyUI imports
 * and for graphs whose nodes carry no positions. The graph is laid out as it is drawn: a
 * collapsed repeat zone is one box (its members move with it, keeping their places inside).
 */
import type { GraphDocument, GraphNode } from '../../graph/document.ts';
import { collapsedZoneBox, collapsedZones, edgesWithBoxes, type CollapsedZoneBox } from '../../graph/zoneCollapse.ts';
import type { NodeCatalog } from '../catalog.ts';
import { isHeavyGraph, zoneMembers } from '../analysis/graphAnalysis.ts';
import { CARD_WIDTH, cardSize, collapsedBoxSize, type Size } from './cardSize.ts';
import { layoutGraph, type Point } from './autoLayout.ts';
import type { Box } from './boxes.ts';

export function catalogCardSize(catalog: NodeCatalog) {
  return (node: GraphNode) => cardSize(node, catalog.get(node.type), catalog.portsOf(node));
}

/** What the canvas draws: visible cards and collapsed zones' boxes, their wires, the open zones. */
export interface DrawnGraph {
  doc: Pick<GraphDocument, 'nodes' | 'edges'>;
  sizes: Map<string, Size>;
  /** Open (not collapsed) zones and their drawn members. */
  members: Map<string, string[]>;
  boxes: CollapsedZoneBox[];
}

export function drawnGraph(doc: Pick<GraphDocument, 'nodes' | 'edges'>, sizeOf: (node: GraphNode) => Size): DrawnGraph {
  const allMembers = zoneMembers(doc);
  const collapsed = new Set(collapsedZones(doc, allMembers));
  const boxes = [...collapsed].map((z) => collapsedZoneBox(doc, z, allMembers.get(z)!));
  const hidden = new Set(boxes.flatMap((b) => b.members));
  const sizes = new Map<string, Size>();
  const nodes: GraphNode[] = [];
  for (const n of doc.nodes) {
    if (hidden.has(n.id)) continue;
    nodes.push(n);
    sizes.set(n.id, sizeOf(n));
  }
  for (const b of boxes) {
    nodes.push({ id: b.id, type: 'collapsed-zone', version: 1, params: {}, ui: { ...b.position } });
    sizes.set(b.id, collapsedBoxSize(b.inputs.length, b.outputs.length));
  }
  const members = new Map([...allMembers].filter(([z]) => !collapsed.has(z)));
  return { doc: { nodes, edges: edgesWithBoxes(doc.edges, boxes) }, sizes, members, boxes };
}

/** The drawn cards' boxes at the document's positions (for overlap checks). */
export function drawnBoxes(drawn: DrawnGraph): Box[] {
  return drawn.doc.nodes.map((n) => ({ id: n.id, x: n.ui?.x ?? 0, y: n.ui?.y ?? 0, ...(drawn.sizes.get(n.id) ?? { width: CARD_WIDTH, height: 0 }) }));
}

/** New positions for every node of `doc` (a collapsed zone's members move with its box). */
export function tidyPositions(doc: Pick<GraphDocument, 'nodes' | 'edges'>, catalog: NodeCatalog): Record<string, Point> {
  const drawn = drawnGraph(doc, catalogCardSize(catalog));
  const at = layoutGraph(drawn.doc, (n) => drawn.sizes.get(n.id)!, drawn.members);
  const out: Record<string, Point> = {};
  for (const [id, p] of at) out[id] = p;
  for (const box of drawn.boxes) {
    const target = at.get(box.id)!;
    delete out[box.id];
    const dx = target.x - box.position.x;
    const dy = target.y - box.position.y;
    for (const id of box.members) {
      const n = doc.nodes.find((m) => m.id === id);
      out[id] = { x: (n?.ui?.x ?? 0) + dx, y: (n?.ui?.y ?? 0) + dy };
    }
  }
  return out;
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
