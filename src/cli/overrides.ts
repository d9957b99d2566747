/**
 * `--set NODE.PARAM=VALUE`: overrides a param in a loaded graph. The value is read according to
 * the param's kind (a number for int/float/seed, true/false, JSON for port lists, text as is),
 * so `--set prompt.text=42` stays the string "42" (src/metrics/sweepPlan.ts, shared with the editor).
 * A node inside a subgraph is named by its flat id (`--set text_encoding/tokenize.weighting=false`):
 * a graph with subgraphs is flattened first, as the engine would run it.
 */
import type { GraphDocument } from '../graph/document.ts';
import type { NodeRegistry } from '../graph/registry.ts';
import { flattenSubgraphs } from '../graph/subgraphs.ts';
import { withParamValues } from '../metrics/sweepPlan.ts';
import { UsageError } from './args.ts';

export function applyOverrides(drawn: GraphDocument, sets: readonly string[], registry: NodeRegistry): GraphDocument {
  if (sets.length === 0) return drawn;
  const graph = flattenSubgraphs(drawn).graph;
  const values = sets.map((set): [string, string] => {
    const eq = set.indexOf('=');
    if (eq < 0) throw new UsageError(`--set ${set}: expected NODE.PARAM=VALUE`);
    return [set.slice(0, eq), set.slice(eq + 1)];
  });
  try {
    return withParamValues(graph, values, (type) => registry.get(type)?.params, '--set');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
