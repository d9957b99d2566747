/**
 * Engine overhead, measured with trivial nodes so the figures are the engine's own cost:
 * validation, planning, signatures, events and bookkeeping per node, and a rerun of an unchanged
 * graph served entirely from the cache.
 *
 * Incremental reruns (limits: 1,000 nodes < 5 ms, 10,000 ≤ 50 ms): documents as the editor's
 * worker holds them — deeply frozen, a new version sharing its unchanged nodes (immer; the worker's
 * docShare) — rerun unchanged, and with one param changed (the last node's: it and the output
 * rerun). The worker path adds the structured clone and the sharing to the unchanged rerun. A
 * 1 MB data: URL param must be hashed once however many runs see it (each a fresh clone).
 */
import { createEngine } from '../../src/engine/engine.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import type { GraphDocument, GraphNode, GraphEdge } from '../../src/graph/document.ts';
import { freeze, produce } from 'immer';
import { longStringHashCount } from '../../src/engine/signature.ts';
import { shareUnchanged } from '../../src/worker/docShare.ts';
import { DocReceiver, DocSender } from '../../src/worker/docPatch.ts';
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

/** Unchanged and one-param-changed reruns of an n-node frozen document, and the worker path. */
async function rerunFigures(n: number, limit: BenchFigure['limit']): Promise<BenchFigure[]> {
  const registry = defaultRegistry();
  let doc = freeze(trivialGraph(n), true);
  const last = `n${n - 2}`;
  const engine = createEngine({ registry });
  const onEvent = () => {};
  await engine.run(doc, { outputs: [last] });
  const unchanged = await medianWallAndCpuMs(async () => {
    const r = await engine.run(doc, { outputs: [last], onEvent });
    if (r.stats.executed !== 0) throw new Error('the unchanged rerun executed nodes');
  }, 21);
  // One param changed per run; the new version is made outside the timing (the editor made it).
  let bias = 0;
  const versions: GraphDocument[] = [];
  for (let i = 0; i < 23; i++) versions.push((doc = produce(doc, (d) => void (d.nodes[n - 1].params.bias = ++bias))));
  let next = 0;
  const changed = await medianWallAndCpuMs(async () => {
    const r = await engine.run(versions[next++], { outputs: [last], onEvent });
    if (r.stats.executed !== 1) throw new Error(`the one-param rerun executed ${r.stats.executed} nodes`);
  }, 21);
  // Through the worker: the client sends a patch (docPatch.ts), structured-cloned as postMessage
  // does, and the worker applies it to its copy before running.
  const workerEngine = createEngine({ registry });
  const sender = new DocSender();
  const receiver = new DocReceiver();
  const viaWorker = (version: GraphDocument) => workerEngine.run(receiver.receive(structuredClone(sender.message(version))), { outputs: [last], onEvent });
  await viaWorker(doc);
  const worker = await medianWallAndCpuMs(async () => {
    const r = await viaWorker(doc);
    if (r.stats.executed !== 0) throw new Error('the worker rerun executed nodes');
  }, 21);
  const workerVersions: GraphDocument[] = [];
  for (let i = 0; i < 23; i++) workerVersions.push((doc = produce(doc, (d) => void (d.nodes[n - 1].params.bias = ++bias))));
  next = 0;
  const workerChanged = await medianWallAndCpuMs(async () => {
    const r = await viaWorker(workerVersions[next++]);
    if (r.stats.executed !== 1) throw new Error(`the one-param worker rerun executed ${r.stats.executed} nodes`);
  }, 21);
  const note = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(2)} ms wall, ${t.cpu.toFixed(2)} ms CPU`;
  const count = n.toLocaleString('en');
  return [
    { name: `rerun of an unchanged ${count}-node frozen document`, value: unchanged.wall, unit: 'ms', note: note(unchanged), limit },
    { name: `rerun after one param change, ${count} nodes`, value: changed.wall, unit: 'ms', note: note(changed), limit },
    { name: `same, through the worker: unchanged, ${count} nodes`, value: worker.wall, unit: 'ms', note: `${note(worker)}; patch, clone, apply, run`, limit },
    { name: `same, through the worker: one param changed, ${count} nodes`, value: workerChanged.wall, unit: 'ms', note: note(workerChanged), limit },
  ];
}

/** Long-string hashes over 10 runs of a document whose 1 MB data: URL param stays, a seed changing. */
async function dataUrlFigure(): Promise<BenchFigure> {
  const registry = defaultRegistry();
  const url = `data:text/plain;base64,${'QUJD'.repeat(262_144)}`; // 1 MiB of characters
  const doc: GraphDocument = {
    format: 'latentloom.graph', version: 1, meta: {}, models: {},
    nodes: [
      { id: 'url', type: 'const/string', version: 1, params: { value: url } },
      { id: 'k', type: 'const/float', version: 1, params: { value: 0 } },
    ],
    edges: [],
  };
  const engine = createEngine({ registry });
  let kept: GraphDocument | undefined;
  const before = longStringHashCount();
  const start = performance.now();
  for (let i = 0; i < 10; i++) {
    const arrived = structuredClone(doc);
    arrived.nodes[1].params = { value: i };
    kept = shareUnchanged(kept, arrived);
    const r = await engine.run(kept, { outputs: ['url', 'k'] });
    if (!r.ok) throw new Error(r.error?.message);
  }
  const ms = (performance.now() - start) / 10;
  return {
    name: '1 MB data: URL param, hashes over 10 runs (fresh clones)',
    value: longStringHashCount() - before,
    unit: 'hashes',
    note: `${ms.toFixed(2)} ms per run`,
    limit: { value: 1, kind: '≤' },
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
    ...(await rerunFigures(1_000, { value: 5, kind: '<' })),
    ...(await rerunFigures(10_000, { value: 50, kind: '≤' })),
    await dataUrlFigure(),
  ];
}
