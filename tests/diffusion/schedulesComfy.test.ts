/** ComfyUI KSampler sigma schedules on the SD 1.x table, and running them through schedulers. */
import { describe, expect, it } from 'vitest';
import { COMFY_SIGMA_SCHEDULES, comfyModelSampling, comfySigmas } from '../../src/diffusion/schedulesComfy.ts';
import { createScheduler } from '../../src/diffusion/schedulers/index.ts';
import { dummyModel, dummySampleDeter, scaleTensor } from './schedulerFixtures.ts';

const SD = { num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear' };
const table = comfyModelSampling(SD);

describe('ComfyUI sigma schedules (SD 1.x)', () => {
  it('the table spans sigma_min 0.0291675 to sigma_max 14.614642', () => {
    expect(table.sigmas[0]).toBeCloseTo(0.0291675, 6);
    expect(table.sigmas[999]).toBeCloseTo(14.614642, 4);
  });
  it('every schedule has steps + 1 descending sigmas from sigma_max to 0', () => {
    for (const name of COMFY_SIGMA_SCHEDULES) {
      const s = comfySigmas(name, 20, table);
      expect(s.length, name).toBe(21);
      expect(s[20], name).toBe(0);
      for (let i = 1; i < s.length; i++) expect(s[i], `${name}[${i}]`).toBeLessThan(s[i - 1]);
      if (name !== 'ddim_uniform') expect(s[0], name).toBeCloseTo(table.sigmas[999], 4);
    }
  });
  it('karras follows the rho = 7 formula and ends at sigma_min', () => {
    const s = comfySigmas('karras', 10, table);
    const min = table.sigmas[0];
    const max = table.sigmas[999];
    for (let i = 0; i < 10; i++) {
      const expected = (max ** (1 / 7) + (i / 9) * (min ** (1 / 7) - max ** (1 / 7))) ** 7;
      expect(Math.abs(s[i] - expected) / expected).toBeLessThan(1e-5);
    }
    expect(s[9]).toBeCloseTo(min, 6);
  });
  it('exponential is uniform in log-sigma', () => {
    const s = comfySigmas('exponential', 5, table);
    const ratios = [1, 2, 3].map((i) => Math.log(s[i] / s[i + 1]));
    expect(ratios[0]).toBeCloseTo(ratios[1], 4);
    expect(ratios[1]).toBeCloseTo(ratios[2], 4);
  });
  it('simple and ddim_uniform pick entries of the table', () => {
    const simple = comfySigmas('simple', 4, table);
    expect(Array.from(simple)).toEqual([table.sigmas[999], table.sigmas[749], table.sigmas[499], table.sigmas[249], 0]);
    const ddim = comfySigmas('ddim_uniform', 4, table);
    expect(Array.from(ddim)).toEqual([table.sigmas[751], table.sigmas[501], table.sigmas[251], table.sigmas[1], 0]);
  });
  it('normal and sgm_uniform visit the timesteps of a linspace over 999..0', () => {
    const normal = comfySigmas('normal', 3, table);
    expect(normal[1]).toBeCloseTo(Math.exp((table.logSigmas[499] + table.logSigmas[500]) / 2), 4);
    const sgm = comfySigmas('sgm_uniform', 3, table);
    expect(sgm[1]).toBeCloseTo(table.sigmas[666], 4);
  });
  it('matches diffusers Karras sigmas of an SD Euler scheduler', () => {
    const euler = createScheduler('EulerDiscreteScheduler', { ...SD, use_karras_sigmas: true });
    euler.setTimesteps(15);
    const comfy = comfySigmas('karras', 15, table);
    // ComfyUI's table is float64-derived, diffusers' float32-derived: they agree to ~1e-5.
    for (let i = 0; i < 15; i++) expect(Math.abs(comfy[i] - euler.sigmas![i]) / euler.sigmas![i]).toBeLessThan(5e-5);
  });
  it('runs through Euler, Heun and DPM-Solver++ via setSigmas', () => {
    for (const name of ['EulerDiscreteScheduler', 'HeunDiscreteScheduler', 'DPMSolverMultistepScheduler'] as const) {
      const s = createScheduler(name, SD);
      s.setSigmas!(comfySigmas('karras', 8, table));
      let x = scaleTensor(dummySampleDeter(), name === 'DPMSolverMultistepScheduler' ? 1 : s.initNoiseSigma);
      for (const t of s.timesteps) {
        x = s.scaleModelInput(x, t);
        x = s.step(dummyModel(x, t), t, x).prevSample;
      }
      expect(x.data.every(Number.isFinite), name).toBe(true);
      expect(s.timesteps.length).toBe(name === 'HeunDiscreteScheduler' ? 15 : 8);
    }
  });
  it('scales the starting noise as ComfyUI\'s noise_scaling: sqrt(1 + σ²) for a full denoise, σ for a shorter one', () => {
    const s = createScheduler('EulerDiscreteScheduler', { ...SD, timestep_spacing: 'linspace' });
    s.setTimesteps(10);
    expect(s.initNoiseSigma).toBe(s.sigmas![0]);
    // A whole schedule starts at the model's sigma_max: ComfyUI's max_denoise.
    const sigmas = comfySigmas('normal', 10, table);
    s.setSigmas!(sigmas);
    expect(s.initNoiseSigma).toBe(Math.fround(Math.sqrt(Math.fround(Math.fround(sigmas[0] * sigmas[0]) + 1))));
    expect(s.initNoiseSigma).toBeCloseTo(Math.hypot(14.614642, 1), 4);
    // The tail of a longer schedule (denoise < 1, a later start): noise × its first sigma.
    const tail = comfySigmas('karras', 20, table).slice(8);
    s.setSigmas!(tail);
    expect(s.initNoiseSigma).toBe(tail[0]);
  });
  it('rejects bad input by name', () => {
    expect(() => comfySigmas('karras', 0, table)).toThrow(/steps must be a positive integer/);
    expect(() => comfySigmas('bogus' as never, 5, table)).toThrow(/Unknown ComfyUI sigma schedule "bogus"/);
    const s = createScheduler('EulerDiscreteScheduler', SD);
    expect(() => s.setSigmas!([1, Number.NaN, 0])).toThrow(/sigma 1 is NaN/);
  });
});
