/**
 * toy-shapes figures (issue 5), Node: building the family, one UNet call, and toy-txt2img
 * (graphs/toy-txt2img.json, 20 steps, CFG with two denoiser calls per step) end to end through the
 * engine on onnxruntime-node, cold (fresh runtime: package read, sessions created) and warm (same
 * engine and runtime, a new seed). The same graph in headless Chromium on onnxruntime-web wasm is
 * timed by browser-toy.bench.ts (the e2e harness): `npm run bench -- toy` runs both.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { BenchFigure } from './run.ts';
import { medianMs } from './run.ts';
import { toyPackages } from '../../src/toy/toyPackage.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import type { GraphDocument } from '../../src/graph/document.ts';

const ROOT = join(import.meta.dirname, '../..');
const STEPS = 20;

function toyGraph(seed: number): GraphDocument {
  const loaded = loadGraph(JSON.parse(readFileSync(join(ROOT, 'graphs/toy-txt2img.json'), 'utf8')));
  if (!loaded.ok) throw new Error('graphs/toy-txt2img.json does not load');
  for (const n of loaded.graph.nodes) {
    if (n.id === 'noise' || n.id === 'scheduler_state') n.params = { ...n.params, seed };
    if (n.id === 'scheduler') n.params = { ...n.params, steps: STEPS };
  }
  return loaded.graph;
}

async function unetCallMs(): Promise<number> {
  const session = await ort.InferenceSession.create(join(ROOT, 'public/models/toy-shapes/unet/model.onnx'), { intraOpNumThreads: 1 });
  const feeds = {
    sample: new ort.Tensor('float32', new Float32Array(2 * 4 * 16 * 16).fill(0.1), [2, 4, 16, 16]),
    timestep: new ort.Tensor('float32', Float32Array.from([500.5]), [1]),
    encoder_hidden_states: new ort.Tensor('float32', new Float32Array(2 * 77 * 16), [2, 77, 16]),
  };
  const ms = await medianMs(() => session.run(feeds), 51);
  await session.release();
  return ms;
}

export async function figures(): Promise<BenchFigure[]> {
  const buildStart = performance.now();
  const packages = toyPackages();
  const buildMs = performance.now() - buildStart;
  let bytes = 0;
  for (const files of packages.values()) for (const b of files.values()) bytes += b.length;

  const runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
  const engine = createEngine({ registry: defaultRegistry(), services: { runtime } });
  const run = async (seed: number) => {
    const start = performance.now();
    const r = await engine.run(toyGraph(seed));
    if (!r.ok) throw new Error(`${r.error?.node}: ${r.error?.message}`);
    return performance.now() - start;
  };
  const cold = await run(1);
  const warm: number[] = [];
  for (let seed = 100; seed < 105; seed++) warm.push(await run(seed));
  warm.sort((a, b) => a - b);
  await runtime.release();

  return [
    { name: 'toy-shapes family build (4 packages)', value: buildMs, unit: 'ms', note: `${(bytes / 1e6).toFixed(2)} MB` },
    { name: 'toy-shapes UNet, one batch-2 call (CFG pair)', value: await unetCallMs(), unit: 'ms', note: 'onnxruntime-node, 1 thread, median of 51' },
    { name: `toy-txt2img ${STEPS} steps, Node: cold`, value: cold, unit: 'ms', note: 'fresh runtime: package read, sessions, run' },
    { name: `toy-txt2img ${STEPS} steps, Node: warm`, value: warm[Math.floor(warm.length / 2)], unit: 'ms', note: 'median of 5, new seed each' },
  ];
}
