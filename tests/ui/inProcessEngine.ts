/** The engine worker's API called in this process (no Worker): the real engine behind a UI test. */
import { readFileSync } from 'node:fs';
import { defaultRegistry } from '../../nodes/index.ts';
import { createEngineWorkerApi } from '../../src/worker/engineApi.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import type { EngineConnection } from '../../src/ui/run/engineConnection.ts';

export function inProcessEngine(): EngineConnection {
  const api = createEngineWorkerApi({ registry: defaultRegistry(), services: {} });
  return {
    describeNodes: async () => api.describeNodes(),
    run: (graph, options, onEvent) => api.run(graph, { outputs: options.outputs }, onEvent),
    cancel: () => api.cancel(),
    onCrash: () => () => {},
    dispose: () => {},
  };
}

/** graphs/math-demo.json, loaded and checked. */
export function mathDemo(): GraphDocument {
  const loaded = loadGraph(readFileSync(new URL('../../graphs/math-demo.json', import.meta.url), 'utf8'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.graph;
}

/** A node nothing reads from. */
export const leafOf = (doc: GraphDocument) => doc.nodes.find((n) => !doc.edges.some((e) => e.from.node === n.id))!.id;
