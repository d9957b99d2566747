/**
 * Integer schedulers at the steps maximum (1000 = num_train_timesteps) with leading spacing and
 * steps_offset = 1 (Stable Diffusion's scheduler_config.json): diffusers' grid would start at
 * timestep 1000, past the alphas_cumprod table; the grid must stay in range and still run.
 */
import { describe, expect, it } from 'vitest';
import { createScheduler, type SchedulerName } from '../../src/diffusion/schedulers/index.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';

const SD = {
  num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear',
  timestep_spacing: 'leading', steps_offset: 1, skip_prk_steps: true, set_alpha_to_one: false, clip_sample: false,
};

function runAll(name: SchedulerName, steps: number): number[] {
  const s = createScheduler(name, SD);
  s.setTimesteps(steps);
  const sample = new Tensor('float32', [1, 1, 2, 2], new Float32Array([0.5, -0.5, 0.25, 1]));
  let x = sample;
  const generator = new TorchGenerator(7);
  for (const t of s.timesteps) {
    const eps = new Tensor('float32', x.shape, new Float32Array(x.data.length).fill(0.1));
    x = s.step(eps, t, x, { generator }).prevSample;
  }
  for (const v of x.data) expect(Number.isFinite(v)).toBe(true);
  return [...s.timesteps];
}

describe('leading spacing at the steps maximum', () => {
  for (const name of ['DDIMScheduler', 'DDPMScheduler', 'PNDMScheduler'] as const) {
    it(`${name}: 1000 steps stay in 0..999 and run to the end`, () => {
      const ts = runAll(name, 1000);
      expect(Math.max(...ts)).toBe(999);
      expect(Math.min(...ts)).toBe(0);
    });
  }
  it('DDIM keeps diffusers\' offset grid wherever it fits the table', () => {
    const s = createScheduler('DDIMScheduler', SD);
    s.setTimesteps(999);
    expect(s.timesteps[0]).toBe(999);
    expect(s.timesteps.at(-1)).toBe(1);
    s.setTimesteps(20);
    expect(s.timesteps[0]).toBe(951);
    expect(s.timesteps.at(-1)).toBe(1);
  });
  it('DDIM 1000 steps: 999, 998, …, 0, each stepping to t - 1', () => {
    const s = createScheduler('DDIMScheduler', SD);
    s.setTimesteps(1000);
    expect(s.timesteps.slice(0, 3)).toEqual([999, 998, 997]);
    expect(s.timesteps.length).toBe(1000);
  });
});

describe('PNDM Runge-Kutta warm-up at many steps', () => {
  it('500 steps without skip_prk_steps keep the warm-up inside the table', () => {
    const s = createScheduler('PNDMScheduler', { ...SD, skip_prk_steps: false });
    s.setTimesteps(500);
    expect(Math.max(...s.timesteps)).toBeLessThanOrEqual(999);
  });
});
