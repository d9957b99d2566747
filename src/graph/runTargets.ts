/**
 * The nodes a run computes when none are requested: the graph's output nodes (image/save,
 * previews, …), or, in a graph without any, its leaves (known nodes whose outputs feed nothing),
 * so a math-only graph still shows its values. Shared by the editor and the CLI so both run the
 * same nodes.
 */
import type { GraphDocument } from './document.ts';
import { flattenSubgraphs } from './subgraphs.ts';

/** What is needed of a node definition: whether it exists and whether it is an output node. */
export type NodeKindLookup = (type: string) => { isOutput?: boolean } | undefined;

/** undefined: the graph has output nodes (the engine finds them itself) or no known leaf. */
export function defaultRunTargets(drawn: GraphDocument, lookup: NodeKindLookup): string[] | undefined {
  // Output nodes inside subgraphs count: the engine runs the graph flattened.
  const doc = flattenSubgraphs(drawn).graph;
  if (doc.nodes.some((n) => lookup(n.type)?.isOutput)) return undefined;
  const feeding = new Set(doc.edges.map((e) => e.from.node));
  const leaves = doc.nodes.filter((n) => !feeding.has(n.id) && lookup(n.type)).map((n) => n.id);
  return leaves.length ? leaves : undefined;
}
