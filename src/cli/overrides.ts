/**
 * `--set NODE.PARAM=VALUE`: overrides a param in a loaded graph. The value is read according to
 * the param's kind (a number for int/float/seed, true/false, JSON for port lists, text as is),
 * so `--set prompt.text=42` stays the string "42". A node inside a subgraph is named by its flat
 * id (`--set text_encoding/tokenize.weighting=false`): a graph with subgraphs is flattened first,
 * as the engine would run it.
 */
import type { GraphDocument } from '../graph/document.ts';
import type { NodeRegistry } from '../graph/registry.ts';
import { flattenSubgraphs } from '../graph/subgraphs.ts';
import { UsageError } from './args.ts';

export function applyOverrides(drawn: GraphDocument, sets: readonly string[], registry: NodeRegistry): GraphDocument {
  if (sets.length === 0) return drawn;
  const graph = flattenSubgraphs(drawn).graph;
  const nodes = graph.nodes.map((n) => ({ ...n, params: { ...n.params } }));
  for (const set of sets) {
    const eq = set.indexOf('=');
    const key = eq < 0 ? '' : set.slice(0, eq);
    const dot = key.lastIndexOf('.');
    if (eq < 0 || dot <= 0 || dot === key.length - 1) {
      throw new UsageError(`--set ${set}: expected NODE.PARAM=VALUE`);
    }
    const [nodeId, param, raw] = [key.slice(0, dot), key.slice(dot + 1), set.slice(eq + 1)];
    const node = nodes.find((n) => n.id === nodeId);
    if (!node) throw new UsageError(`--set ${set}: the graph has no node "${nodeId}"`);
    // Own properties only: `__proto__`, `constructor` and the like are no params.
    const params = registry.get(node.type)?.params ?? {};
    const spec = Object.hasOwn(params, param) ? params[param] : undefined;
    if (!spec) {
      const known = Object.keys(params);
      throw new UsageError(`--set ${set}: node "${nodeId}" (${node.type}) has no param "${param}"${known.length ? ` (params: ${known.join(', ')})` : ''}`);
    }
    node.params[param] = readValue(spec.kind, raw, set);
  }
  return { ...graph, nodes };
}

function readValue(kind: string, raw: string, set: string): unknown {
  switch (kind) {
    case 'int':
    case 'float':
    case 'seed': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(n)) throw new UsageError(`--set ${set}: "${raw}" is not a number`);
      return n;
    }
    case 'boolean':
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw new UsageError(`--set ${set}: expected true or false`);
    case 'ports':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw new UsageError(`--set ${set}: expected a JSON list like [{"name":"latent","type":"LATENT"}]`);
      }
    default:
      return raw;
  }
}
