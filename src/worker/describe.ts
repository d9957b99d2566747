/**
 * Node definitions as plain data (no functions), for the editor on the other side of the
 * worker boundary.
 */
import { nodeTypeData, type NodeDefinition, type NodeTypeData } from '../graph/nodeSpec.ts';
import type { NodeRegistry } from '../graph/registry.ts';

export interface NodeDescription extends NodeTypeData {
  deterministic: boolean;
  isOutput: boolean;
  /** The node computes extra ports from its params (the editor resolves them itself). */
  hasDynamicPorts: boolean;
}

export function describeNode(def: NodeDefinition): NodeDescription {
  // JSON round trip: drops anything that is not data and detaches from the live definition.
  const data = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  return {
    ...data(nodeTypeData(def)),
    deterministic: def.deterministic !== false,
    isOutput: def.isOutput === true,
    hasDynamicPorts: typeof def.dynamicPorts === 'function',
  };
}

export function describeNodes(registry: NodeRegistry): NodeDescription[] {
  return registry.list().map(describeNode);
}
