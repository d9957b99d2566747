/**
 * diffusers' full-loop values for the stochastic schedulers, with noise drawn from TorchGenerator
 * (torch.manual_seed(0) passed to every step, as the diffusers tests do).
 */
import { describe, expect, it } from 'vitest';
import { createScheduler, type Scheduler } from '../../src/diffusion/schedulers/index.ts';
import type { DDPMScheduler } from '../../src/diffusion/schedulers/ddpm.ts';
import type { UnCLIPScheduler } from '../../src/diffusion/schedulers/lcmUnclip.ts';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { dummyModel, dummyNoiseDeter, dummySampleDeter, meanAbs, scaleTensor, sumAbs } from './schedulerFixtures.ts';

function expectLoop(sample: Tensor<'float32'>, sum: number, mean: number): void {
  expect(Math.abs(sumAbs(sample) - sum)).toBeLessThan(1e-2);
  expect(Math.abs(meanAbs(sample) - mean)).toBeLessThan(1e-3);
}

function loop(s: Scheduler, timesteps: number[], start: Tensor<'float32'>, scaleInput: boolean): Tensor<'float32'> {
  const generator = new TorchGenerator(0);
  let sample = start;
  for (const t of timesteps) {
    if (scaleInput) sample = s.scaleModelInput(sample, t);
    sample = s.step(dummyModel(sample, t), t, sample, { generator }).prevSample;
  }
  return sample;
}

const DDPM_BASE = { num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear', variance_type: 'fixed_small', clip_sample: true };

describe('DDPMScheduler (test_scheduler_ddpm.py)', () => {
  it('1000-step loop without setTimesteps: 258.9606 / 0.3372', () => {
    const s = createScheduler('DDPMScheduler', DDPM_BASE);
    expectLoop(loop(s, s.timesteps, dummySampleDeter(), false), 258.9606, 0.3372);
  });
  it('v_prediction: 202.0296 / 0.2631', () => {
    const s = createScheduler('DDPMScheduler', { ...DDPM_BASE, prediction_type: 'v_prediction' });
    expectLoop(loop(s, s.timesteps, dummySampleDeter(), false), 202.0296, 0.2631);
  });
  it('img2img over the last two timesteps: 387.9466 / 0.5051', () => {
    const s = createScheduler('DDPMScheduler', DDPM_BASE);
    const timesteps = s.timesteps.slice(998);
    const start = s.addNoise(dummySampleDeter(), dummyNoiseDeter(), timesteps[0]);
    expectLoop(loop(s, timesteps, start, false), 387.9466, 0.5051);
  });
  it('variance values', () => {
    const s = createScheduler('DDPMScheduler', DDPM_BASE) as DDPMScheduler;
    expect(Math.abs(s.getVariance(0))).toBeLessThan(1e-5);
    expect(Math.abs(s.getVariance(487) - 0.00979)).toBeLessThan(1e-5);
    expect(Math.abs(s.getVariance(999) - 0.02)).toBeLessThan(1e-5);
  });
  it('a stochastic step without a generator fails with a clear message', () => {
    const s = createScheduler('DDPMScheduler', DDPM_BASE);
    const x = dummySampleDeter();
    expect(() => s.step(x, 10, x)).toThrow(/DDPMScheduler\.step: this step is stochastic and needs a generator/);
  });
});

describe('EulerAncestralDiscreteScheduler (test_scheduler_euler_ancestral.py)', () => {
  const base = { num_train_timesteps: 1100, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' };
  function full(config: Record<string, unknown>): Tensor<'float32'> {
    const s = createScheduler('EulerAncestralDiscreteScheduler', config);
    s.setTimesteps(10);
    return loop(s, s.timesteps, scaleTensor(dummySampleDeter(), s.initNoiseSigma), true);
  }
  it('full loop: 152.3192 / 0.1983', () => expectLoop(full(base), 152.3192, 0.1983));
  it('v_prediction: 108.4439 / 0.1412', () => expectLoop(full({ ...base, prediction_type: 'v_prediction' }), 108.4439, 0.1412));
  it('img2img over the last two steps: 56163.0508 / 73.1290', () => {
    const s = createScheduler('EulerAncestralDiscreteScheduler', base);
    s.setTimesteps(10);
    const timesteps = s.timesteps.slice(8);
    const start = s.addNoise(scaleTensor(dummySampleDeter(), s.initNoiseSigma), dummyNoiseDeter(), timesteps[0]);
    expectLoop(loop(s, timesteps, start, true), 56163.0508, 73.129);
  });
});

describe('UnCLIPScheduler (test_scheduler_unclip.py)', () => {
  const base = { num_train_timesteps: 1000, variance_type: 'fixed_small_log', clip_sample: true, clip_sample_range: 1.0, prediction_type: 'epsilon' };
  it('1000-step loop: 252.2682495 / 0.3284743', () => {
    const s = createScheduler('UnCLIPScheduler', base);
    expectLoop(loop(s, s.timesteps, dummySampleDeter(), false), 252.2682495, 0.3284743);
  });
  it('25 steps with explicit prevTimestep: 258.2044983 / 0.3362038', () => {
    const s = createScheduler('UnCLIPScheduler', base);
    s.setTimesteps(25);
    const generator = new TorchGenerator(0);
    let sample = dummySampleDeter();
    s.timesteps.forEach((t, i) => {
      const prevTimestep = i + 1 < s.timesteps.length ? s.timesteps[i + 1] : undefined;
      sample = s.step(dummyModel(sample, t), t, sample, { generator, prevTimestep }).prevSample;
    });
    expectLoop(sample, 258.2044983, 0.3362038);
  });
  it('fixed_small_log variance values', () => {
    const s = createScheduler('UnCLIPScheduler', base) as UnCLIPScheduler;
    expect(Math.abs(s.getVariance(0) - 1e-10)).toBeLessThan(1e-5);
    expect(Math.abs(s.getVariance(487) - 0.0549625)).toBeLessThan(1e-5);
    expect(Math.abs(s.getVariance(999) - 0.9994987)).toBeLessThan(1e-5);
  });
});

describe('UnCLIPScheduler learned_range variance', () => {
  it('matches diffusers: -10.1712790, -5.7998052, -0.0010011 at predicted variance 0.5', () => {
    const s = createScheduler('UnCLIPScheduler', { variance_type: 'learned_range' }) as UnCLIPScheduler;
    expect(Math.abs(s.getVariance(1, undefined, 0.5) - -10.171279)).toBeLessThan(1e-5);
    expect(Math.abs(s.getVariance(487, undefined, 0.5) - -5.7998052)).toBeLessThan(1e-5);
    expect(Math.abs(s.getVariance(999, undefined, 0.5) - -0.0010011)).toBeLessThan(1e-5);
  });
});

describe('LCMScheduler (test_scheduler_lcm.py)', () => {
  // The value in current diffusers' test; older releases' tests expected 280.5618 / 0.3653.
  it('10-step loop: 197.7616 / 0.2575', () => {
    const s = createScheduler('LCMScheduler', {
      num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', prediction_type: 'epsilon',
    });
    s.setTimesteps(10);
    expectLoop(loop(s, s.timesteps, dummySampleDeter(), false), 197.7616, 0.2575);
  });
});

describe('DDIMScheduler with eta > 0', () => {
  it('draws noise only when eta > 0 and stays reproducible for a seed', () => {
    const run = (eta: number, seed: number) => {
      const s = createScheduler('DDIMScheduler', {});
      s.setTimesteps(10);
      const generator = new TorchGenerator(seed);
      let x = dummySampleDeter();
      for (const t of s.timesteps) x = s.step(dummyModel(x, t), t, x, { eta, generator }).prevSample;
      return sumAbs(x);
    };
    expect(run(0, 1)).toBe(run(0, 2));
    expect(run(1, 1)).toBe(run(1, 1));
    expect(run(1, 1)).not.toBe(run(1, 2));
  });
});
