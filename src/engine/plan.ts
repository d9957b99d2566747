/**
 * Planning: which nodes a run needs (the requested outputs and everything upstream of them; a
 * repeat zone is all-or-nothing), in what order, with params resolved. The plan is a list of
 * steps: single nodes, and whole zones whose body runs per iteration.
 */
import type { GraphDocument, GraphIssue, GraphNode, PortRef } from '../graph/document.ts';
import type { NodeDefinition, PortMap } from '../graph/nodeSpec.ts';
import { resolvePorts } from '../graph/nodeSpec.ts';
import type { NodeRegistry } from '../graph/registry.ts';
import { topologicalOrder } from '../graph/topology.ts';
import { analyzeZones, type ZoneAnalysis, type ZoneInfo } from '../graph/zones.ts';
import type { RunError } from './events.ts';

export interface PlannedNode {
  id: string;
  node: GraphNode;
  def: NodeDefinition;
  /**
   * Params with defaults filled in and the node type's migration applied. Frozen: every run of the
   * plan (and, memoised, every rerun) hands this same object to the node.
   */
  params: Readonly<Record<string, unknown>>;
  inputs: PortMap;
  outputs: PortMap;
  /** port → where its value comes from. */
  sources: Map<string, PortRef>;
  /** Input ports that are params turned into sockets: their value goes to `params`. */
  paramPorts: Set<string>;
  /** The zone this node runs in (repeat nodes and body nodes); undefined at top level. */
  zone?: string;
}

export type PlanStep = { kind: 'node'; id: string } | { kind: 'zone'; zone: ZoneInfo; body: string[] };

export interface Plan {
  nodes: Map<string, PlannedNode>;
  steps: PlanStep[];
  /** All planned node ids in execution order (a zone's members in their per-iteration order). */
  order: string[];
  targets: string[];
  /** node id → ids of planned nodes that read its outputs. */
  consumers: Map<string, string[]>;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; error: RunError };

const invalid = (issues: GraphIssue[]): PlanResult => ({
  ok: false,
  error: {
    code: 'invalid-graph',
    message: `The graph cannot run: ${issues.map((i) => i.message).join('; ')}`,
    issues,
    ...(issues[0]?.node !== undefined ? { node: issues[0].node } : {}),
  },
});

export function planRun(graph: GraphDocument, registry: NodeRegistry, requested?: readonly string[]): PlanResult {
  const byId = new Map<string, GraphNode>();
  for (const node of graph.nodes) {
    if (byId.has(node.id)) return invalid([{ node: node.id, code: 'duplicate-id', message: `Node id "${node.id}" is used twice` }]);
    byId.set(node.id, node);
  }
  const zoneAnalysis = analyzeZones(graph);

  let targets: string[];
  if (requested && requested.length > 0) {
    const unknown = requested.filter((id) => !byId.has(id));
    if (unknown.length > 0) {
      return { ok: false, error: { code: 'unknown-output', node: unknown[0], message: `Requested output node(s) not in the graph: ${unknown.join(', ')}` } };
    }
    targets = [...new Set(requested)];
  } else {
    targets = graph.nodes.filter((n) => registry.get(n.type)?.isOutput === true).map((n) => n.id);
    if (targets.length === 0) {
      return {
        ok: false,
        error: { code: 'no-outputs', message: 'The graph has no output node (image/save, image/preview, …) and no outputs were requested' },
      };
    }
  }

  const incoming = new Map<string, GraphDocument['edges']>();
  for (const edge of graph.edges) {
    let list = incoming.get(edge.to.node);
    if (!list) incoming.set(edge.to.node, (list = []));
    list.push(edge);
  }
  const needed = upstreamClosure(targets, incoming, zoneAnalysis);
  // Zone problems count only where they touch what this run needs.
  const zoneErrors = zoneAnalysis.issues.filter((i) => i.severity !== 'warning' && (i.node === undefined || needed.has(i.node)));
  if (zoneErrors.length > 0) return invalid(zoneErrors);

  const issues: GraphIssue[] = [];
  const nodes = new Map<string, PlannedNode>();
  for (const node of graph.nodes) {
    if (!needed.has(node.id)) continue;
    const planned = planNode(node, registry, incoming.get(node.id) ?? [], byId, issues);
    if (planned) {
      planned.zone = zoneAnalysis.zoneOfNode.get(node.id);
      nodes.set(node.id, planned);
    }
  }
  if (issues.length > 0) return invalid(issues);

  const ids = graph.nodes.filter((n) => needed.has(n.id)).map((n) => n.id);
  const plannedEdges = graph.edges.filter((e) => needed.has(e.from.node) && needed.has(e.to.node));
  const topo = topologicalOrder(ids, plannedEdges);
  if (!topo.ok) {
    return invalid([{ node: topo.cycle[0], code: 'cycle', message: `The graph has a cycle: ${[...topo.cycle, topo.cycle[0]].join(' → ')}` }]);
  }

  const zoneById = new Map(zoneAnalysis.zones.map((z) => [z.id, z] as const));
  const steps = condense(topo.order, plannedEdges, zoneAnalysis.zoneOfNode, zoneById);
  if (!steps.ok) return invalid([steps.issue]);
  const order = steps.steps.flatMap((s) => (s.kind === 'node' ? [s.id] : [s.zone.input, ...s.body, s.zone.output]));

  const consumers = new Map<string, string[]>();
  for (const edge of plannedEdges) {
    let list = consumers.get(edge.from.node);
    if (!list) consumers.set(edge.from.node, (list = []));
    list.push(edge.to.node);
  }
  return { ok: true, plan: { nodes, steps: steps.steps, order, targets, consumers } };
}

function planNode(
  node: GraphNode,
  registry: NodeRegistry,
  edges: GraphDocument['edges'],
  byId: Map<string, GraphNode>,
  issues: GraphIssue[],
): PlannedNode | undefined {
  const def = registry.get(node.type);
  if (!def) {
    issues.push({ node: node.id, code: 'unknown-node-type', message: `Node "${node.id}" has unknown type "${node.type}"` });
    return undefined;
  }
  const params = Object.freeze(resolveParams(node, def));
  const { inputs, outputs } = resolvePorts(def, params, node.paramInputs ?? []);
  const sources = new Map<string, PortRef>();
  const paramPorts = new Set<string>();
  for (const edge of edges) {
    const port = edge.to.port;
    if (!(port in inputs)) {
      issues.push({ node: node.id, port, code: 'unknown-port', message: `Node "${node.id}" (${node.type}) has no input "${port}"` });
      continue;
    }
    if (sources.has(port)) {
      issues.push({ node: node.id, port, code: 'input-has-two-edges', message: `Input "${port}" of node "${node.id}" has two edges` });
      continue;
    }
    if (!byId.has(edge.from.node)) {
      issues.push({ node: node.id, port, code: 'dangling-edge', message: `Input "${port}" of node "${node.id}" comes from missing node "${edge.from.node}"` });
      continue;
    }
    sources.set(port, edge.from);
    if (node.paramInputs?.includes(port) && port in def.params && !(port in def.inputs)) paramPorts.add(port);
  }
  for (const [port, spec] of Object.entries(inputs)) {
    if (!spec.optional && !sources.has(port)) {
      issues.push({ node: node.id, port, code: 'missing-input', message: `Input "${port}" of node "${node.id}" (${node.type}) is not connected` });
    }
  }
  return { id: node.id, node, def, params, inputs, outputs, sources, paramPorts };
}

/**
 * The nodes the targets depend on (edges followed upstream); touching any member of a zone pulls
 * in the whole zone, since the body runs as a unit.
 */
export function upstreamClosure(
  targets: readonly string[],
  incoming: ReadonlyMap<string, GraphDocument['edges']>,
  zones: ZoneAnalysis,
): Set<string> {
  const zoneById = new Map(zones.zones.map((z) => [z.id, z] as const));
  const needed = new Set<string>();
  const pulled = new Set<string>(); // zones whose members are on the stack already
  const stack = [...targets];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    for (const edge of incoming.get(id) ?? []) if (!needed.has(edge.from.node)) stack.push(edge.from.node);
    const zoneId = zones.zoneOfNode.get(id);
    const zone = zoneId === undefined || pulled.has(zoneId) ? undefined : zoneById.get(zoneId);
    if (zone) {
      pulled.add(zone.id);
      stack.push(zone.input, zone.output);
      for (const member of zone.body) stack.push(member);
    }
  }
  return needed;
}

/** Migrates params saved by an older node type version, then fills in defaults. */
export function resolveParams(node: GraphNode, def: NodeDefinition): Record<string, unknown> {
  let params: Record<string, unknown> = { ...(node.params ?? {}) };
  if (def.migrate && node.version < def.version) params = def.migrate(node.version, params);
  for (const [name, spec] of Object.entries(def.params)) {
    if (params[name] === undefined) params[name] = Array.isArray(spec.default) ? spec.default.map((x) => ({ ...x })) : spec.default;
  }
  return params;
}

/** Orders top-level nodes and zones (each zone contracted to one unit) topologically. */
function condense(
  order: string[],
  edges: GraphDocument['edges'],
  zoneOfNode: Map<string, string>,
  zoneById: Map<string, ZoneInfo>,
): { ok: true; steps: PlanStep[] } | { ok: false; issue: GraphIssue } {
  // Unit ids: node ids, and "\0zone:<id>" for zones (cannot clash with a node id from JSON).
  if (zoneById.size === 0) return { ok: true, steps: order.map((id) => ({ kind: 'node', id })) };
  const unitOf = (id: string) => {
    const z = zoneOfNode.get(id);
    return z === undefined ? id : `\0zone:${z}`;
  };
  const units: string[] = [];
  const seen = new Set<string>();
  for (const id of order) {
    const u = unitOf(id);
    if (!seen.has(u)) {
      seen.add(u);
      units.push(u);
    }
  }
  const unitEdges = edges
    .map((e) => ({ from: { node: unitOf(e.from.node), port: '' }, to: { node: unitOf(e.to.node), port: '' } }))
    .filter((e) => e.from.node !== e.to.node);
  const topo = topologicalOrder(units, unitEdges);
  if (!topo.ok) {
    const zone = topo.cycle.find((u) => u.startsWith('\0zone:'))?.slice(6) ?? '?';
    const names = topo.cycle.map((u) => (u.startsWith('\0zone:') ? `zone "${u.slice(6)}"` : `"${u}"`));
    return {
      ok: false,
      issue: {
        node: zoneById.get(zone)?.output,
        code: 'zone-crossing',
        message: `Values leave zone "${zone}" and flow back into it: ${names.join(' → ')}`,
      },
    };
  }
  const position = new Map(order.map((id, i) => [id, i] as const));
  const steps: PlanStep[] = topo.order.map((u) => {
    if (!u.startsWith('\0zone:')) return { kind: 'node', id: u };
    const zone = zoneById.get(u.slice(6))!;
    const body = zone.body.filter((id) => position.has(id)).sort((a, b) => position.get(a)! - position.get(b)!);
    return { kind: 'zone', zone, body };
  });
  return { ok: true, steps };
}
