/**
 * Backend choice: the JS fallback where the wasm module does not validate (no wasm SIMD), and
 * whole sampling loops that give the same bits on either backend (forced with setKernelBackend).
 * Also: the bytes the Vitest plugin inlined are what the WAT source compiles to.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { UNROLL, compileKernels, kernelSourceFiles, readKernelSource } from '../../../src/build/wasmKernels.mjs';
import { kernelBytes, kernelBytesInlined } from '../../../src/diffusion/kernels/kernelBytes.ts';
import { instantiateWasmKernels, kernels, setKernelBackend, type KernelBackendName } from '../../../src/diffusion/kernels/index.ts';
import { classifierFreeGuidance, classifierFreeGuidanceBatched } from '../../../src/diffusion/guidance.ts';
import { createScheduler, type SchedulerName } from '../../../src/diffusion/schedulers/index.ts';
import { Tensor } from '../../../src/tensor/tensor.ts';
import { TorchGenerator } from '../../../src/tensor/torchGenerator.ts';
import { latentToRgbPreview } from '../../../nodes/latent/preview.ts';
import { expectSameBits } from './kernelBits.ts';

const SHAPE = [1, 4, 9, 7]; // 252 elements: planes that are not whole vectors

afterEach(() => setKernelBackend('wasm'));

/** A fake denoiser: a fixed nonlinear function of the sample and the timestep. */
function model(x: Float32Array, t: number): Tensor<'float32'> {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.sin(x[i] * 0.7 + t * 0.01) * 0.9;
  return new Tensor('float32', SHAPE, out);
}

/** A full loop (add-noise, scale, steps) on `backend`: every intermediate sample, concatenated. */
function loop(backend: KernelBackendName, name: SchedulerName, config: Record<string, unknown>, eta = 0): Float32Array {
  setKernelBackend(backend);
  const scheduler = createScheduler(name, { beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, ...config });
  scheduler.setTimesteps(12);
  const clean = new Tensor('float32', SHAPE, new TorchGenerator(11).randn(SHAPE));
  const noise = new Tensor('float32', SHAPE, new TorchGenerator(12).randn(SHAPE));
  const begin = 3;
  scheduler.setBeginIndex(begin);
  let x = scheduler.addNoise(clean, noise, scheduler.timesteps[begin]);
  const trace: Float32Array[] = [x.data];
  const generator = new TorchGenerator(13);
  for (const t of scheduler.timesteps.slice(begin)) {
    const input = scheduler.scaleModelInput(x, t);
    const cond = model(input.data, t);
    const uncond = model(input.data, t + 100);
    const guided = classifierFreeGuidance(cond, uncond, 7.5);
    const result = scheduler.step(guided, t, x, { generator, eta });
    x = result.prevSample;
    trace.push(x.data);
    if (result.predOriginalSample) trace.push(result.predOriginalSample.data);
  }
  return Float32Array.from(trace.flatMap((a) => Array.from(a)));
}

const LOOPS: [SchedulerName, Record<string, unknown>, number?][] = [
  ['EulerDiscreteScheduler', {}],
  ['EulerAncestralDiscreteScheduler', {}],
  ['DDIMScheduler', { clip_sample: false, set_alpha_to_one: false, steps_offset: 1 }],
  ['DDIMScheduler', { clip_sample: false }, 1],
  ['DDPMScheduler', {}],
  ['DDPMScheduler', { clip_sample: false, variance_type: 'fixed_small_log' }],
  ['PNDMScheduler', { skip_prk_steps: true }],
  ['PNDMScheduler', {}],
  ['DPMSolverMultistepScheduler', {}],
  ['DPMSolverMultistepScheduler', { solver_order: 3 }],
  ['LMSDiscreteScheduler', {}],
  ['HeunDiscreteScheduler', {}],
];

describe('kernel backends', () => {
  it('fall back to the JS kernels when the module does not validate (no wasm SIMD)', () => {
    expect(instantiateWasmKernels(kernelBytes.subarray(0, kernelBytes.length - 7))).toBeNull();
    // A module whose one function uses an opcode that does not exist (0xfd 0xff 0x0f).
    const unknownSimdOp = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
      0x0a, 0x07, 0x01, 0x05, 0x00, 0xfd, 0xff, 0x0f, 0x0b,
    ]);
    expect(WebAssembly.validate(unknownSimdOp)).toBe(false);
    expect(instantiateWasmKernels(unknownSimdOp)).toBeNull();
    expect(instantiateWasmKernels(kernelBytes)?.backend).toBe('wasm');
    setKernelBackend('js');
    expect(kernels().backend).toBe('js');
  });

  it('the WAT source includes its fragment files', () => {
    const files = kernelSourceFiles();
    expect(files.map((f) => f.split(/[\\/]/).pop())).toEqual(['simdKernels.wat', 'simdElementwise.wat']);
    const text = readKernelSource();
    expect(text).not.toMatch(/\(;include /);
    expect(text).toContain('(export "latentToRgb")');
  });

  it('the inlined bytes are the WAT source compiled by wabt; as written (not unrolled) it is valid too', async () => {
    expect(kernelBytesInlined).toBe(true); // the Vitest plugin replaced kernelBytes.ts
    expect(Array.from(await compileKernels())).toEqual(Array.from(kernelBytes));
    const single = instantiateWasmKernels(await compileKernels(undefined, 1));
    expect(single?.exports.vectorBytes.value).toBe(16);
    expect(instantiateWasmKernels(kernelBytes)?.exports.vectorBytes.value).toBe(16 * UNROLL);
  });

  for (const [name, config, eta = 0] of LOOPS) {
    it(`${name} ${JSON.stringify(config)}${eta ? ` eta ${eta}` : ''}: the same bits on wasm and JS`, () => {
      const js = loop('js', name, config, eta);
      const wasm = loop('wasm', name, config, eta);
      expect(js.every(Number.isFinite)).toBe(true);
      expectSameBits(wasm, js, name);
    });
  }

  it('batched CFG with rescale and the latent preview: the same bits on wasm and JS', () => {
    const both = (backend: KernelBackendName) => {
      setKernelBackend(backend);
      const batch = new Tensor('float32', [2, 4, 9, 7], new TorchGenerator(21).randn([2, 4, 9, 7]));
      const guided = classifierFreeGuidanceBatched(batch, 5, { rescale: 0.7 });
      return [guided.data, latentToRgbPreview(batch).data];
    };
    const [jsCfg, jsRgb] = both('js');
    const [wasmCfg, wasmRgb] = both('wasm');
    expectSameBits(wasmCfg, jsCfg, 'CFG rescale');
    expectSameBits(wasmRgb, jsRgb, 'preview');
  });
});
