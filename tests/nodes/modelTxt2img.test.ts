/**
 * Full text-to-image through the engine on each tiny SD-style package: the shipped toy graph
 * (prompt → tokenize → encode, scheduler from the package config, seeded noise, the sampler as a
 * repeat zone with two denoise calls and CFG, VAE decode), pointed at the tiny package, run with
 * onnxruntime-node and onnxruntime-web's wasm backend. Both must agree.
 */
import type { Engine } from '../../src/engine/index.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import type { TinySdVariant } from '../fixtures/tinySd.ts';
import { useTinySdEngines } from './modelEngines.ts';
import { txt2imgGraph as txt2imgGraphWith } from './modelGraph.ts';

const STEPS = 4;
const txt2imgGraph = (dir: string, opts: { batchedCfg?: boolean } = {}) => txt2imgGraphWith(dir, { steps: STEPS, ...opts });
const env = useTinySdEngines(['sd15', 'sd-turbo', 'sd15-fp16', 'lcm']);

async function image(e: Engine, g: GraphDocument): Promise<Tensor> {
  const result = await e.run(g, { outputs: ['decode'] });
  if (!result.ok) throw new Error(`${result.error?.node}: ${result.error?.message}`);
  return result.outputs.decode.image as Tensor;
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(Number(a.data[i]) - Number(b.data[i])));
  return m;
}

describe('text-to-image on tiny SD packages', () => {
  it.each(['sd15', 'sd-turbo', 'sd15-fp16', 'lcm'] as TinySdVariant[])('%s: node and web (wasm) give the same image', async (variant) => {
    const g = txt2imgGraph(env.fixtures.packages[variant].dir);
    const [a, b] = await Promise.all([image(env.engine, g), image(env.webEngine, g)]);
    expect(a.shape).toEqual([1, 3, 64, 64]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of a.data as Float32Array) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max - min).toBeGreaterThan(0.05); // not a flat image
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-3);
  });

  it('batch-2 CFG in one denoise node matches two denoise nodes', async () => {
    const dir = env.fixtures.packages.sd15.dir;
    const [two, one] = await Promise.all([image(env.engine, txt2imgGraph(dir)), image(env.engine, txt2imgGraph(dir, { batchedCfg: true }))]);
    expect(maxAbsDiff(two, one)).toBeLessThan(1e-4);
  });

  it('a bad model mid-loop fails at the denoise node, and the next run works', async () => {
    const g = txt2imgGraph(env.fixtures.packages.sd15.dir);
    g.models.toy = { source: env.fixtures.packages['sd-turbo'].dir }; // hidden 1024
    const mixed = structuredClone(g);
    // Text from sd-turbo (1024) into the sd15 UNet (768): a shape mismatch named at the denoiser.
    mixed.models.unet15 = { source: env.fixtures.packages.sd15.dir };
    mixed.nodes.push({ id: 'load15', type: 'model/load', version: 1, params: { model: 'unet15' } });
    mixed.edges = mixed.edges.map((e) => (e.to.port === 'denoiser' ? { ...e, from: { node: 'load15', port: 'denoiser' } } : e));
    const failed = await env.engine.run(mixed, { outputs: ['decode'] });
    expect(failed.ok).toBe(false);
    expect(failed.error?.node).toMatch(/^denoise/);
    expect(failed.error?.message).toMatch(/unet\/model\.onnx input `encoder_hidden_states` expects shape \[batch, 77, 768\], got \[1, 77, 1024\]/);
    expect((await image(env.engine, g)).shape).toEqual([1, 3, 64, 64]);
  });
});
