/**
 * Every node type LatentLoom ships, listed explicitly. The registry is built from this list and
 * passed to the engine, the validator and the editor; nothing reads a global registry.
 */
import { createRegistry, type NodeRegistry } from '../src/graph/registry.ts';
import type { NodeDefinition } from '../src/graph/nodeSpec.ts';
import { mathAdd } from './math/add.ts';

export const ALL_NODES: readonly NodeDefinition[] = [
  mathAdd,
];

export function defaultRegistry(): NodeRegistry {
  return createRegistry(ALL_NODES);
}
