/**
 * `checkConnection`: may an edge go from this output to that input? The editor asks while the
 * user drags a wire (chaiNNer-style), with the same rules the validator applies to saved graphs:
 * port types via `isAssignable`, no cycles, no edge out of a repeat zone's body, one edge per
 * input (replacing the existing one is the editor's choice, so it is reported, not refused).
 */
import type { GraphDocument, GraphEdge, GraphIssueCode, PortRef } from './document.ts';
import { resolvePorts, type PortMap } from './nodeSpec.ts';
import { isAssignable, isPortType } from './portTypes.ts';
import type { NodeRegistry } from './registry.ts';
import { isSubgraphNode, subgraphPorts } from './subgraphs.ts';
import { reachable } from './topology.ts';
import { analyzeZones } from './zones.ts';

export type ConnectionCheck =
  | {
      isValid: true;
      /** The edge now feeding that input, which the new one would replace. */
      replaces?: GraphEdge;
    }
  | { isValid: false; reason: string; code: GraphIssueCode };

function invalid(code: GraphIssueCode, reason: string): ConnectionCheck {
  return { isValid: false, code, reason };
}

function portsOf(doc: GraphDocument, registry: NodeRegistry, nodeId: string): { type: string; ports: { inputs: PortMap; outputs: PortMap } } | string {
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node) return `node "${nodeId}" does not exist`;
  if (isSubgraphNode(node)) return { type: node.type, ports: subgraphPorts(node) };
  const def = registry.get(node.type);
  if (!def) return `node "${nodeId}" has unknown type "${node.type}"`;
  const params = typeof node.params === 'object' && node.params !== null ? node.params : {};
  return { type: node.type, ports: resolvePorts(def, params, Array.isArray(node.paramInputs) ? node.paramInputs : []) };
}

function zoneCrossings(doc: GraphDocument, edges: GraphEdge[]): string[] {
  return analyzeZones({ nodes: doc.nodes, edges })
    .issues.filter((i) => i.code === 'zone-crossing')
    .map((i) => i.message);
}

function checkUnsafe(doc: GraphDocument, registry: NodeRegistry, from: PortRef, to: PortRef): ConnectionCheck {
  if (from.node === to.node) return invalid('cycle', `Cannot connect node "${from.node}" to itself`);
  const source = portsOf(doc, registry, from.node);
  if (typeof source === 'string') return invalid('dangling-edge', `Source ${source}`);
  const target = portsOf(doc, registry, to.node);
  if (typeof target === 'string') return invalid('dangling-edge', `Target ${target}`);
  const outSpec = Object.hasOwn(source.ports.outputs, from.port) ? source.ports.outputs[from.port] : undefined;
  if (!outSpec) return invalid('unknown-port', `Node "${from.node}" (${source.type}) has no output "${from.port}"`);
  const inSpec = Object.hasOwn(target.ports.inputs, to.port) ? target.ports.inputs[to.port] : undefined;
  if (!inSpec) return invalid('unknown-port', `Node "${to.node}" (${target.type}) has no input "${to.port}"`);
  if (!isPortType(outSpec.type) || !isPortType(inSpec.type) || !isAssignable(outSpec.type, inSpec.type)) {
    return invalid('type-mismatch', `${outSpec.type} output "${from.port}" cannot feed ${inSpec.type} input "${to.port}"`);
  }
  const existing = doc.edges.find((e) => e.to.node === to.node && e.to.port === to.port);
  if (existing && existing.from.node === from.node && existing.from.port === from.port) {
    return invalid('input-has-two-edges', `${from.node}.${from.port} is already connected to ${to.node}.${to.port}`);
  }
  if (reachable([to.node], doc.edges, 'down').has(from.node)) {
    return invalid('cycle', `Connecting would make a cycle: "${to.node}" already feeds "${from.node}"`);
  }
  const edge: GraphEdge = { from: { node: from.node, port: from.port }, to: { node: to.node, port: to.port } };
  const others = doc.edges.filter((e) => e !== existing);
  const before = new Set(zoneCrossings(doc, others));
  const added = zoneCrossings(doc, [...others, edge]).find((m) => !before.has(m));
  if (added !== undefined) return invalid('zone-crossing', added);
  return existing ? { isValid: true, replaces: existing } : { isValid: true };
}

/** Whether `from` (an output) may be wired to `to` (an input) in `doc`. Never throws. */
export function checkConnection(doc: GraphDocument, registry: NodeRegistry, from: PortRef, to: PortRef): ConnectionCheck {
  try {
    return checkUnsafe(doc, registry, from, to);
  } catch (error) {
    return invalid('invalid-document', `Cannot check this connection: ${error instanceof Error ? error.message : String(error)}`);
  }
}
