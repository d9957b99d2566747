/**
 * `validateGraph`: everything wrong with a graph against a node registry, as issues with stable
 * codes. It never throws, even on documents that did not come through `loadGraph` (the editor's
 * in-memory state, hand-built test data), so every check guards the shapes it reads.
 */
import type { GraphDocument, GraphEdge, GraphIssue, GraphNode } from './document.ts';
import { resolvePorts, type NodeDefinition, type PortMap } from './nodeSpec.ts';
import { isAssignable, isPortType } from './portTypes.ts';
import type { NodeRegistry } from './registry.ts';
import { topologicalOrder } from './topology.ts';
import { migratedParams } from './upgradeNodes.ts';
import { checkNodeParams } from './validateParams.ts';
import { flattenSubgraphs } from './subgraphs.ts';
import { analyzeZones } from './zones.ts';

export interface ResolvedNode {
  node: GraphNode;
  def: NodeDefinition;
  inputs: PortMap;
  outputs: PortMap;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPortRef(value: unknown): value is { node: string; port: string } {
  return isObject(value) && typeof value.node === 'string' && typeof value.port === 'string';
}

/** Whether an issue stops a run (warnings do not). */
export function isError(issue: GraphIssue): boolean {
  return issue.severity !== 'warning';
}

/** Looks a type up without trusting the registry not to throw. */
function lookup(registry: NodeRegistry, type: string): NodeDefinition | undefined {
  try {
    return registry.get(type);
  } catch {
    return undefined;
  }
}

/** A node's own issues (type, version, params) and its resolved ports when its type is known. */
export interface NodeCheck {
  issues: GraphIssue[];
  resolved?: ResolvedNode;
}

/** Checks one node on its own: its type, version and params, and resolves its ports. */
export function checkNode(n: GraphNode, registry: NodeRegistry, doc: Pick<GraphDocument, 'models'>): NodeCheck {
  const issues: GraphIssue[] = [];
  const def = lookup(registry, n.type);
  if (!def) {
    issues.push({ node: n.id, code: 'unknown-node-type', severity: 'error', message: `Node "${n.id}" has type "${n.type}", which this LatentLoom does not know` });
    return { issues };
  }
  if (typeof n.version === 'number' && n.version > def.version) {
    issues.push({
      node: n.id,
      code: 'unsupported-version',
      severity: 'error',
      message: `Node "${n.id}" was saved by ${n.type} version ${n.version}, newer than the installed version ${def.version}`,
    });
  }
  // Judge an old node by the params it will run with: its type's migration of the saved ones.
  const migrated = migratedParams(n, def);
  if (!migrated.ok) issues.push({ node: n.id, code: 'param-invalid', severity: 'error', message: `Node "${n.id}": ${migrated.message}` });
  const current = migrated.ok && migrated.migrated ? { ...n, params: migrated.params } : n;
  if (migrated.ok) issues.push(...checkNodeParams(current, def, doc)); // old-shape params would only add noise
  const params = isObject(current.params) ? current.params : {};
  const paramInputs = Array.isArray(n.paramInputs) ? n.paramInputs.filter((p): p is string => typeof p === 'string') : [];
  let ports: { inputs: PortMap; outputs: PortMap };
  try {
    ports = resolvePorts(def, params, paramInputs);
  } catch (error) {
    issues.push({ node: n.id, code: 'param-invalid', severity: 'error', message: `Node "${n.id}": its ports could not be computed from its params (${String(error)})` });
    ports = { inputs: { ...def.inputs }, outputs: { ...def.outputs } };
  }
  return { issues, resolved: { node: n, def, ...ports } };
}

export interface CheckedNodes {
  ids: string[];
  byId: Map<string, GraphNode>;
  resolved: Map<string, ResolvedNode>;
  /** Per index of `doc.nodes`: the resolved node, undefined for a malformed, repeated or unknown one. */
  resolvedAt: (ResolvedNode | undefined)[];
  /** Per index of `doc.nodes`: the issues found at that index. */
  issuesAt: (readonly GraphIssue[] | undefined)[];
  /** Per index of `doc.nodes`: whether it was checked as a node of its own (not malformed, not a repeated id). */
  checkedAt: boolean[];
}

export type NodeChecker = (node: GraphNode, doc: GraphDocument) => NodeCheck;

/** Resolves the nodes: one entry per distinct id, with ports for those of a known type. */
export function checkNodes(doc: GraphDocument, check: NodeChecker, issues: GraphIssue[]): CheckedNodes {
  const ids: string[] = [];
  const byId = new Map<string, GraphNode>();
  const resolved = new Map<string, ResolvedNode>();
  const count = doc.nodes.length;
  const resolvedAt: (ResolvedNode | undefined)[] = new Array(count).fill(undefined);
  const issuesAt: (readonly GraphIssue[] | undefined)[] = new Array(count).fill(undefined);
  const checkedAt: boolean[] = new Array(count).fill(false);
  doc.nodes.forEach((node: unknown, index) => {
    if (!isObject(node) || typeof node.id !== 'string' || node.id === '' || typeof node.type !== 'string') {
      const issue: GraphIssue = { code: 'invalid-document', severity: 'error', path: `nodes[${index}]`, message: `nodes[${index}] is not a node with a string id and type` };
      issues.push(issue);
      issuesAt[index] = [issue];
      return;
    }
    const n = node as unknown as GraphNode;
    if (byId.has(n.id)) {
      const issue: GraphIssue = { node: n.id, code: 'duplicate-id', severity: 'error', message: `Node id "${n.id}" is used by more than one node (nodes[${index}] repeats it)` };
      issues.push(issue);
      issuesAt[index] = [issue];
      return;
    }
    byId.set(n.id, n);
    ids.push(n.id);
    const checked = check(n, doc);
    checkedAt[index] = true;
    if (checked.issues.length > 0) {
      for (const issue of checked.issues) issues.push(issue);
      issuesAt[index] = checked.issues;
    }
    if (checked.resolved) {
      resolved.set(n.id, checked.resolved);
      resolvedAt[index] = checked.resolved;
    }
  });
  return { ids, byId, resolved, resolvedAt, issuesAt, checkedAt };
}

/** Checks each edge; returns the edges whose ends exist (used for cycles and zones). */
export function checkEdges(
  doc: GraphDocument,
  byId: ReadonlyMap<string, GraphNode>,
  resolved: ReadonlyMap<string, ResolvedNode>,
  issues: GraphIssue[],
): GraphEdge[] {
  const wired: GraphEdge[] = [];
  const intoInput = new Map<string, GraphEdge[]>();
  doc.edges.forEach((edge: unknown, index) => {
    if (!isObject(edge) || !isPortRef(edge.from) || !isPortRef(edge.to)) {
      issues.push({ code: 'invalid-document', severity: 'error', path: `edges[${index}]`, message: `edges[${index}] is not an edge { from: { node, port }, to: { node, port } }` });
      return;
    }
    const { from, to } = edge;
    const label = `${from.node}.${from.port} → ${to.node}.${to.port}`;
    let dangling = false;
    for (const [end, ref] of [['source', from], ['target', to]] as const) {
      if (!byId.has(ref.node)) {
        issues.push({ node: ref.node, port: ref.port, code: 'dangling-edge', severity: 'error', message: `Edge ${label}: its ${end} node "${ref.node}" does not exist` });
        dangling = true;
      }
    }
    if (dangling) return;
    wired.push({ from, to });
    const key = `${to.node}\u0000${to.port}`;
    const list = intoInput.get(key);
    if (list) list.push({ from, to });
    else intoInput.set(key, [{ from, to }]);

    const source = resolved.get(from.node);
    const target = resolved.get(to.node);
    const outSpec = source && Object.hasOwn(source.outputs, from.port) ? source.outputs[from.port] : undefined;
    const inSpec = target && Object.hasOwn(target.inputs, to.port) ? target.inputs[to.port] : undefined;
    if (source && !outSpec) {
      issues.push({ node: from.node, port: from.port, code: 'unknown-port', severity: 'error', message: `Edge ${label}: node "${from.node}" (${source.def.type}) has no output "${from.port}"` });
    }
    if (target && !inSpec) {
      issues.push({ node: to.node, port: to.port, code: 'unknown-port', severity: 'error', message: `Edge ${label}: node "${to.node}" (${target.def.type}) has no input "${to.port}"` });
    }
    if (outSpec && inSpec) {
      const ok = isPortType(outSpec.type) && isPortType(inSpec.type) && isAssignable(outSpec.type, inSpec.type);
      if (!ok) {
        issues.push({
          node: to.node,
          port: to.port,
          code: 'type-mismatch',
          severity: 'error',
          message: `Edge ${label}: output type ${String(outSpec.type)} cannot feed input type ${String(inSpec.type)}`,
        });
      }
    }
  });
  for (const edges of intoInput.values()) {
    if (edges.length < 2) continue;
    const { node, port } = edges[0].to;
    const sources = edges.map((e) => `${e.from.node}.${e.from.port}`).join(', ');
    issues.push({ node, port, code: 'input-has-two-edges', severity: 'error', message: `Input "${port}" of node "${node}" has ${edges.length} edges (from ${sources}); an input takes one` });
  }
  return wired;
}

/** Required inputs (static, dynamic) without an edge. */
export function checkMissingInputs(resolved: ReadonlyMap<string, ResolvedNode>, wired: readonly GraphEdge[], issues: GraphIssue[]): void {
  const connected = new Set(wired.map((e) => `${e.to.node}\u0000${e.to.port}`));
  for (const { node, def, inputs } of resolved.values()) {
    for (const [port, spec] of Object.entries(inputs)) {
      if (spec.optional || connected.has(`${node.id}\u0000${port}`)) continue;
      issues.push({ node: node.id, port, code: 'missing-input', severity: 'error', message: `Node "${node.id}" (${def.type}): required input "${port}" is not connected` });
    }
  }
}

function checkCycles(ids: readonly string[], wired: readonly GraphEdge[], issues: GraphIssue[]): void {
  const topo = topologicalOrder(ids, wired);
  if (topo.ok) return;
  const path = [...topo.cycle, topo.cycle[0]].join(' → ');
  issues.push({ node: topo.cycle[0], code: 'cycle', severity: 'error', message: `The graph has a cycle: ${path}. Use a repeat zone for loops` });
}

/** The checks across nodes: edges and their types, unconnected inputs, cycles, and (apart) zones. */
export interface StructureCheck {
  issues: GraphIssue[];
  /** Zone analysis issues, before dropping param reports a node already has (`addZoneIssues`). */
  zoneIssues: GraphIssue[];
}

export function checkStructure(doc: GraphDocument, checked: CheckedNodes): StructureCheck {
  const issues: GraphIssue[] = [];
  const wired = checkEdges(doc, checked.byId, checked.resolved, issues);
  checkMissingInputs(checked.resolved, wired, issues);
  checkCycles(checked.ids, wired, issues);
  return { issues, zoneIssues: analyzeZones({ nodes: [...checked.byId.values()], edges: wired }).issues };
}

/** Adds zone issues to `issues`, less param reports on nodes already reported (zone analysis re-checks repeat `state`). */
export function addZoneIssues(zone: readonly GraphIssue[], issues: GraphIssue[]): void {
  if (zone.length === 0) return;
  const paramFlagged = new Set(issues.filter((i) => i.code === 'param-invalid').map((i) => i.node));
  for (const issue of zone) {
    if (issue.code === 'param-invalid' && paramFlagged.has(issue.node)) continue;
    issues.push(issue);
  }
}

/** The issue that stops validation when `doc` is not an object with node and edge lists. */
export function documentShapeIssue(doc: unknown): GraphIssue | undefined {
  if (!isObject(doc)) return { code: 'invalid-document', severity: 'error', message: 'The graph is not an object' };
  if (!Array.isArray(doc.nodes)) return { code: 'invalid-document', severity: 'error', path: 'nodes', message: 'The graph has no "nodes" list' };
  if (!Array.isArray(doc.edges)) return { code: 'invalid-document', severity: 'error', path: 'edges', message: 'The graph has no "edges" list' };
  return undefined;
}

/** The issue reported when a check threw on a malformed graph. */
export function stoppedIssue(error: unknown): GraphIssue {
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'invalid-document', severity: 'error', message: `Validation stopped on a malformed graph: ${message}` };
}

/**
 * All issues of `doc` against `registry`: document shape, node types and params, edges and their
 * types, unconnected required inputs, cycles and repeat zones. Subgraphs are checked flattened
 * (src/graph/subgraphs.ts): an issue inside one names the inner node by its flat id
 * `<subgraph>/<inner>`. Never throws.
 */
export function validateGraph(input: GraphDocument, registry: NodeRegistry): GraphIssue[] {
  const issues: GraphIssue[] = [];
  try {
    const shape = documentShapeIssue(input);
    if (shape) return [shape];
    const flat = flattenSubgraphs(input);
    issues.push(...flat.issues);
    const doc = flat.graph;
    const checked = checkNodes(doc, (n) => checkNode(n, registry, doc), issues);
    const structure = checkStructure(doc, checked);
    for (const issue of structure.issues) issues.push(issue);
    addZoneIssues(structure.zoneIssues, issues);
  } catch (error) {
    issues.push(stoppedIssue(error));
  }
  return issues;
}
