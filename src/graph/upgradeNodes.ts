/**
 * Node-type versions: a node saved by an older version of its type carries that `version`, and
 * the type's `migrate` upgrades its params. The engine migrates at run time; the validator checks
 * the migrated params (so an old file is judged as it will run), and `upgradeNodes` rewrites a
 * document once so the editor shows and saves the current params.
 */
import type { GraphDocument, GraphIssue, GraphNode } from './document.ts';
import type { NodeDefinition } from './nodeSpec.ts';
import type { NodeRegistry } from './registry.ts';

export type MigratedParams = { ok: true; params: Record<string, unknown>; migrated: boolean } | { ok: false; message: string };

/** The node's params as its current type version expects them. Never throws. */
export function migratedParams(node: GraphNode, def: NodeDefinition): MigratedParams {
  const params = typeof node.params === 'object' && node.params !== null && !Array.isArray(node.params) ? node.params : {};
  if (!def.migrate || typeof node.version !== 'number' || node.version >= def.version) return { ok: true, params, migrated: false };
  try {
    const next = def.migrate(node.version, { ...params });
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      return { ok: false, message: `${def.type} migration from version ${node.version} returned no params object` };
    }
    return { ok: true, params: next, migrated: true };
  } catch (error) {
    return { ok: false, message: `${def.type} migration from version ${node.version} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * A copy of `doc` whose nodes of older type versions carry migrated params and the current
 * version. Nodes of unknown types or newer versions are left alone (the validator reports them).
 */
export function upgradeNodes(doc: GraphDocument, registry: NodeRegistry): { graph: GraphDocument; issues: GraphIssue[] } {
  const issues: GraphIssue[] = [];
  const nodes = upgradeList(doc.nodes, registry, '', issues);
  return { graph: nodes !== doc.nodes ? { ...doc, nodes } : doc, issues };
}

/** The nodes upgraded, subgraph insides too (issues name inner nodes by flat id); the same array when none changed. */
function upgradeList(list: GraphNode[], registry: NodeRegistry, prefix: string, issues: GraphIssue[]): GraphNode[] {
  let changed = false;
  const nodes = list.map((node) => {
    if (node.subgraph && Array.isArray(node.subgraph.nodes)) {
      const inner = upgradeList(node.subgraph.nodes, registry, `${prefix}${node.id}/`, issues);
      if (inner === node.subgraph.nodes) return node;
      changed = true;
      return { ...node, subgraph: { ...node.subgraph, nodes: inner } };
    }
    const def = registry.get(node.type);
    if (!def || node.version >= def.version) return node;
    const id = prefix + node.id;
    const result = migratedParams(node, def);
    if (!result.ok) {
      issues.push({ node: id, code: 'param-invalid', severity: 'error', message: `Node "${id}": ${result.message}` });
      return node;
    }
    changed = true;
    issues.push({
      node: id,
      code: 'migrated',
      severity: 'warning',
      message: `Node "${id}" (${node.type}) upgraded from version ${node.version} to ${def.version}`,
    });
    return { ...node, version: def.version, params: { ...result.params } };
  });
  return changed ? nodes : list;
}
