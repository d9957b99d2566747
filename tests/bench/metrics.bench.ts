/**
 * Metric figures, Node: feature extraction through the built-in toy extractor and the toy CLIP
 * image encoder (onnxruntime-node, one thread, batches of 32, as metrics/features runs them), and
 * FID compute time (two symmetric eigen-decompositions by Jacobi, float64) at several feature widths;
 * and sweep throughput: graphs/toy-guidance-sweep.json's own sweep (CFG 1, 3, 5, 7.5 × 16 seeds, 8
 * pictures of 20 steps with CFG per point, each scored by CLIP score and two FIDs) on one engine, as
 * `latentloom sweep` runs it in process. The browser's figure is in browser-toy.bench.ts.
 */
import { join } from 'node:path';
import type { BenchFigure } from './run.ts';
import { medianMs } from './run.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createWebBackend } from '../../src/runtime/backends/web.ts';
import { fileRefFromLocation, type Runtime } from '../../src/runtime/runtime.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { buildDataset } from '../../src/toy/dataset.ts';
import { runImageModel } from '../../nodes/metrics/modelFiles.ts';
import { statsFromMoments } from '../../src/metrics/stats.ts';
import { frechetDistance } from '../../src/metrics/fid.ts';
import { mulberry32 } from '../../src/toy/rng.ts';
import { engineFor, loadExample, nodeRuntime, runStoredSweep, withParams } from '../toy/graphRunner.ts';

const CLIP_DIR = join(import.meta.dirname, '../../public/models/toy-shapes-clip');

function randomSpd(n: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const a = Float64Array.from({ length: n * n }, () => rand() - 0.5);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * a[j * n + k];
    out[i * n + j] = s + (i === j ? 0.01 : 0);
  }
  return out;
}

export async function figures(): Promise<BenchFigure[]> {
  const items = buildDataset();
  const size = 3 * 64 * 64;
  const data = new Float32Array(items.length * size);
  items.forEach((it, n) => data.set(it.pixels.map((v) => (v + 1) / 2), n * size));
  const images = Tensor.float32([items.length, 3, 64, 64], data);

  const runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
  const out: BenchFigure[] = [];
  for (const [file, output, label] of [
    ['feature_extractor/model.onnx', 'features', 'toy feature extractor'],
    ['image_encoder/model.onnx', 'image_embeds', 'toy CLIP image encoder'],
  ] as const) {
    const session = await runtime.session(await fileRefFromLocation(runtime, join(CLIP_DIR, file), 'bench'));
    const input = session.inputs[0].name;
    const ms = await medianMs(() => runImageModel(session, 'bench', images, { input, output, normalize: 'none', batchSize: 32 }), 9);
    out.push({ name: `${label}: 240 images 64×64, batches of 32`, value: (items.length / ms) * 1000, unit: 'images/s', note: `${ms.toFixed(1)} ms per 240` });
  }
  await runtime.release();

  for (const dim of [16, 64, 256]) {
    const a = statsFromMoments(new Float64Array(dim), randomSpd(dim, dim));
    const b = statsFromMoments(new Float64Array(dim).fill(0.1), randomSpd(dim, dim + 1));
    const ms = await medianMs(() => frechetDistance(a, b), dim >= 256 ? 3 : 9);
    out.push({ name: `FID of two statistics, D = ${dim}`, value: ms, unit: 'ms', note: dim === 16 ? 'the toy features' : undefined });
  }
  out.push(...(await sweepFigures()));
  return out;
}

/**
 * Pictures per second of the toy guidance sweep in Node: cold (sessions made) and warm (a second
 * sweep on new seeds), on onnxruntime-node and on onnxruntime-web's wasm build (what the browser
 * runs, so the Chromium figure's cost splits into wasm's and the editor's).
 */
async function sweepFigures(): Promise<BenchFigure[]> {
  const out: BenchFigure[] = [];
  const backends: [string, () => Promise<Runtime>][] = [
    ['onnxruntime-node', async () => nodeRuntime()],
    ['onnxruntime-web wasm', async () => createNodeRuntime({ backend: await createWebBackend({ executionProvider: 'wasm' }) })],
  ];
  for (const [label, make] of backends) {
    const runtime = await make();
    try {
      const engine = engineFor(runtime);
      const graph = loadExample('toy-guidance-sweep.json');
      const points = 64;
      const pictures = points * (graph.nodes.find((n) => n.id === 'noise')!.params.batch as number);
      const cold = await runStoredSweep(engine, graph);
      // New seeds, so nothing but the prompt encodings and the reference statistics comes from the cache.
      const warmGraph = withParams(graph, {});
      (warmGraph.meta.extra!.sweep as { axes: { param: string; values: string }[] }).axes[1].values = '101..116';
      const warm = await runStoredSweep(engine, warmGraph);
      out.push(
        { name: `toy guidance sweep, Node ${label}: cold`, value: pictures / cold.seconds, unit: 'images/s', note: `${points} runs × 8 pictures in ${cold.seconds.toFixed(2)} s, sessions made` },
        { name: `toy guidance sweep, Node ${label}: warm`, value: pictures / warm.seconds, unit: 'images/s', note: `${points} runs × 8 pictures in ${warm.seconds.toFixed(2)} s` },
      );
    } finally {
      await runtime.release();
    }
  }
  return out;
}
