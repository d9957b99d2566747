/**
 * Full text-to-image through the engine on each tiny SD-style package: the shipped toy graph
 * (prompt → tokenize → encode, scheduler from the package config, seeded noise, the sampler as a
 * repeat zone with two denoise calls and CFG, VAE decode), pointed at the tiny package, run with
 * onnxruntime-node and onnxruntime-web's wasm backend. Both must agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../src/engine/index.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createWebBackend } from '../../src/runtime/backends/web.ts';
import { createNodeRuntime, REPO_ROOT } from '../../src/runtime/node/index.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { makeTinySdPackages, type TinySdVariant } from '../fixtures/tinySd.ts';

const fixtures = makeTinySdPackages(['sd15', 'sd-turbo', 'sd15-fp16', 'lcm']);
const toyGraph = JSON.parse(readFileSync(join(REPO_ROOT, 'graphs', 'toy-txt2img.json'), 'utf8')) as GraphDocument;
const STEPS = 4;

/** The toy graph on a tiny package: 64×64 image (8×8 latent), few steps, no file output. */
export function txt2imgGraph(dir: string, opts: { steps?: number; batchedCfg?: boolean } = {}): GraphDocument {
  const g = structuredClone(toyGraph);
  g.models = { toy: { source: dir } };
  g.nodes = g.nodes.filter((n) => n.type !== 'image/save' && n.type !== 'image/preview');
  g.edges = g.edges.filter((e) => g.nodes.some((n) => n.id === e.to.node));
  const byId = (id: string) => g.nodes.find((n) => n.id === id)!;
  byId('scheduler').params.steps = opts.steps ?? STEPS;
  Object.assign(byId('noise').params, { width: 64, height: 64, downscale: 8 });
  byId('negative').params.text = 'blurry, low quality';
  if (opts.batchedCfg) {
    // One denoise node with positive and negative → both predictions from one batch-2 call.
    g.nodes = g.nodes.filter((n) => n.id !== 'denoise_negative');
    g.edges = g.edges.filter((e) => e.to.node !== 'denoise_negative' && e.from.node !== 'denoise_negative');
    g.edges.push(
      { from: { node: 'encode_negative', port: 'conditioning' }, to: { node: 'denoise', port: 'negative' } },
      { from: { node: 'denoise', port: 'noise_pred_uncond' }, to: { node: 'cfg', port: 'uncond' } },
    );
  }
  return g;
}

let nodeRuntime: Runtime;
let webRuntime: Runtime;
let engine: Engine;
let webEngine: Engine;
beforeAll(async () => {
  nodeRuntime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
  webRuntime = createNodeRuntime({ backend: await createWebBackend({ executionProvider: 'wasm', numThreads: 1 }) });
  engine = createEngine({ registry: defaultRegistry(), services: { runtime: nodeRuntime } });
  webEngine = createEngine({ registry: defaultRegistry(), services: { runtime: webRuntime } });
});
afterAll(async () => {
  await nodeRuntime.release();
  await webRuntime.release();
  fixtures.cleanup();
});

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
    const g = txt2imgGraph(fixtures.packages[variant].dir);
    const [a, b] = await Promise.all([image(engine, g), image(webEngine, g)]);
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
    const dir = fixtures.packages.sd15.dir;
    const [two, one] = await Promise.all([image(engine, txt2imgGraph(dir)), image(engine, txt2imgGraph(dir, { batchedCfg: true }))]);
    expect(maxAbsDiff(two, one)).toBeLessThan(1e-4);
  });

  it('a bad model mid-loop fails at the denoise node, and the next run works', async () => {
    const g = txt2imgGraph(fixtures.packages.sd15.dir);
    g.models.toy = { source: fixtures.packages['sd-turbo'].dir }; // hidden 1024
    const mixed = structuredClone(g);
    // Text from sd-turbo (1024) into the sd15 UNet (768): a shape mismatch named at the denoiser.
    mixed.models.unet15 = { source: fixtures.packages.sd15.dir };
    mixed.nodes.push({ id: 'load15', type: 'model/load', version: 1, params: { model: 'unet15' } });
    mixed.edges = mixed.edges.map((e) => (e.to.port === 'denoiser' ? { ...e, from: { node: 'load15', port: 'denoiser' } } : e));
    const failed = await engine.run(mixed, { outputs: ['decode'] });
    expect(failed.ok).toBe(false);
    expect(failed.error?.node).toMatch(/^denoise/);
    expect(failed.error?.message).toMatch(/unet\/model\.onnx input `encoder_hidden_states` expects shape \[batch, 77, 768\], got \[1, 77, 1024\]/);
    expect((await image(engine, g)).shape).toEqual([1, 3, 64, 64]);
  });
});
