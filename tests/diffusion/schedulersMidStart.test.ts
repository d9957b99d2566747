/**
 * Image-to-image starts the schedule part-way (diffusers' `set_begin_index`): every scheduler must
 * step from there. LMS in particular has fewer stored derivatives than its order at first.
 */
import { describe, expect, it } from 'vitest';
import { createScheduler, SCHEDULER_NAMES } from '../../src/diffusion/schedulers/index.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';

const CONFIG = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', steps_offset: 1 };

describe('schedulers started mid-schedule', () => {
  for (const name of SCHEDULER_NAMES) {
    it(`${name} steps from the middle of its timesteps`, () => {
      const s = createScheduler(name, CONFIG);
      s.setTimesteps(10);
      const begin = Math.floor(s.timesteps.length / 2);
      s.setBeginIndex(begin);
      const generator = new TorchGenerator(3);
      let x = new Tensor('float32', [1, 2, 2, 2], Float32Array.from([0.5, -0.25, 1, 0, -1, 0.75, 0.1, -0.6]));
      for (const t of s.timesteps.slice(begin)) {
        const scaled = s.scaleModelInput(x, t);
        const out = new Tensor('float32', x.shape, scaled.data.map((v) => v * 0.3));
        x = s.step(out, t, x, { generator }).prevSample;
      }
      for (const v of x.data) expect(Number.isFinite(v)).toBe(true);
    });
  }

  it('LMS sums only the derivatives it has: its first mid-schedule step is an Euler step', () => {
    const lms = createScheduler('LMSDiscreteScheduler', CONFIG);
    const euler = createScheduler('EulerDiscreteScheduler', CONFIG);
    for (const s of [lms, euler]) { s.setTimesteps(10); s.setBeginIndex(5); }
    const x = new Tensor('float32', [1, 1, 2, 2], Float32Array.from([0.4, -0.2, 0.9, 0.1]));
    const eps = new Tensor('float32', x.shape, Float32Array.from([0.1, 0.3, -0.2, 0.05]));
    const t = lms.timesteps[5];
    const a = lms.step(eps, t, x).prevSample.data;
    const b = euler.step(eps, t, x).prevSample.data;
    // With one derivative the order-1 coefficient is the integral of 1 over [σ_i, σ_{i+1}] = dt.
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 5);
  });
});
