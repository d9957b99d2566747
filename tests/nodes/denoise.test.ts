/**
 * `diffusion/denoise` on denoisers whose inputs are not named as diffusers exports name them,
 * and on models that are no denoiser at all, run directly with a real runtime.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffusionDenoise } from '../../nodes/diffusion/denoise.ts';
import { guidanceScaleEmbedding } from '../../nodes/diffusion/denoiseFeeds.ts';
import { OnnxGraphBuilder } from '../../src/onnx/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { fileRefFromLocation, type Runtime } from '../../src/runtime/runtime.ts';
import type { RunContext } from '../../src/graph/nodeSpec.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { randomWeights } from '../fixtures/tinySdModels.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-denoise-'));
let runtime: Runtime;
beforeAll(() => {
  runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
  mkdirSync(dir, { recursive: true });
  // k-diffusion-style names: x, t (float, rank 0), context; output `out`. out = x·mean(context) + t.
  // Once with a free batch, once pinned to batch 1 (as some web exports are).
  for (const [file, batch] of [['renamed.onnx', 'batch'], ['renamed-b1.onnx', 1]] as const) {
    const g = new OnnxGraphBuilder();
    const x = g.input('x', 'float32', [batch, 4, 'h', 'w']);
    const t = g.input('t', 'float32', []);
    const c = g.input('context', 'float32', [batch, 77, 8]);
    const mean = g.op('Reshape', [g.op('ReduceMean', [c], { axes: [1, 2], keepdims: 0 }), g.constant(new Tensor('int64', [4], BigInt64Array.from([-1n, 1n, 1n, 1n])))]);
    g.output(g.op('Add', [g.op('Mul', [x, mean]), t]), 'out', 'float32', [batch, 4, 'h', 'w']);
    writeFileSync(join(dir, file), g.toBytes());
  }
  // Not a denoiser: a text encoder.
  const te = new OnnxGraphBuilder();
  const ids = te.input('input_ids', 'int32', ['batch', 77]);
  te.output(te.op('Cast', [ids], { to: 1 }), 'last_hidden_state', 'float32', ['batch', 77]);
  writeFileSync(join(dir, 'text.onnx'), te.toBytes());
  // SDXL-style: out = 0·sample + mean(text_embeds) + sum(time_ids), per batch item.
  const xl = new OnnxGraphBuilder();
  const s = xl.input('sample', 'float32', ['batch', 4, 'h', 'w']);
  xl.input('timestep', 'float32', [1]);
  xl.input('encoder_hidden_states', 'float32', ['batch', 77, 16]);
  const te2 = xl.input('text_embeds', 'float32', ['batch', 12]);
  const ids2 = xl.input('time_ids', 'float32', ['batch', 6]);
  const perItem = xl.op('Add', [xl.op('ReduceMean', [te2], { axes: [1], keepdims: 0 }), xl.op('ReduceSum', [ids2, xl.constant(new Tensor('int64', [1], BigInt64Array.from([1n])))], { keepdims: 0 })]);
  const bias = xl.op('Reshape', [perItem, xl.constant(new Tensor('int64', [4], BigInt64Array.from([-1n, 1n, 1n, 1n])))]);
  xl.output(xl.op('Add', [xl.op('Mul', [s, xl.constant(Tensor.float32([1], [0]))]), bias]), 'out_sample', 'float32', ['batch', 4, 'h', 'w']);
  writeFileSync(join(dir, 'xl.onnx'), xl.toBytes());
});
afterAll(async () => {
  await runtime.release();
  rmSync(dir, { recursive: true, force: true });
});

function ctx(nodeId: string): RunContext {
  return {
    nodeId,
    signal: new AbortController().signal,
    progress: () => undefined,
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
    services: { runtime },
    graph: { format: 'latentloom.graph', version: 1, meta: {}, models: {}, nodes: [], edges: [] },
  };
}

async function denoise(file: string, inputs: Record<string, unknown>, params: Record<string, unknown> = {}) {
  const model = await fileRefFromLocation(runtime, join(dir, file), 'test');
  return diffusionDenoise.run(ctx('unet'), { denoiser: { kind: 'DENOISER', model }, ...inputs }, { batch_cfg: true, lcm_guidance_scale: 8.5, extra_inputs: [], ...params }) as Promise<Record<string, { samples: Tensor<'float32'> }>>;
}

describe('diffusion/denoise role mapping', () => {
  it.each(['renamed.onnx', 'renamed-b1.onnx'])('%s: maps x / t / context by rank, with CFG (one batch-2 call or two calls)', async (file) => {
    const sample = randomWeights(1, [1, 4, 2, 2], 1);
    const pos = new Tensor('float32', [1, 77, 8], new Float32Array(77 * 8).fill(2));
    const neg = new Tensor('float32', [1, 77, 8], new Float32Array(77 * 8).fill(-1));
    const out = await denoise(file, { latent: { samples: sample }, timestep: 0.5, positive: { hiddenStates: pos }, negative: { hiddenStates: neg } });
    const cond = out.noise_pred.samples.data;
    const uncond = out.noise_pred_uncond.samples.data;
    for (let i = 0; i < sample.size; i++) {
      expect(cond[i]).toBeCloseTo(sample.data[i] * 2 + 0.5, 5);
      expect(uncond[i]).toBeCloseTo(-sample.data[i] + 0.5, 5);
    }
  });

  it('refuses a model that has no latent input, listing its inputs', async () => {
    const call = denoise('text.onnx', { latent: { samples: Tensor.zeros([1, 4, 2, 2]) }, timestep: 1, positive: { hiddenStates: Tensor.zeros([1, 77, 8]) } });
    await expect(call).rejects.toThrow(/^node "unet": \/.*\/text\.onnx has no latent input \(looked for sample\/x\/latent_model_input\/latents\/noisy_latents or a rank-4 input\); inputs are: input_ids$/);
  });

  it('checks conditioning batch against the latent batch', async () => {
    const call = denoise('renamed.onnx', { latent: { samples: Tensor.zeros([3, 4, 2, 2]) }, timestep: 1, positive: { hiddenStates: Tensor.zeros([2, 77, 8]) } });
    await expect(call).rejects.toThrow('node "unet": positive conditioning has batch 2 but the latent has 3');
  });
});

describe('SDXL-style extra inputs', () => {
  it('fills text_embeds from the pooled conditioning and time_ids from the latent size', async () => {
    const fill = (shape: number[], v: number) => new Tensor('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v));
    const inputs = {
      latent: { samples: Tensor.zeros([1, 4, 2, 2]) },
      timestep: 10,
      positive: { hiddenStates: fill([1, 77, 16], 0), pooled: fill([1, 12], 1) },
      negative: { hiddenStates: fill([1, 77, 16], 0), pooled: fill([1, 12], -1) },
    };
    // time_ids for a 16×16 image: [16, 16, 0, 0, 16, 16] → sum 64.
    for (const batch_cfg of [true, false]) {
      const out = await denoise('xl.onnx', inputs, { batch_cfg });
      expect(Array.from(out.noise_pred.samples.data)).toEqual(new Array(16).fill(65));
      expect(Array.from(out.noise_pred_uncond.samples.data)).toEqual(new Array(16).fill(63));
    }
  });
});

describe('LCM guidance-scale embedding', () => {
  it('matches the sinusoidal formula (w = (scale − 1)·1000; sin half, then cos half)', () => {
    const e = guidanceScaleEmbedding(8.5, 256, 2);
    expect(e.shape).toEqual([2, 256]);
    const w = 7500;
    const freq = (i: number) => Math.exp((-Math.log(10000) / 127) * i);
    for (const i of [0, 1, 64, 127]) {
      expect(e.data[i]).toBeCloseTo(Math.sin(w * freq(i)), 3);
      expect(e.data[128 + i]).toBeCloseTo(Math.cos(w * freq(i)), 3);
      expect(e.data[256 + i]).toBe(e.data[i]);
    }
  });
});
