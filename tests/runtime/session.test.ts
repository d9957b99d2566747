import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createWebBackend } from '../../src/runtime/backends/web.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { packageFileRef } from '../../src/runtime/handles.ts';
import { RuntimeError, type ModelSession } from '../../src/runtime/types.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { makeTinySdPackages } from '../fixtures/tinySd.ts';
import { randomWeights } from '../fixtures/tinySdModels.ts';

const fixtures = makeTinySdPackages(['sd15', 'sd15-fp16', 'sd-turbo', 'lcm']);
afterAll(() => fixtures.cleanup());

let runtime: Runtime;
let webRuntime: Runtime;
beforeAll(async () => {
  runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
  webRuntime = createNodeRuntime({ backend: await createWebBackend({ executionProvider: 'wasm', numThreads: 1 }) });
});
afterAll(async () => {
  await runtime.release();
  await webRuntime.release();
});

async function unetOf(rt: Runtime, variant: keyof typeof fixtures.packages): Promise<ModelSession> {
  const pkg = await rt.openPackage({ source: fixtures.packages[variant].dir });
  return rt.session(packageFileRef(pkg, 'unet/model.onnx'));
}

const sample = randomWeights(7, [2, 4, 8, 8], 1);
const context = (hidden: number) => randomWeights(8, [2, 77, hidden], 1);

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(Number(a.data[i]) - Number(b.data[i])));
  return m;
}

describe('model package', () => {
  it('reads scheduler config and VAE scaling factor', async () => {
    const pkg = await runtime.openPackage({ source: fixtures.packages['sd-turbo'].dir });
    expect(pkg.schedulerConfig?._class_name).toBe('EulerDiscreteScheduler');
    expect(pkg.schedulerConfig?.timestep_spacing).toBe('trailing');
    expect(pkg.vaeScalingFactor).toBeCloseTo(0.18215, 6);
    expect(await pkg.has('unet/model.onnx_data')).toBe(true);
  });

  it('rejects unknown sources and builtin ids that climb out of the models folder', async () => {
    await expect(runtime.openPackage({ source: 'ftp://x' })).rejects.toThrow(/not builtin:<id>, folder:<name>, an http\(s\) URL or a local path/);
    await expect(runtime.openPackage({ source: 'builtin:../../etc' })).rejects.toThrow(/not a valid built-in package id/);
  });
});

describe('sessions and conversions', () => {
  it('reports the model metadata and runs with a number timestep', async () => {
    const unet = await unetOf(runtime, 'sd15');
    expect(unet.inputs.map((i) => [i.name, i.type])).toEqual([
      ['sample', 'float32'],
      ['timestep', 'int64'],
      ['encoder_hidden_states', 'float32'],
    ]);
    const out = await unet.run({ sample, timestep: 999, encoder_hidden_states: context(768) });
    expect(out.out_sample.dtype).toBe('float32');
    expect(out.out_sample.shape).toEqual([2, 4, 8, 8]);
    // The same timestep as a float32 [1] tensor or an int64 [1] tensor gives the same result.
    const asTensor = await unet.run({ sample, timestep: Tensor.float32([1], [999]), encoder_hidden_states: context(768) });
    expect(maxAbsDiff(asTensor.out_sample, out.out_sample)).toBe(0);
    const other = await unet.run({ sample, timestep: 10, encoder_hidden_states: context(768) });
    expect(maxAbsDiff(other.out_sample, out.out_sample)).toBeGreaterThan(1e-3);
  });

  it('reuses one session per file and execution provider, and releases on demand', async () => {
    const a = await unetOf(runtime, 'sd15');
    const b = await unetOf(runtime, 'sd15');
    expect(a).toBe(b);
    const pkg = await runtime.openPackage({ source: fixtures.packages.sd15.dir });
    await runtime.release(packageFileRef(pkg, 'unet/model.onnx').key);
    const c = await unetOf(runtime, 'sd15');
    expect(c).not.toBe(a);
    // The same ref object asked again (a denoiser's every step) gets the loaded session, and a
    // new one after a release.
    const ref = packageFileRef(pkg, 'unet/model.onnx');
    const d = await runtime.session(ref);
    expect(await runtime.session(ref)).toBe(d);
    await runtime.release(ref.key);
    const e = await runtime.session(ref);
    expect(e).not.toBe(d);
    expect(await runtime.session(ref)).toBe(e);
  });

  it('converts float16 model I/O from and to float32', async () => {
    const fp16 = await unetOf(runtime, 'sd15-fp16');
    expect(fp16.inputs[0].type).toBe('float16');
    const fp32 = await unetOf(runtime, 'sd15');
    const feeds = { sample, timestep: 500, encoder_hidden_states: context(768) };
    const [a, b] = await Promise.all([fp16.run(feeds), fp32.run(feeds)]);
    expect(a.out_sample.dtype).toBe('float32');
    // Same weights (same seed); the difference is float16 rounding of the I/O only.
    expect(maxAbsDiff(a.out_sample, b.out_sample)).toBeLessThan(5e-3);
  });

  it('feeds LCM timestep_cond and int64 ids by the model metadata', async () => {
    const pkg = await runtime.openPackage({ source: fixtures.packages.lcm.dir });
    const te = await runtime.session(packageFileRef(pkg, 'text_encoder/model.onnx'));
    expect(te.inputs[0].type).toBe('int64');
    const ids = new Tensor('int32', [1, 77], Int32Array.from({ length: 77 }, (_, i) => (i === 0 ? 49406 : 49407)));
    const enc = await te.run({ input_ids: ids });
    expect(enc.last_hidden_state.shape).toEqual([1, 77, 768]);
    const unet = await unetOf(runtime, 'lcm');
    const base = { sample: randomWeights(1, [1, 4, 8, 8], 1), timestep: 999, encoder_hidden_states: enc.last_hidden_state };
    const w0 = await unet.run({ ...base, timestep_cond: Tensor.zeros([1, 256]) });
    const w1 = await unet.run({ ...base, timestep_cond: randomWeights(3, [1, 256], 1) });
    expect(maxAbsDiff(w0.out_sample, w1.out_sample)).toBeGreaterThan(1e-3);
  });

  it('names the file and the input for unknown, missing and mis-shaped inputs', async () => {
    const unet = await unetOf(runtime, 'sd15');
    const good = { sample, timestep: 1, encoder_hidden_states: context(768) };
    await expect(unet.run({ ...good, x: sample }, { nodeId: 'unet1' })).rejects.toThrow(
      'node "unet1": unet/model.onnx has no input `x`; inputs are: sample, timestep, encoder_hidden_states',
    );
    await expect(unet.run({ sample, timestep: 1 })).rejects.toThrow('unet/model.onnx needs input `encoder_hidden_states`; given: sample, timestep');
    await expect(unet.run({ ...good, encoder_hidden_states: context(1024) })).rejects.toThrow(
      /unet\/model\.onnx input `encoder_hidden_states` expects shape \[batch, 77, 768\], got \[2, 77, 1024\]/,
    );
    await expect(unet.run({ ...good, sample: randomWeights(1, [4, 8, 8], 1) })).rejects.toThrow(/`sample` expects rank 4/);
    // The session is still usable after the errors.
    expect((await unet.run(good)).out_sample.shape).toEqual([2, 4, 8, 8]);
  });
});

describe('onnxruntime-web (wasm) parity with onnxruntime-node', () => {
  it.each(['sd15', 'sd-turbo', 'sd15-fp16', 'lcm'] as const)('%s UNet gives the same numbers', async (variant) => {
    const hidden = fixtures.packages[variant].options.hidden;
    const feeds: Record<string, Tensor | number> = { sample, timestep: 801, encoder_hidden_states: context(hidden) };
    if (variant === 'lcm') feeds.timestep_cond = randomWeights(4, [2, 256], 1);
    const [a, b] = await Promise.all([unetOf(runtime, variant), unetOf(webRuntime, variant)]);
    expect(webRuntime.backend.name).toBe('onnxruntime-web/wasm');
    expect(maxAbsDiff((await a.run(feeds)).out_sample, (await b.run(feeds)).out_sample)).toBeLessThan(1e-5);
  });
});

describe('bad model files', () => {
  const bad = join(fixtures.root, 'bad');
  beforeAll(() => {
    mkdirSync(join(bad, 'unet'), { recursive: true });
    mkdirSync(join(bad, 'text_encoder'), { recursive: true });
    mkdirSync(join(bad, 'vae_decoder'), { recursive: true });
    const good = readFileSync(join(fixtures.packages.sd15.dir, 'text_encoder/model.onnx'));
    writeFileSync(join(bad, 'text_encoder/model.onnx'), good.subarray(0, Math.floor(good.length / 2)));
    let s = 99;
    writeFileSync(join(bad, 'vae_decoder/model.onnx'), Uint8Array.from({ length: 5000 }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 0xff));
    // UNet without its model.onnx_data.
    copyFileSync(join(fixtures.packages.sd15.dir, 'unet/model.onnx'), join(bad, 'unet/model.onnx'));
  });
  afterAll(() => rmSync(bad, { recursive: true, force: true }));

  async function openError(rt: Runtime, rel: string): Promise<RuntimeError> {
    const pkg = await rt.openPackage({ source: bad });
    const err = await rt.session(packageFileRef(pkg, rel), { nodeId: 'n1' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    return err as RuntimeError;
  }

  it.each([
    ['text_encoder/model.onnx', /node "n1": text_encoder\/model\.onnx is not a valid ONNX model \(truncated/],
    ['vae_decoder/model.onnx', /node "n1": vae_decoder\/model\.onnx is not (a valid|an) ONNX model/],
    ['unet/model.onnx', /node "n1": unet\/model\.onnx references external weights model\.onnx_data, which is missing/],
    ['vae_encoder/model.onnx', /node "n1": model file vae_encoder\/model\.onnx is missing \(package .*bad\)/],
  ])('%s gives a clear error on both backends', async (rel, message) => {
    for (const rt of [runtime, webRuntime]) {
      const err = await openError(rt, rel);
      expect(err.message).toMatch(message);
      expect(err.details).toMatchObject({ node: 'n1', file: rel });
    }
  });
});

describe('concurrent calls on one session', () => {
  it('give the same results as sequential calls on both backends (web calls are queued)', async () => {
    for (const rt of [runtime, webRuntime]) {
      const unet = await unetOf(rt, 'sd15');
      const feeds = (t: number) => ({ sample, timestep: t, encoder_hidden_states: context(768) });
      const together = await Promise.all([10, 500, 990].map((t) => unet.run(feeds(t))));
      for (const [i, t] of [10, 500, 990].entries()) {
        expect(maxAbsDiff(together[i].out_sample, (await unet.run(feeds(t))).out_sample)).toBe(0);
      }
    }
  });
});
