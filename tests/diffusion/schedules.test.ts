/** Beta schedules, spacing and sigma tables against diffusers' published Stable Diffusion values. */
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/diffusion/schedulers/index.ts';
import {
  interpOnIndexGrid,
  makeBetas,
  numpyLinspace,
  roundHalfEven,
  sigmaToT,
  spacedTimesteps,
  torchLinspaceF32,
} from '../../src/diffusion/schedules.ts';
import { logF32 } from '../../src/diffusion/schedules.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const SD = { num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear' };

describe('SD 1.x defaults', () => {
  it('Euler linspace, 10 steps: 999, 888, …, 0 and first sigma 14.614647', () => {
    const s = createScheduler('EulerDiscreteScheduler', SD);
    s.setTimesteps(10);
    expect(s.timesteps).toEqual([999, 888, 777, 666, 555, 444, 333, 222, 111, 0]);
    expect(Math.abs((s.sigmas as Float32Array)[0] - 14.614647)).toBeLessThan(1e-5);
    expect((s.sigmas as Float32Array)[10]).toBe(0);
    expect(Math.abs(s.initNoiseSigma - 14.614647)).toBeLessThan(1e-5);
  });
  it('DDIM leading with steps_offset=1: 901, 801, …, 1', () => {
    const s = createScheduler('DDIMScheduler', { ...SD, steps_offset: 1 });
    s.setTimesteps(10);
    expect(s.timesteps).toEqual([901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
  });
  it('a whole scheduler_config.json is accepted as is, _class_name honoured, unknown keys ignored', () => {
    const file = {
      _class_name: 'PNDMScheduler', _diffusers_version: '0.6.0', beta_end: 0.012, beta_schedule: 'scaled_linear',
      beta_start: 0.00085, num_train_timesteps: 1000, set_alpha_to_one: false, skip_prk_steps: true, steps_offset: 1,
      trained_betas: null, clip_sample: false,
    };
    const s = createScheduler(undefined, file);
    expect(s.name).toBe('PNDMScheduler');
    expect(createScheduler(file).name).toBe('PNDMScheduler');
    s.setTimesteps(5);
    expect(s.timesteps).toEqual([801, 601, 601, 401, 201, 1]);
  });
  it('Euler leading spacing uses sqrt(sigma_max^2 + 1) as init noise sigma', () => {
    const s = createScheduler('EulerDiscreteScheduler', { ...SD, timestep_spacing: 'leading', steps_offset: 1 });
    s.setTimesteps(10);
    expect(s.timesteps).toEqual([901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
    const max = (s.sigmas as Float32Array)[0];
    expect(s.initNoiseSigma).toBeCloseTo(Math.sqrt(max * max + 1), 5);
  });
});

describe('sigma spacings', () => {
  it('Euler exponential sigmas are uniform in log-sigma between the linspace ends', () => {
    const s = createScheduler('EulerDiscreteScheduler', { ...SD, use_exponential_sigmas: true });
    s.setTimesteps(6);
    const sig = Array.from(s.sigmas as Float32Array);
    expect(sig[0]).toBeCloseTo(14.614647, 4);
    const ratios = [0, 1, 2, 3].map((i) => Math.log(sig[i] / sig[i + 1]));
    for (const r of ratios) expect(r).toBeCloseTo(ratios[0], 4);
    expect(sig[6]).toBe(0);
    expect(s.timesteps[0]).toBeCloseTo(999, 3);
  });
});

describe('inputs and options', () => {
  it('accepts plain { dtype, shape, data } objects and returns Tensors', () => {
    const s = createScheduler('EulerDiscreteScheduler', SD);
    s.setTimesteps(4);
    const data = Float32Array.from({ length: 16 }, (_, i) => i / 16 - 0.5);
    const plain = { dtype: 'float32' as const, shape: [1, 4, 2, 2], data };
    const t = s.timesteps[0];
    const scaled = s.scaleModelInput(plain, t);
    const out = s.step(plain, t, scaled);
    expect(out.prevSample).toBeInstanceOf(Tensor);
    expect(out.prevSample.shape).toEqual([1, 4, 2, 2]);
    const again = createScheduler('EulerDiscreteScheduler', SD);
    again.setTimesteps(4);
    const viaTensor = again.step(new Tensor('float32', [1, 4, 2, 2], data), t, again.scaleModelInput(new Tensor('float32', [1, 4, 2, 2], data), t));
    expect(Array.from(out.prevSample.data)).toEqual(Array.from(viaTensor.prevSample.data));
  });
  it('rescale_betas_zero_snr gives a zero terminal SNR (DDIM) and keeps Euler sigmas finite', () => {
    const ddim = createScheduler('DDIMScheduler', { ...SD, rescale_betas_zero_snr: true, timestep_spacing: 'trailing' });
    expect(ddim.alphasCumprod[999]).toBe(0);
    ddim.setTimesteps(4);
    expect(ddim.timesteps).toEqual([999, 749, 499, 249]);
    const euler = createScheduler('EulerDiscreteScheduler', { ...SD, rescale_betas_zero_snr: true, timestep_spacing: 'trailing' });
    euler.setTimesteps(4);
    expect(euler.alphasCumprod[999]).toBe(2 ** -24);
    expect(Number.isFinite(euler.sigmas![0])).toBe(true);
    expect(euler.sigmas![0]).toBeCloseTo(4096, 0);
  });
  it('clone() shares tables but not state', () => {
    const s = createScheduler('DPMSolverMultistepScheduler', {});
    s.setTimesteps(5);
    const c = s.clone();
    const x = { dtype: 'float32' as const, shape: [1, 1, 1, 4], data: new Float32Array([0.1, 0.2, 0.3, 0.4]) };
    c.step(x, c.timesteps[0], x);
    expect(c.stepIndex).toBe(1);
    expect(s.stepIndex).toBe(null);
    expect(c.alphasCumprod).toBe(s.alphasCumprod);
  });
});

describe('config errors name the key', () => {
  it('wrong type, bad enum, unknown class', () => {
    expect(() => createScheduler('DDIMScheduler', { beta_start: 'x' })).toThrow(/"beta_start" must be a finite number/);
    expect(() => createScheduler('DDIMScheduler', { beta_schedule: 'cosine' })).toThrow(/"beta_schedule" must be one of/);
    expect(() => createScheduler('NopeScheduler' as never, {})).toThrow(/unknown scheduler "NopeScheduler"/);
    expect(() => createScheduler(undefined, {})).toThrow(/no _class_name/);
    expect(() => createScheduler('DDIMScheduler', {}).setTimesteps(0)).toThrow(/positive integer/);
  });
  it('step errors name the argument', () => {
    const s = createScheduler('DDIMScheduler', {});
    s.setTimesteps(10);
    const ok = { dtype: 'float32' as const, shape: [1, 4, 2, 2], data: new Float32Array(16) };
    const bad = { dtype: 'float32' as const, shape: [1, 4, 2, 3], data: new Float32Array(24) };
    expect(() => s.step(bad, 900, ok)).toThrow(/modelOutput has shape \[1, 4, 2, 3\] but sample has shape \[1, 4, 2, 2\]/);
    expect(() => s.step(ok, 900, { dtype: 'int32', shape: [1], data: new Int32Array(1) } as never)).toThrow(/sample: expected dtype float32/);
    expect(() => s.step(ok, 1000, ok)).toThrow(/timestep 1000 is not an integer in 0\.\.999/);
  });
});

describe('numeric primitives', () => {
  it('torch.linspace float32 fills from both ends', () => {
    const v = torchLinspaceF32(0.0001, 0.02, 1000);
    expect(v[0]).toBe(Math.fround(0.0001));
    expect(v[999]).toBe(Math.fround(0.02));
    expect(v.length).toBe(1000);
  });
  it('numpy linspace sets the endpoint exactly and rounds half to even', () => {
    expect(Array.from(numpyLinspace(0, 999, 11)).map(roundHalfEven)).toEqual([0, 100, 200, 300, 400, 500, 599, 699, 799, 899, 999]);
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
  });
  it('squaredcos_cap_v2 betas are capped at 0.999 and increase', () => {
    const b = makeBetas({ num_train_timesteps: 1000, beta_start: 0, beta_end: 0, beta_schedule: 'squaredcos_cap_v2' });
    expect(b[999]).toBe(Math.fround(0.999));
    expect(b[0]).toBeLessThan(b[500]);
  });
  it('interp and sigma_to_t are inverse on the training grid', () => {
    const s = createScheduler('EulerDiscreteScheduler', SD) as unknown as { trainSigmas: Float32Array };
    const logs = logF32(s.trainSigmas);
    const sig = interpOnIndexGrid([123.25], s.trainSigmas)[0];
    expect(sigmaToT(sig, logs)).toBeCloseTo(123.25, 2);
    expect(sigmaToT(s.trainSigmas[500], logs)).toBeCloseTo(500, 5);
  });
  it('trailing spacing ends at N - 1', () => {
    expect(spacedTimesteps('trailing', 1000, 4, 0, true)).toEqual([999, 749, 499, 249]);
  });
});
