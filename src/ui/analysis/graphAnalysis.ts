/**
 * What the editor derives from the whole graph after each change: the validator's issues and the
 * members of each repeat zone (for the zone frames). Plain data in, plain data out, so the same
 * code runs on the main thread for ordinary graphs and in the analysis worker for huge ones.
 */
import type { GraphDocument, GraphIssue } from '../../graph/document.ts';
import type { NodeRegistry } from '../../graph/registry.ts';
import { validateGraph } from '../../graph/validate.ts';
import { analyzeZones } from '../../graph/zones.ts';

export interface GraphAnalysis {
  issues: GraphIssue[];
  /** Zone id → its members: the pair, its body, and nodes drawn in it. */
  members: Map<string, string[]>;
}

/**
 * Above these sizes the analysis leaves the main thread (the validator's zone analysis is not
 * linear in the number of zones, and a 20,000-node graph validates in tens of milliseconds at
 * best): opening or editing such a graph must not freeze the editor.
 */
export const HEAVY_NODES = 2000;
export const HEAVY_REPEAT_NODES = 200;

export function isHeavyGraph(doc: Pick<GraphDocument, 'nodes'>): boolean {
  if (doc.nodes.length > HEAVY_NODES) return true;
  let repeat = 0;
  for (const n of doc.nodes) if (n.type === 'flow/repeat-input' && ++repeat > HEAVY_REPEAT_NODES / 2) return true;
  return false;
}

/** Zone members: the pair, its body and nodes drawn in it. */
export function zoneMembers(doc: Pick<GraphDocument, 'nodes' | 'edges'>): Map<string, string[]> {
  const analysis = analyzeZones(doc);
  const members = new Map<string, Set<string>>();
  for (const z of analysis.zones) members.set(z.id, new Set([z.input, z.output, ...z.body, ...z.invariant]));
  for (const n of doc.nodes) if (n.zone && members.has(n.zone)) members.get(n.zone)!.add(n.id);
  return new Map([...members].map(([k, v]) => [k, [...v]]));
}

/** A graph with no repeat nodes has no zones: skip the analysis (the common case). */
function hasRepeatNodes(doc: Pick<GraphDocument, 'nodes'>): boolean {
  return doc.nodes.some((n) => n.type === 'flow/repeat-input' || n.type === 'flow/repeat-output');
}

export function analyzeGraph(doc: GraphDocument, registry: NodeRegistry): GraphAnalysis {
  return { issues: validateGraph(doc, registry), members: hasRepeatNodes(doc) ? zoneMembers(doc) : new Map() };
}
