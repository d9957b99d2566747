/**
 * The editor's view of the node types: serializable descriptions (no `run`), as the worker's
 * describeNodes() sends them, plus port resolution for node instances. The editor never needs a
 * node's code, so onnxruntime and the node implementations stay in the worker bundle.
 */
import type { GraphNode } from '../graph/document.ts';
import {
  resolvePorts,
  type NodeDefinition,
  type ParamMap,
  type PortListItem,
  type PortMap,
} from '../graph/nodeSpec.ts';
import { isPortType } from '../graph/portTypes.ts';

export interface NodeTypeInfo {
  type: string;
  version: number;
  title: string;
  category: string;
  description: string;
  inputs: PortMap;
  outputs: PortMap;
  params: ParamMap;
  isOutput?: boolean;
  deterministic?: boolean;
}

export function toNodeTypeInfo(def: NodeDefinition | NodeTypeInfo): NodeTypeInfo {
  const { type, version, title, category, description, inputs, outputs, params, isOutput, deterministic } = def;
  return structuredClone({ type, version, title, category, description, inputs, outputs, params, isOutput, deterministic });
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

export interface ResolvedPorts {
  inputs: PortMap;
  outputs: PortMap;
}

export class NodeCatalog {
  private readonly byType: Map<string, NodeTypeInfo>;
  constructor(readonly infos: readonly NodeTypeInfo[]) {
    this.byType = new Map(infos.map((i) => [i.type, i]));
  }
  get(type: string): NodeTypeInfo | undefined {
    return this.byType.get(type);
  }
  list(): readonly NodeTypeInfo[] {
    return this.infos;
  }
  get categories(): string[] {
    return [...new Set(this.infos.map((i) => i.category))].sort();
  }
  /** All ports of a node instance; an unknown type has none (the node is drawn as unknown). */
  portsOf(node: Pick<GraphNode, 'type' | 'params' | 'paramInputs'>): ResolvedPorts {
    const info = this.byType.get(node.type);
    if (!info) return { inputs: {}, outputs: {} };
    const dynamic = portsFromPortLists(info, node.params);
    const defLike = {
      ...info,
      dynamicPorts: () => ({ inputs: dynamic, outputs: dynamic }),
      run: () => {
        throw new Error('not runnable in the editor');
      },
    } as NodeDefinition;
    return resolvePorts(defLike, node.params, node.paramInputs ?? []);
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
