/**
 * Subgraphs: a `graph/subgraph` node holds a graph of its own (`node.subgraph`) with exposed
 * input and output ports. Validation and the engine see the graph flattened: each inner node
 * becomes a top-level node with the id `<subgraph id>/<inner id>` (nested subgraphs add one
 * segment per level), inner zones get the same prefix, and the edges into and out of the
 * subgraph node are rewired to the inner ports its exposed ports name. Caching, signatures and
 * statuses therefore work on the inner nodes, exactly as if the graph had been drawn flat.
 *
 * Pure data, never throws: malformed subgraphs become `subgraph-invalid` issues naming the
 * subgraph node and the port.
 */
import type { PortMap } from './nodeSpec.ts';
import { isPortType } from './portTypes.ts';
import { deepFreeze, isDeepFrozen } from './frozen.ts';
import { SUBGRAPH_TYPE, type GraphDocument, type GraphEdge, type GraphIssue, type GraphNode, type PortRef, type SubgraphBody } from './document.ts';

/** Separates a subgraph's id from its inner node ids in the flattened graph. */
export const SUBGRAPH_ID_SEPARATOR = '/';
/** Deeper nesting than this is refused (a file could otherwise recurse without end). */
export const MAX_SUBGRAPH_DEPTH = 16;

export function isSubgraphNode(node: GraphNode): boolean {
  return node?.type === SUBGRAPH_TYPE;
}

/** A subgraph node's ports: its exposed inputs and outputs, with the types they recorded. */
export function subgraphPorts(node: GraphNode): { inputs: PortMap; outputs: PortMap } {
  const inputs: PortMap = {};
  const outputs: PortMap = {};
  const body = (node as { subgraph?: unknown }).subgraph;
  if (!isObject(body)) return { inputs, outputs };
  const add = (map: PortMap, list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const port of list) {
      if (isObject(port) && typeof port.name === 'string') map[port.name] = { type: isPortType(port.type) ? port.type : 'ANY', label: port.name };
    }
  };
  add(inputs, body.inputs);
  add(outputs, body.outputs);
  return { inputs, outputs };
}

export function flatId(prefix: string, id: string): string {
  return prefix + id;
}

/** The top-level node a flattened id belongs to, given the ids of the top-level subgraph nodes. */
export function ownerOf(id: string, subgraphIds: ReadonlySet<string>): string {
  const cut = id.indexOf(SUBGRAPH_ID_SEPARATOR);
  if (cut > 0 && subgraphIds.has(id.slice(0, cut))) return id.slice(0, cut);
  return id;
}

export function hasSubgraphs(doc: Pick<GraphDocument, 'nodes'>): boolean {
  return Array.isArray(doc?.nodes) && doc.nodes.some((n) => isSubgraphNode(n));
}

export interface FlattenResult {
  /** The graph without subgraph nodes; `doc` itself when it has none. */
  graph: GraphDocument;
  issues: GraphIssue[];
}

interface Level {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** For each subgraph node of this level: exposed input → the flat inner ports it feeds. */
  ins: Map<string, Map<string, PortRef[]>>;
  /** For each subgraph node of this level: exposed output → the flat inner port it reads. */
  outs: Map<string, Map<string, PortRef>>;
  /** Top level only: per document node, its index in `nodes` when it is kept as it is (-1: a subgraph or a malformed entry). */
  keptAt: number[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRef(value: unknown): value is PortRef {
  return isObject(value) && typeof value.node === 'string' && typeof value.port === 'string';
}

function invalid(issues: GraphIssue[], node: string, message: string, port?: string): void {
  issues.push({ node, code: 'subgraph-invalid', severity: 'error', message, ...(port !== undefined ? { port } : {}) });
}

/** Checks a body's shape; returns it when it can be flattened. */
function bodyOf(node: GraphNode, where: string, issues: GraphIssue[]): SubgraphBody | undefined {
  const body = (node as { subgraph?: unknown }).subgraph;
  if (!isObject(body) || !Array.isArray(body.nodes)) {
    invalid(issues, where, `Subgraph "${where}" has no inside (a "subgraph" with a "nodes" list)`);
    return undefined;
  }
  const lists = ['edges', 'inputs', 'outputs'] as const;
  for (const key of lists) {
    if (body[key] !== undefined && !Array.isArray(body[key])) {
      invalid(issues, where, `Subgraph "${where}": "${key}" must be a list`);
      return undefined;
    }
  }
  return { nodes: body.nodes as GraphNode[], edges: (body.edges ?? []) as GraphEdge[], inputs: (body.inputs ?? []) as SubgraphBody['inputs'], outputs: (body.outputs ?? []) as SubgraphBody['outputs'] };
}

/** An inner ref (ids of the body) as flat target ports: through a nested subgraph's own inputs. */
function innerTargets(ref: PortRef, level: Level, prefix: string, kinds: ReadonlyMap<string, boolean>): PortRef[] | undefined {
  if (!kinds.has(ref.node)) return undefined;
  if (kinds.get(ref.node)) return level.ins.get(ref.node)?.get(ref.port);
  return [{ node: flatId(prefix, ref.node), port: ref.port }];
}

function innerSource(ref: PortRef, level: Level, prefix: string, kinds: ReadonlyMap<string, boolean>): PortRef | undefined {
  if (!kinds.has(ref.node)) return undefined;
  if (kinds.get(ref.node)) return level.outs.get(ref.node)?.get(ref.port);
  return { node: flatId(prefix, ref.node), port: ref.port };
}

function flattenLevel(nodes: readonly GraphNode[], edges: readonly GraphEdge[], prefix: string, depth: number, issues: GraphIssue[]): Level {
  const level: Level = { nodes: [], edges: [], ins: new Map(), outs: new Map(), keptAt: [] };
  /** id → whether it is a subgraph node, for this level's nodes. */
  const kinds = new Map<string, boolean>();
  for (const node of nodes) {
    level.keptAt.push(-1);
    if (!isObject(node) || typeof node.id !== 'string') {
      level.nodes.push(node); // validation reports the malformed entry
      continue;
    }
    kinds.set(node.id, isSubgraphNode(node));
    if (!isSubgraphNode(node)) {
      if (prefix === '') {
        level.keptAt[level.keptAt.length - 1] = level.nodes.length;
        level.nodes.push(node);
      }
      else level.nodes.push({ ...node, id: flatId(prefix, node.id), ...(typeof node.zone === 'string' ? { zone: flatId(prefix, node.zone) } : {}) });
      continue;
    }
    const where = flatId(prefix, node.id);
    if (depth >= MAX_SUBGRAPH_DEPTH) {
      invalid(issues, where, `Subgraph "${where}" is nested more than ${MAX_SUBGRAPH_DEPTH} levels deep`);
      continue;
    }
    const body = bodyOf(node, where, issues);
    if (!body) continue;
    const innerPrefix = where + SUBGRAPH_ID_SEPARATOR;
    const inner = flattenLevel(body.nodes, body.edges, innerPrefix, depth + 1, issues);
    // A subgraph drawn in a zone puts its inside there (inner zones of its own stay theirs).
    const zone = typeof node.zone === 'string' ? flatId(prefix, node.zone) : undefined;
    level.nodes.push(...(zone ? inner.nodes.map((n) => (isObject(n) && n.zone === undefined ? { ...n, zone } : n)) : inner.nodes));
    level.edges.push(...inner.edges);
    const innerKinds = new Map(body.nodes.filter((n) => isObject(n) && typeof n.id === 'string').map((n) => [n.id, isSubgraphNode(n)] as const));
    const ins = new Map<string, PortRef[]>();
    body.inputs.forEach((port, i) => {
      if (!isObject(port) || typeof port.name !== 'string' || !Array.isArray(port.to)) {
        return invalid(issues, where, `Subgraph "${where}": exposed input ${i} is not { name, type, to: [ports] }`);
      }
      if (ins.has(port.name)) return invalid(issues, where, `Subgraph "${where}" exposes the input "${port.name}" twice`, port.name);
      const targets: PortRef[] = [];
      for (const ref of port.to) {
        const flat = isRef(ref) ? innerTargets(ref, inner, innerPrefix, innerKinds) : undefined;
        if (!flat) {
          const name = isRef(ref) ? `${ref.node}.${ref.port}` : JSON.stringify(ref);
          invalid(issues, where, `Subgraph "${where}": exposed input "${port.name}" feeds inner port ${name}, which the subgraph does not have`, port.name);
          continue;
        }
        targets.push(...flat);
      }
      ins.set(port.name, targets);
    });
    const outs = new Map<string, PortRef>();
    body.outputs.forEach((port, i) => {
      if (!isObject(port) || typeof port.name !== 'string' || !isRef(port.from)) {
        return invalid(issues, where, `Subgraph "${where}": exposed output ${i} is not { name, type, from: port }`);
      }
      if (outs.has(port.name)) return invalid(issues, where, `Subgraph "${where}" exposes the output "${port.name}" twice`, port.name);
      const flat = innerSource(port.from, inner, innerPrefix, innerKinds);
      if (!flat) {
        return invalid(issues, where, `Subgraph "${where}": exposed output "${port.name}" reads inner port ${port.from.node}.${port.from.port}, which the subgraph does not have`, port.name);
      }
      outs.set(port.name, flat);
    });
    level.ins.set(node.id, ins);
    level.outs.set(node.id, outs);
  }
  for (const edge of edges) {
    if (!isObject(edge) || !isRef(edge.from) || !isRef(edge.to)) {
      level.edges.push(edge); // validation reports it
      continue;
    }
    const { from, to } = edge;
    const fromSub = kinds.get(from.node) === true;
    const toSub = kinds.get(to.node) === true;
    if (!fromSub && !toSub && prefix === '') {
      level.edges.push(edge);
      continue;
    }
    let source: PortRef | undefined = { node: flatId(prefix, from.node), port: from.port };
    if (fromSub) {
      source = level.outs.get(from.node)?.get(from.port);
      if (!source) {
        if (level.outs.has(from.node)) invalid(issues, flatId(prefix, from.node), `Subgraph "${flatId(prefix, from.node)}" has no output "${from.port}" (edge to ${to.node}.${to.port})`, from.port);
        continue;
      }
    }
    let targets: PortRef[] = [{ node: flatId(prefix, to.node), port: to.port }];
    if (toSub) {
      const found = level.ins.get(to.node)?.get(to.port);
      if (!found) {
        if (level.ins.has(to.node)) invalid(issues, flatId(prefix, to.node), `Subgraph "${flatId(prefix, to.node)}" has no input "${to.port}" (edge from ${from.node}.${from.port})`, to.port);
        continue;
      }
      targets = found;
    }
    for (const target of targets) level.edges.push({ from: source, to: target });
  }
  return level;
}

/** The graph with every subgraph node replaced by its inside (see the file comment). */
export function flattenSubgraphs(doc: GraphDocument): FlattenResult {
  if (!hasSubgraphs(doc)) return { graph: doc, issues: [] };
  const known = flattened.get(doc);
  if (known) return known;
  const frozen = isDeepFrozen(doc);
  const revised = frozen ? reviseRecent(doc) : undefined;
  if (revised) return revised;
  const issues: GraphIssue[] = [];
  const level = flattenLevel(doc.nodes, Array.isArray(doc.edges) ? doc.edges : [], '', 0, issues);
  const result: FlattenResult = { graph: { ...doc, nodes: level.nodes, edges: level.edges }, issues };
  // A frozen document (the editor's, immer's) flattens once and to a frozen graph: reruns then
  // hand the engine the same flat graph, so its validation, plan and signature memos hit.
  if (frozen) remember(doc, deepFreeze(result), level.keptAt);
  return result;
}

/** Flat results of deeply frozen documents, which can never change. */
const flattened = new WeakMap<GraphDocument, FlattenResult>();

interface Flattened {
  doc: WeakRef<GraphDocument>;
  result: FlattenResult;
  keptAt: readonly number[];
}
/** The latest frozen documents flattened, newest last: a new version of one is flattened from it. */
const recent: Flattened[] = [];
const RECENT_FLATTENED = 4;

function remember(doc: GraphDocument, result: FlattenResult, keptAt: readonly number[]): FlattenResult {
  flattened.set(doc, result);
  recent.push({ doc: new WeakRef(doc), result, keptAt });
  if (recent.length > RECENT_FLATTENED) recent.shift();
  return result;
}

/**
 * A new version of a recently flattened frozen document whose edges list and subgraph nodes are
 * the same objects and whose changed nodes are plain nodes keeping their ids (a param edit, a new
 * seed): its flat graph is the earlier one with those nodes swapped in, so it shares the earlier
 * flat edges list and inner nodes, and the engine's memos re-check only the changed nodes.
 */
function reviseRecent(doc: GraphDocument): FlattenResult | undefined {
  for (let r = recent.length - 1; r >= 0; r--) {
    const prior = recent[r];
    const before = prior.doc.deref();
    if (!before || before.edges !== doc.edges || before.nodes.length !== doc.nodes.length) continue;
    let nodes: GraphNode[] | undefined;
    let usable = true;
    for (let i = 0; i < doc.nodes.length && usable; i++) {
      const was = before.nodes[i];
      const now = doc.nodes[i];
      if (was === now) continue;
      const at = prior.keptAt[i];
      usable = at >= 0 && isObject(now) && now.id === was.id && !isSubgraphNode(now);
      if (usable) (nodes ??= prior.result.graph.nodes.slice())[at] = now;
    }
    if (!usable) continue;
    const graph = { ...doc, nodes: nodes ?? prior.result.graph.nodes, edges: prior.result.graph.edges };
    return remember(doc, deepFreeze({ graph, issues: prior.result.issues }), prior.keptAt);
  }
  return undefined;
}

/** Requested node ids with each subgraph id replaced by the flat ids of everything inside it. */
export function expandSubgraphIds(ids: readonly string[], doc: GraphDocument, flat: GraphDocument): string[] {
  const subgraphs = new Set(doc.nodes.filter(isSubgraphNode).map((n) => n.id));
  if (subgraphs.size === 0) return [...ids];
  return ids.flatMap((id) => (subgraphs.has(id) ? flat.nodes.map((n) => n.id).filter((f) => f.startsWith(id + SUBGRAPH_ID_SEPARATOR)) : [id]));
}
