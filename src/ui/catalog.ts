/**
 * The editor's view of the node types: serializable descriptions (no `run`), as the worker's
 * describeNodes() sends them, plus port resolution for node instances. The editor never needs a
 * node's code, so onnxruntime and the node implementations stay in the worker bundle.
 */
import { SUBGRAPH_TYPE, type GraphNode } from '../graph/document.ts';
import { subgraphPorts } from '../graph/subgraphs.ts';
import {
  nodeTypeData,
  resolvePorts,
  type NodeDefinition,
  type NodeTypeData,
  type PortListItem,
  type PortMap,
} from '../graph/nodeSpec.ts';
import { isPortType } from '../graph/portTypes.ts';
import { createRegistry, type NodeRegistry } from '../graph/registry.ts';

export interface NodeTypeInfo extends NodeTypeData {
  isOutput?: boolean;
  deterministic?: boolean;
}

export function toNodeTypeInfo(def: NodeDefinition | NodeTypeInfo): NodeTypeInfo {
  const { isOutput, deterministic } = def;
  return structuredClone({ ...nodeTypeData(def), isOutput, deterministic });
}

/**
 * Ports declared by a `ports`-kind param (a repeat zone's state items): each item is both an
 * input and an output of the node. This is the only kind of dynamic port the shipped node types
 * derive from params, so the editor can compute it without the node's code.
 */
function portsFromPortLists(info: NodeTypeInfo, params: Record<string, unknown>): PortMap {
  const ports: PortMap = {};
  for (const [name, spec] of Object.entries(info.params)) {
    if (spec.kind !== 'ports') continue;
    const items = (params[name] ?? spec.default) as PortListItem[];
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      if (item && typeof item.name === 'string' && isPortType(item.type)) ports[item.name] = { type: item.type, label: item.name };
    }
  }
  return ports;
}

/**
 * What the editor shows for a subgraph node. It is not a node type of the worker's (the engine
 * runs a subgraph's inside, flattened), so it is not in the palette either: a subgraph is made
 * from a selection.
 */
export const SUBGRAPH_INFO: NodeTypeInfo = {
  type: SUBGRAPH_TYPE,
  version: 1,
  title: 'Subgraph',
  category: 'graph',
  description: 'A graph inside one node: double-click (or ⤢) to open it; Ctrl+Shift+G unpacks it.',
  inputs: {},
  outputs: {},
  params: {},
};

export interface ResolvedPorts {
  inputs: PortMap;
  outputs: PortMap;
}

/** A definition the validator and connection check can use; its `run` is never called here. */
function editorDefinition(info: NodeTypeInfo): NodeDefinition {
  return {
    ...info,
    dynamicPorts: (params) => {
      const ports = portsFromPortLists(info, params);
      return { inputs: ports, outputs: ports };
    },
    run: () => {
      throw new Error(`Node type "${info.type}" runs in the worker, not in the editor`);
    },
  };
}

export class NodeCatalog {
  private readonly byType: Map<string, NodeTypeInfo>;
  /** The catalog as a NodeRegistry, so the editor uses the loader's own validator and rules. */
  readonly registry: NodeRegistry;
  constructor(readonly infos: readonly NodeTypeInfo[]) {
    this.byType = new Map(infos.map((i) => [i.type, i]));
    this.registry = createRegistry(infos.map(editorDefinition));
  }
  get(type: string): NodeTypeInfo | undefined {
    if (type === SUBGRAPH_TYPE) return this.byType.get(type) ?? SUBGRAPH_INFO;
    return this.byType.get(type);
  }
  list(): readonly NodeTypeInfo[] {
    return this.infos;
  }
  get categories(): string[] {
    return [...new Set(this.infos.map((i) => i.category))].sort();
  }
  /** All ports of a node instance; an unknown type has none (the node is drawn as unknown). */
  portsOf(node: Pick<GraphNode, 'type' | 'params' | 'paramInputs' | 'subgraph'>): ResolvedPorts {
    if (node.type === SUBGRAPH_TYPE) return subgraphPorts(node as GraphNode);
    const def = this.registry.get(node.type);
    if (!def) return { inputs: {}, outputs: {} };
    return resolvePorts(def, node.params, node.paramInputs ?? []);
  }
  /** A new node instance of `type` with default params. */
  instantiate(type: string, id: string, at: { x: number; y: number }): GraphNode {
    const info = this.byType.get(type);
    if (!info) throw new Error(`Unknown node type "${type}"`);
    const params: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(info.params)) params[name] = structuredClone(spec.default);
    return { id, type, version: info.version, params, ui: { x: Math.round(at.x), y: Math.round(at.y) } };
  }
}
