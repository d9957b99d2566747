/** Test-only: the ComfyUI fixtures and their conversion into loaded LatentLoom graphs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importComfyWorkflow, type ImportOptions } from '../../src/interop/comfy/index.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import type { GraphDocument } from '../../src/graph/document.ts';

export const COMFY_FIXTURES = join(import.meta.dirname, '../fixtures/comfy');

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(COMFY_FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

export function convert(json: unknown, options?: ImportOptions): GraphDocument {
  const result = importComfyWorkflow(json, options);
  const loaded = loadGraph(result.document);
  if (!loaded.ok) throw new Error(`converted graph does not load: ${JSON.stringify(loaded.issues)}`);
  return loaded.graph;
}

/** Nodes (id, type, params, zone) and edges, without layout or titles. */
export function shape(graph: GraphDocument): unknown {
  return {
    models: graph.models,
    nodes: graph.nodes.map((n) => ({ id: n.id, type: n.type, params: n.params, zone: n.zone })).sort((a, b) => a.id.localeCompare(b.id)),
    edges: graph.edges.map((e) => `${e.from.node}.${e.from.port}->${e.to.node}.${e.to.port}`).sort(),
  };
}
