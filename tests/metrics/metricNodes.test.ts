/**
 * The metric and guidance nodes one by one, on real ONNX sessions (onnxruntime-node): image
 * preprocessing (resize to a model's fixed size, normalisation, per-image calls for batch-1
 * models) through a small identity model written with OnnxGraphBuilder; statistics files through
 * metrics/features → json → metrics/load-stats from a path; guidance/classifier's three prediction
 * parametrisations against each other with the real toy classifier.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { OnnxGraphBuilder } from '../../src/onnx/builder.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { metricsFeatures } from '../../nodes/metrics/features.ts';
import { metricsLoadStats } from '../../nodes/metrics/loadStats.ts';
import { metricsSaveStats } from '../../nodes/metrics/saveStats.ts';
import { metricsFid } from '../../nodes/metrics/fid.ts';
import { guidanceClassifier, alphaTerms } from '../../nodes/guidance/classifier.ts';
import { samplingScheduler } from '../../nodes/sampling/scheduler.ts';
import { modelLoad } from '../../nodes/model/load.ts';
import { IMAGE_NORMALIZATIONS } from '../../nodes/metrics/modelFiles.ts';
import { resizeTensor } from '../../src/tensor/resample.ts';
import { nodeRuntime } from '../toy/graphRunner.ts';
import { mulberry32 } from '../../src/toy/rng.ts';

let runtime: Runtime;
let dir: string;
beforeAll(() => {
  runtime = nodeRuntime();
  dir = mkdtempSync(join(tmpdir(), 'metric-nodes-'));
});
afterAll(async () => {
  await runtime.release();
  rmSync(dir, { recursive: true, force: true });
});

const GRAPH = {
  format: 'latentloom.graph', version: 1, meta: {}, nodes: [], edges: [],
  models: { toy: { source: 'builtin:toy-shapes' } },
} as unknown as GraphDocument;

function ctx(nodeId: string): RunContext {
  return { nodeId, signal: new AbortController().signal, progress() {}, log: { debug() {}, info() {}, warn() {} }, services: { runtime }, graph: GRAPH };
}

type Outputs = Record<string, unknown>;
async function run(def: NodeDefinition, inputs: Record<string, unknown>, params: Record<string, unknown> = {}): Promise<Outputs> {
  const defaults = Object.fromEntries(Object.entries(def.params).map(([k, p]) => [k, (p as { default: unknown }).default]));
  return (await def.run(ctx(def.type), inputs, { ...defaults, ...params })) as Outputs;
}

function randomImages(count: number, h: number, w: number, seed: number): Tensor<'float32'> {
  const rand = mulberry32(seed);
  return Tensor.float32([count, 3, h, w], Float32Array.from({ length: count * 3 * h * w }, () => rand()));
}

describe('metrics/features preprocessing', () => {
  it('resizes to the model\'s fixed input, normalises, and calls a batch-1 model once per image', async () => {
    // Identity model with a fixed [1, 3, 8, 8] input: output = the preprocessed pixels, flattened.
    const g = new OnnxGraphBuilder({ opset: 17 });
    const x = g.input('pixel_values', 'float32', [1, 3, 8, 8]);
    g.output(g.op('Flatten', [x], { axis: 1 }), 'pooled', 'float32', [1, 192]);
    const path = join(dir, 'identity.onnx');
    writeFileSync(path, g.toBytes());
    const images = randomImages(3, 4, 4, 1);
    const out = await run(metricsFeatures, { images }, { file: path, normalize: 'clip' });
    const features = out.features as Tensor<'float32'>;
    expect(features.shape).toEqual([3, 192]);
    const resized = resizeTensor(images, 8, 8, { mode: 'bilinear' });
    const { mean, std } = IMAGE_NORMALIZATIONS.clip;
    let worst = 0;
    for (let i = 0; i < resized.data.length; i++) {
      const c = Math.floor(i / 64) % 3;
      worst = Math.max(worst, Math.abs(features.data[i] - (resized.data[i] - mean[c]) / std[c]));
    }
    expect(worst).toBeLessThan(1e-5);
    expect((out.stats as { count: number }).count).toBe(3);
  });

  it('refuses an unknown output with the list of outputs, and a single image', async () => {
    const path = join(dir, 'identity.onnx');
    await expect(run(metricsFeatures, { images: randomImages(2, 8, 8, 2) }, { file: path, output: 'nope' })).rejects.toThrow(/no output `nope`; outputs are: pooled/);
    await expect(run(metricsFeatures, { images: randomImages(1, 8, 8, 2) }, { file: path })).rejects.toThrow(/at least 2 images/);
  });
});

describe('statistics files', () => {
  it('metrics/features → metrics/save-stats → file → metrics/load-stats (a path, no package) → metrics/fid = 0', async () => {
    const path = join(dir, 'identity.onnx');
    const features = await run(metricsFeatures, { images: randomImages(40, 8, 8, 3) }, { file: path });
    const saved = await run(metricsSaveStats, { stats: features.stats });
    const file = join(dir, 'stats.json');
    writeFileSync(file, saved.json as string);
    const loaded = await run(metricsLoadStats, {}, { file });
    expect(loaded.count).toBe(40);
    const fid = await run(metricsFid, { a: features.stats, b: loaded.stats });
    expect(Math.abs(fid.fid as number)).toBeLessThan(1e-9);
    const other = await run(metricsFeatures, { images: randomImages(40, 8, 8, 4) }, { file: path });
    expect((await run(metricsFid, { a: other.stats, b: loaded.stats })).fid as number).toBeGreaterThan(0);
  });
});

describe('guidance/classifier', () => {
  it('shifts ε, x₀ and v predictions consistently: the guided ε, x₀ and v describe the same step', async () => {
    const load = await run(modelLoad, {}, { model: 'toy' });
    const { schedule } = await run(samplingScheduler, { config: load.scheduler_config }, { scheduler: 'auto', steps: 20 });
    const rand = mulberry32(5);
    const shape = [2, 4, 16, 16];
    const size = 2 * 1024;
    const gaussian = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
    const x = Float32Array.from({ length: size }, gaussian);
    const eps = Float32Array.from({ length: size }, gaussian);
    const t = 600;
    const acp = (schedule as { scheduler: { alphasCumprod: Float32Array } }).scheduler.alphasCumprod;
    const { a, s } = alphaTerms(acp, t);
    expect(a).toBeCloseTo(Math.sqrt(acp[t]), 6);
    expect(s).toBeCloseTo(Math.sqrt(1 - acp[t]), 6);
    const x0 = eps.map((e, i) => (x[i] - s * e) / a);
    const v = eps.map((e, i) => a * e - s * x0[i]);
    const common = { latent: { samples: Tensor.float32(shape, x) }, timestep: t, schedule, package: load.package };
    const guided = async (prediction: Float32Array, type: string) =>
      ((await run(guidanceClassifier, { ...common, prediction: { samples: Tensor.float32(shape, prediction) } }, { prediction_type: type, scale: 2, class_label: 5 })).prediction as { samples: Tensor<'float32'> }).samples.data;
    const epsG = await guided(eps, 'epsilon');
    const x0G = await guided(x0, 'sample');
    const vG = await guided(v, 'v_prediction');
    let moved = 0;
    let worstX0 = 0;
    let worstV = 0;
    for (let i = 0; i < size; i++) {
      moved = Math.max(moved, Math.abs(epsG[i] - eps[i]));
      const x0FromEps = (x[i] - s * epsG[i]) / a;
      worstX0 = Math.max(worstX0, Math.abs(x0G[i] - x0FromEps));
      worstV = Math.max(worstV, Math.abs(vG[i] - (a * epsG[i] - s * x0FromEps)));
    }
    expect(moved).toBeGreaterThan(0.01);
    expect(worstX0).toBeLessThan(1e-4);
    expect(worstV).toBeLessThan(1e-4);
    // Scale 0 hands the prediction on unchanged; `auto` reads the toy config's epsilon.
    const same = await run(guidanceClassifier, { ...common, prediction: { samples: Tensor.float32(shape, eps) } }, { scale: 0 });
    expect((same.prediction as { samples: Tensor<'float32'> }).samples.data).toEqual(eps);
    const auto = await run(guidanceClassifier, { ...common, prediction: { samples: Tensor.float32(shape, eps) } }, { scale: 2, class_label: 5 });
    expect((auto.prediction as { samples: Tensor<'float32'> }).samples.data).toEqual(epsG);
  });
});

describe('metrics/save-stats from the command line', () => {
  it('latentloom run writes feature-stats_00001.json under --out, and it loads back to the same statistics', async () => {
    const { runCli } = await import('../../src/cli/cli.ts');
    const { loadExample } = await import('../toy/graphRunner.ts');
    const { statsFromJson } = await import('../../src/metrics/stats.ts');
    const { readFileSync, readdirSync } = await import('node:fs');
    const graph = loadExample('toy-metrics.json');
    graph.nodes.push({ id: 'save_stats', type: 'metrics/save-stats', version: 1, params: { filename_prefix: 'feature-stats' }, ui: { x: 3640, y: 700 } } as never);
    graph.edges.push({ from: { node: 'features', port: 'stats' }, to: { node: 'save_stats', port: 'stats' } } as never);
    const graphFile = join(dir, 'metrics-save.json');
    writeFileSync(graphFile, JSON.stringify(graph));
    const out = join(dir, 'out');
    const lines: string[] = [];
    const code = await runCli(['run', graphFile, '--out', out, '--json'], { print: (l) => lines.push(l), log: () => {} });
    expect(code, lines.join('\n')).toBe(0);
    expect(readdirSync(out)).toContain('feature-stats_00001.json');
    const stats = statsFromJson(readFileSync(join(out, 'feature-stats_00001.json'), 'utf8'));
    expect(stats.count).toBe(8);
    expect(stats.dim).toBe(16);
  });
});
