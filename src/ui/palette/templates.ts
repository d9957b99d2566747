/**
 * Palette templates: pre-wired groups inserted in one step ("text-to-image sampler zone",
 * "img2img", "cascade"). A template is a small graph fragment; it is offered only when every
 * node type it uses is in the catalog, so a template can never insert unknown nodes.
 */
import type { GraphEdge, GraphNode, ModelRef } from '../../graph/document.ts';
import type { NodeCatalog } from '../catalog.ts';

export interface GraphTemplate {
  id: string;
  title: string;
  description: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Model entries the fragment's model params refer to; added when missing. */
  models?: Record<string, ModelRef>;
}

/** Templates whose node types all exist in the catalog. */
export function availableTemplates(templates: readonly GraphTemplate[], catalog: NodeCatalog): GraphTemplate[] {
  return templates.filter((t) => t.nodes.every((n) => catalog.get(n.type) !== undefined));
}

/** Builds a template from a whole example graph (its nodes and edges, positions normalised). */
export function templateFromGraph(
  id: string,
  title: string,
  description: string,
  graph: { nodes: GraphNode[]; edges: GraphEdge[]; models?: Record<string, ModelRef> },
): GraphTemplate {
  const minX = Math.min(...graph.nodes.map((n) => n.ui?.x ?? 0));
  const minY = Math.min(...graph.nodes.map((n) => n.ui?.y ?? 0));
  const nodes = graph.nodes.map((n) => ({ ...n, ui: { ...(n.ui ?? { x: 0, y: 0 }), x: (n.ui?.x ?? 0) - minX, y: (n.ui?.y ?? 0) - minY } }));
  return { id, title, description, nodes, edges: graph.edges, models: graph.models };
}
