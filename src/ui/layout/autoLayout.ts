/**
 * Auto-layout ("Tidy up"): a layered left-to-right drawing of the graph with @dagrejs/dagre.
 * Diffusion pipelines are DAGs that read left to right (prompt → encode → sampler → decode →
 * save), which is what a layered (Sugiyama) layout draws; dagre does it synchronously in a few
 * milliseconds for the graphs people draw by hand. Each repeat zone is a dagre cluster, so its
 * members are laid out together and nothing else is placed inside its frame.
 * Framework-free: plain graph data in, positions out.
 */
import dagre from '@dagrejs/dagre';
import type { GraphDocument, GraphNode } from '../../graph/document.ts';
import type { Size } from './cardSize.ts';
import { FRAME_HEADER, FRAME_PAD } from './boxes.ts';

export interface Point {
  x: number;
  y: number;
}

export interface LayoutOptions {
  /** Space between cards of one column (px). */
  nodeGap?: number;
  /** Space between columns (px). */
  rankGap?: number;
  /** Positions are rounded to this grid (the editor's snap grid). */
  grid?: number;
}

/** Room a zone frame takes around its members. */
const FRAME_MARGIN = FRAME_PAD + FRAME_HEADER;
const CLUSTER_PREFIX = '\u0000zone:';

/**
 * Top-left positions for every node of `doc`. `sizeOf` gives a node's card box; `members` maps a
 * zone id to the nodes drawn in its frame.
 */
export function layoutGraph(
  doc: Pick<GraphDocument, 'nodes' | 'edges'>,
  sizeOf: (node: GraphNode) => Size,
  members: ReadonlyMap<string, readonly string[]> = new Map(),
  options: LayoutOptions = {},
): Map<string, Point> {
  const { nodeGap = 40, rankGap = 90, grid = 10 } = options;
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  // Clusters are separated by their own frame margin besides the gaps between plain cards.
  g.setGraph({ rankdir: 'LR', nodesep: nodeGap, ranksep: rankGap, edgesep: 20, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(doc.nodes.map((n) => n.id));
  const sizes = new Map<string, Size>();
  for (const node of doc.nodes) {
    const size = sizeOf(node);
    sizes.set(node.id, size);
    g.setNode(node.id, { width: size.width, height: size.height });
  }
  const zoneOf = new Map<string, string>();
  for (const [zone, ids2] of members) {
    const cluster = CLUSTER_PREFIX + zone;
    g.setNode(cluster, { paddingLeft: FRAME_MARGIN, paddingRight: FRAME_MARGIN, paddingTop: FRAME_MARGIN, paddingBottom: FRAME_MARGIN });
    for (const id of ids2) {
      if (!ids.has(id) || zoneOf.has(id)) continue;
      zoneOf.set(id, zone);
      g.setParent(id, cluster);
    }
  }
  doc.edges.forEach((e, i) => {
    if (ids.has(e.from.node) && ids.has(e.to.node) && e.from.node !== e.to.node) g.setEdge(e.from.node, e.to.node, {}, `e${i}`);
  });
  dagre.layout(g);
  const snap = (v: number) => Math.round(v / grid) * grid;
  const out = new Map<string, Point>();
  for (const node of doc.nodes) {
    const laid = g.node(node.id);
    const size = sizes.get(node.id)!;
    out.set(node.id, { x: snap(laid.x - size.width / 2), y: snap(laid.y - size.height / 2) });
  }
  return out;
}
