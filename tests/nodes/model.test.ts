import type { Engine } from '../../src/engine/index.ts';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LatentValue } from '../../nodes/types.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { inspectDenoiserPorts } from '../../nodes/diffusion/denoise.ts';
import type { TinySdVariant } from '../fixtures/tinySd.ts';
import { useTinySdEngines } from './modelEngines.ts';
import { graph, oneStepGraph } from './modelGraph.ts';

const env = useTinySdEngines(['sd15', 'sd-turbo', 'sd15-fp16', 'lcm']);

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(Number(a.data[i]) - Number(b.data[i])));
  return m;
}

async function runOk(e: Engine, g: ReturnType<typeof graph>, outputs: string[]) {
  const result = await e.run(g, { outputs });
  if (!result.ok) throw new Error(`run failed: ${JSON.stringify(result.error)}`);
  return result.outputs;
}

describe('model/load', () => {
  it('hands out handles, scheduler config and scaling factor without opening sessions', async () => {
    const sessionsBefore = env.nodeRuntime.sessions.size;
    const out = await runOk(env.engine, graph({ sd: env.fixtures.packages['sd-turbo'].dir }, [['load', 'model/load', { model: 'sd' }]], []), ['load']);
    const load = out.load;
    expect((load.scheduler_config as Record<string, unknown>)._class_name).toBe('EulerDiscreteScheduler');
    expect(load.vae_scaling_factor).toBeCloseTo(0.18215, 6);
    expect((load.denoiser as { kind: string }).kind).toBe('DENOISER');
    expect((load.tokenizer as { modelMaxLength: number }).modelMaxLength).toBe(77);
    expect(env.nodeRuntime.sessions.size).toBe(sessionsBefore);
  });

  it('hands out SDXL\'s second tokenizer and text encoder when the package has them', async () => {
    const dir = env.fixtures.packages.sd15.dir;
    const plain = await runOk(env.engine, graph({ sd: dir }, [['load', 'model/load', { model: 'sd' }]], []), ['load']);
    expect(plain.load.text_encoder_2).toBeUndefined();
    const xl = join(env.fixtures.root, 'xl-like');
    cpSync(dir, xl, { recursive: true });
    cpSync(join(dir, 'tokenizer'), join(xl, 'tokenizer_2'), { recursive: true });
    cpSync(join(dir, 'text_encoder'), join(xl, 'text_encoder_2'), { recursive: true });
    // model_index.json says which components there are (diffusers lists SDXL's second pair):
    // files it does not list are not looked for.
    const xlUnlisted = join(env.fixtures.root, 'xl-unlisted');
    cpSync(xl, xlUnlisted, { recursive: true });
    const unlisted = await runOk(env.engine, graph({ sd: xlUnlisted }, [['load', 'model/load', { model: 'sd' }]], []), ['load']);
    expect(unlisted.load.text_encoder_2).toBeUndefined();
    const index = JSON.parse(readFileSync(join(xl, 'model_index.json'), 'utf8'));
    writeFileSync(join(xl, 'model_index.json'), JSON.stringify({ ...index, _class_name: 'StableDiffusionXLPipeline', tokenizer_2: ['transformers', 'CLIPTokenizer'], text_encoder_2: ['transformers', 'CLIPTextModelWithProjection'] }));
    const out = await runOk(env.engine, graph({ sd: xl }, [['load', 'model/load', { model: 'sd' }]], []), ['load']);
    expect((out.load.text_encoder_2 as { model: { label: string } }).model.label).toBe('text_encoder_2/model.onnx');
    expect((out.load.tokenizer_2 as { modelMaxLength: number }).modelMaxLength).toBe(77);
  });

  it('a package of ONNX files only (no tokenizer/) loads, as web exports that borrow a tokenizer do', async () => {
    const onnxOnly = join(env.fixtures.root, 'onnx-only');
    for (const part of ['text_encoder', 'unet', 'vae_decoder']) cpSync(join(env.fixtures.packages.sd15.dir, part), join(onnxOnly, part), { recursive: true });
    const logs: string[] = [];
    const result = await env.engine.run(graph({ sd: onnxOnly }, [['load', 'model/load', { model: 'sd' }]], []), {
      outputs: ['load'],
      onEvent: (e) => {
        if (e.type === 'node-log') logs.push(e.message);
      },
    });
    expect(result.ok).toBe(true);
    expect(result.outputs.load.tokenizer).toBeUndefined();
    expect((result.outputs.load.denoiser as { kind: string }).kind).toBe('DENOISER');
    expect(logs.join('\n')).toMatch(/has a text encoder but no tokenizer\/ folder/);
  });

  it('names the node and the known keys when the models table lacks the key', async () => {
    const g = graph({ other: env.fixtures.packages.sd15.dir }, [['load', 'model/load', { model: 'sd' }]], []);
    const result = await env.engine.run(g, { outputs: ['load'] });
    expect(result.ok).toBe(false);
    expect(result.error?.node).toBe('load');
    expect(result.error?.message).toMatch(/model "sd" is not in the graph's models table|unknown model|sd/);
  });
});

describe('one denoising step through the engine', () => {
  it.each(['sd15', 'sd-turbo', 'sd15-fp16', 'lcm'] as TinySdVariant[])('%s: onnxruntime-node and onnxruntime-web agree', async (variant) => {
    const g = oneStepGraph(env.fixtures.packages[variant].dir, { negative: true });
    const [a, b] = await Promise.all([runOk(env.engine, g, ['decode', 'denoise']), runOk(env.webEngine, g, ['decode', 'denoise'])]);
    const image = a.decode.image as Tensor;
    expect(image.shape).toEqual([1, 3, 64, 64]);
    expect(Math.min(...image.data as Float32Array)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...image.data as Float32Array)).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(image, b.decode.image as Tensor)).toBeLessThan(1e-4);
    const cond = (a.denoise.noise_pred as LatentValue).samples;
    const uncond = (a.denoise.noise_pred_uncond as LatentValue).samples;
    expect(maxAbsDiff(cond, (b.denoise.noise_pred as LatentValue).samples)).toBeLessThan(1e-4);
    expect(maxAbsDiff(cond, uncond)).toBeGreaterThan(1e-4); // the prompts differ
  });

  it('batch-2 CFG gives the same predictions as two calls', async () => {
    const dir = env.fixtures.packages.sd15.dir;
    const batched = await runOk(env.engine, oneStepGraph(dir, { negative: true, denoise: { batch_cfg: true } }), ['denoise']);
    const separate = await runOk(env.engine, oneStepGraph(dir, { negative: true, denoise: { batch_cfg: false } }), ['denoise']);
    for (const port of ['noise_pred', 'noise_pred_uncond']) {
      expect(maxAbsDiff((batched.denoise[port] as LatentValue).samples, (separate.denoise[port] as LatentValue).samples)).toBeLessThan(1e-5);
    }
  });

  it("LCM's timestep_cond is an extra socket, filled from the guidance scale when left open", async () => {
    const pkg = await env.nodeRuntime.openPackage({ source: env.fixtures.packages.lcm.dir });
    const { packageFileRef } = await import('../../src/runtime/handles.ts');
    const ports = await inspectDenoiserPorts(env.nodeRuntime, { kind: 'DENOISER', model: packageFileRef(pkg, 'unet/model.onnx') });
    expect(ports).toEqual([{ name: 'timestep_cond', type: 'TENSOR' }]);
    const dir = env.fixtures.packages.lcm.dir;
    const at = (scale: number) => runOk(env.engine, oneStepGraph(dir, { denoise: { extra_inputs: ports, lcm_guidance_scale: scale } }), ['denoise']);
    const [w4, w8] = await Promise.all([at(4), at(8)]);
    expect(maxAbsDiff((w4.denoise.noise_pred as LatentValue).samples, (w8.denoise.noise_pred as LatentValue).samples)).toBeGreaterThan(1e-4);
    expect(env.engine.registry.get('diffusion/denoise')!.dynamicPorts!({ extra_inputs: ports }).inputs).toHaveProperty('timestep_cond');
  });
});

describe('node-scoped errors leave the engine usable', () => {
  it('a latent with the wrong channel count names the node, file and input', async () => {
    const g = oneStepGraph(env.fixtures.packages.sd15.dir);
    g.nodes.find((n) => n.id === 'latent')!.params.channels = 3;
    const result = await env.engine.run(g, { outputs: ['denoise'] });
    expect(result.ok).toBe(false);
    expect(result.error?.node).toBe('denoise');
    expect(result.error?.code).toBe('shape-mismatch');
    expect(result.error?.message).toMatch(/unet\/model\.onnx input `sample` expects shape \[batch, 4, height, width\], got \[1, 3, 8, 8\]/);
    const again = await env.engine.run(oneStepGraph(env.fixtures.packages.sd15.dir), { outputs: ['denoise'] });
    expect(again.ok).toBe(true);
  });

  it('a package pointing at a missing folder fails at the node that opens the model', async () => {
    const g = oneStepGraph(`${env.fixtures.root}/does-not-exist`);
    const result = await env.engine.run(g, { outputs: ['decode'] });
    expect(result.ok).toBe(false);
    expect(result.error?.node).toBe('load');
    expect(result.error?.code).toBe('missing-file');
    expect(result.error?.message).toMatch(/model "sd" \(.*does-not-exist\) has none of the files of a model package/);
  });
});

describe('free dimension overrides from the models table', () => {
  it('pins the UNet batch to 1: a batch-2 latent is a clear error naming the pinned shape', async () => {
    const g = oneStepGraph(env.fixtures.packages.sd15.dir);
    g.models.sd.extra = { freeDimensionOverrides: { unet: { batch: 1, height: 8, width: 8 } } };
    expect((await env.engine.run(g, { outputs: ['denoise'] })).ok).toBe(true);
    g.nodes.find((n) => n.id === 'latent')!.params.batch = 2;
    const result = await env.engine.run(g, { outputs: ['denoise'] });
    expect(result.error?.node).toBe('denoise');
    expect(result.error?.message).toContain('unet/model.onnx input `sample` expects shape [1, 4, 8, 8], got [2, 4, 8, 8]');
  });
});
