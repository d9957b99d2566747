import type { NodeDefinition } from './nodeSpec.ts';

/** The set of node types a validator, engine or editor works with. Passed in, never global. */
export interface NodeRegistry {
  get(type: string): NodeDefinition | undefined;
  has(type: string): boolean;
  list(): readonly NodeDefinition[];
}

export function createRegistry(definitions: readonly NodeDefinition[]): NodeRegistry {
  const byType = new Map<string, NodeDefinition>();
  for (const def of definitions) {
    if (byType.has(def.type)) throw new Error(`Node type "${def.type}" is registered twice`);
    byType.set(def.type, def);
  }
  const list = Object.freeze([...byType.values()]);
  return {
    get: (type) => byType.get(type),
    has: (type) => byType.has(type),
    list: () => list,
  };
}
