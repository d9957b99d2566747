/** Test-only: load the shipped example graphs and run them through the engine on the Node runtime. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../src/engine/index.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { pngToImageTensor } from '../../src/tensor/image.ts';
import { sweepCombinations, withParamValues } from '../../src/metrics/sweepPlan.ts';
import { axesOf, numericOutputs, readSweepDefinition, type SweepPointResult } from '../../src/metrics/sweepResults.ts';

export const GRAPHS_DIR = join(import.meta.dirname, '../../graphs');
export const registry = defaultRegistry();

export function loadExample(name: string): GraphDocument {
  const loaded = loadGraph(JSON.parse(readFileSync(join(GRAPHS_DIR, name), 'utf8')));
  if (!loaded.ok) throw new Error(`${name} does not load: ${JSON.stringify(loaded).slice(0, 500)}`);
  return loaded.graph;
}

export function nodeRuntime(): Runtime {
  return createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
}

export function engineFor(runtime: Runtime): Engine {
  return createEngine({ registry, services: { runtime } });
}

/** A copy of the graph with some nodes' params changed: { nodeId: { param: value } }. */
export function withParams(graph: GraphDocument, changes: Record<string, Record<string, unknown>>): GraphDocument {
  const copy = structuredClone(graph);
  for (const [id, params] of Object.entries(changes)) {
    const node = copy.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`withParams: no node "${id}"`);
    node.params = { ...node.params, ...params };
  }
  return copy;
}

/** Runs the graph and returns, per image/save node, the PNG bytes it produced. */
export async function runForPngs(engine: Engine, graph: GraphDocument): Promise<Record<string, Uint8Array[]>> {
  const result = await engine.run(graph);
  if (!result.ok) throw new Error(`run failed: ${JSON.stringify(result.error)}`);
  const out: Record<string, Uint8Array[]> = {};
  for (const node of graph.nodes) {
    if (node.type === 'image/save') out[node.id] = result.outputs[node.id].png as Uint8Array[];
  }
  return out;
}

/** PNG bytes → [3,H,W] in [0,1] and its size. */
export function pngImage(png: Uint8Array): { data: Float32Array; width: number; height: number } {
  const { image } = pngToImageTensor(png);
  return { data: image.data, width: image.shape[3], height: image.shape[2] };
}

/** Runs the sweep a graph carries (meta.extra.sweep) point by point on one engine, as the editor and the CLI do. */
export async function runStoredSweep(engine: Engine, graph: GraphDocument): Promise<{ results: SweepPointResult[]; seconds: number }> {
  const { definition, error } = readSweepDefinition(graph.meta.extra);
  if (!definition) throw new Error(error ?? 'the graph carries no sweep');
  const results: SweepPointResult[] = [];
  const started = performance.now();
  for (const [point, values] of sweepCombinations(axesOf(definition), definition.zip ?? false).entries()) {
    const result = await engine.run(withParamValues(graph, Object.entries(values), (type) => registry.get(type)?.params));
    if (!result.ok) throw new Error(`point ${point} (${JSON.stringify(values)}): ${result.error?.node}: ${result.error?.message}`);
    results.push({ point, values, metrics: numericOutputs(result.outputs as Record<string, Record<string, unknown>>) });
  }
  return { results, seconds: (performance.now() - started) / 1000 };
}
