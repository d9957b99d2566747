/**
 * Engine overhead, measured with trivial nodes so the figures are the engine's own cost:
 * validation, planning, signatures, events and bookkeeping per node, and a rerun of an unchanged
 * graph served entirely from the cache.
 */
import { createEngine } from '../../src/engine/engine.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import type { GraphDocument, GraphNode, GraphEdge } from '../../src/graph/document.ts';
import { medianWallAndCpuMs, type BenchFigure } from './run.ts';

const N = 1000;

/** `n` math/add nodes: a chain where each node also reads a shared constant (fan-out of n). */
function trivialGraph(n: number): GraphDocument {
  const nodes: GraphNode[] = [{ id: 'k', type: 'const/float', version: 1, params: { value: 1 } }];
  const edges: GraphEdge[] = [];
  for (let i = 0; i < n - 1; i++) {
    nodes.push({ id: `n${i}`, type: 'math/add', version: 1, params: { bias: 0.5 } });
    edges.push({ from: { node: i === 0 ? 'k' : `n${i - 1}`, port: i === 0 ? 'value' : 'result' }, to: { node: `n${i}`, port: 'a' } });
    edges.push({ from: { node: 'k', port: 'value' }, to: { node: `n${i}`, port: 'b' } });
  }
  return { format: 'latentloom.graph', version: 1, meta: {}, models: {}, nodes, edges };
}

/** A zone of `count` iterations whose body is three trivial nodes. */
function zoneGraph(count: number): GraphDocument {
  const state = [{ name: 'x', type: 'FLOAT' }];
  const node = (id: string, type: string, params: Record<string, unknown> = {}, zone?: string): GraphNode => ({
    id, type, version: 1, params, ...(zone ? { zone } : {}),
  });
  const edge = (a: string, ap: string, b: string, bp: string): GraphEdge => ({ from: { node: a, port: ap }, to: { node: b, port: bp } });
  return {
    format: 'latentloom.graph', version: 1, meta: {}, models: {},
    nodes: [
      node('n', 'const/int', { value: count }), node('x0', 'const/float', { value: 0 }),
      node('rin', 'flow/repeat-input', { state }, 'z'), node('i', 'math/int-to-float', {}, 'z'),
      node('add', 'math/add', {}, 'z'), node('mul', 'math/multiply', { factor: 0.5 }, 'z'),
      node('rout', 'flow/repeat-output', { state }, 'z'),
    ],
    edges: [
      edge('n', 'value', 'rin', 'count'), edge('x0', 'value', 'rin', 'x'), edge('rin', 'index', 'i', 'value'),
      edge('rin', 'x', 'add', 'a'), edge('i', 'value', 'add', 'b'), edge('add', 'result', 'mul', 'a'), edge('mul', 'result', 'rout', 'x'),
    ],
  };
}

export async function figures(): Promise<BenchFigure[]> {
  const registry = defaultRegistry();
  const graph = trivialGraph(N);
  const last = `n${N - 2}`;
  let events = 0;
  const onEvent = () => void events++;

  // JIT warm-up of the whole engine path before anything is timed.
  for (let i = 0; i < 40; i++) await createEngine({ registry, cacheBytes: i % 2 ? 0 : undefined }).run(graph, { outputs: [last], onEvent });
  const uncached = await medianWallAndCpuMs(async () => {
    const r = await createEngine({ registry, cacheBytes: 0 }).run(graph, { outputs: [last], onEvent });
    if (!r.ok) throw new Error(r.error?.message);
  });
  const firstRun = await medianWallAndCpuMs(async () => {
    await createEngine({ registry }).run(graph, { outputs: [last], onEvent });
  });
  const engine = createEngine({ registry });
  await engine.run(graph, { outputs: [last] });
  const rerun = await medianWallAndCpuMs(async () => {
    const r = await engine.run(graph, { outputs: [last], onEvent });
    if (r.stats.executed !== 0) throw new Error('rerun executed nodes');
  });

  const ITER = 1000;
  const zone = await medianWallAndCpuMs(async () => {
    const r = await createEngine({ registry, cacheBytes: 0 }).run(zoneGraph(ITER), { outputs: ['rout'], onEvent });
    if (!r.ok) throw new Error(r.error?.message);
  });

  const cpuNote = (t: { wall: number; cpu: number }, per: number, unit: string) =>
    `${t.wall.toFixed(1)} ms wall, ${t.cpu.toFixed(1)} ms CPU = ${((t.cpu * 1000) / per).toFixed(1)} ${unit} CPU`;
  return [
    { name: `engine overhead per node, ${N}-node graph, no cache`, value: (uncached.wall * 1000) / N, unit: 'µs/node', note: cpuNote(uncached, N, 'µs/node') },
    { name: `engine overhead per node, ${N}-node graph, first run cached`, value: (firstRun.wall * 1000) / N, unit: 'µs/node', note: cpuNote(firstRun, N, 'µs/node') },
    { name: `rerun of unchanged ${N}-node graph (all cached)`, value: rerun.wall, unit: 'ms', note: cpuNote(rerun, N, 'µs/node') },
    { name: `repeat zone, 3-node body, per iteration`, value: (zone.wall * 1000) / ITER, unit: 'µs/iter', note: cpuNote(zone, ITER, 'µs/iter') },
  ];
}
