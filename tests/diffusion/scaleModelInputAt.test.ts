/**
 * `scaleModelInputAt(sample, index)`: the pure form of scaleModelInput that the scale-input node
 * calls every step. It gives exactly what the stateful call gives inside a sampling loop, at every
 * position, for every scheduler (Heun's doubled schedule and img2img starts included), and leaves
 * the scheduler's state alone.
 */
import { describe, expect, it } from 'vitest';
import { createScheduler, SCHEDULER_NAMES } from '../../src/diffusion/schedulers/index.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';

const CONFIG = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', steps_offset: 1, timestep_spacing: 'leading' };

describe('scaleModelInputAt', () => {
  for (const name of SCHEDULER_NAMES) {
    for (const begin of [0, 3]) {
      it(`${name}, starting at ${begin}: equals scaleModelInput in the loop at each position, state untouched`, () => {
        const looped = createScheduler(name, CONFIG);
        looped.setTimesteps(8);
        looped.setBeginIndex(begin);
        const pure = looped.clone();
        const before = JSON.stringify(pure.getState());
        const generator = new TorchGenerator(5);
        let x = new Tensor('float32', [1, 4, 2, 2], new TorchGenerator(1).randn(16).map((v) => v * looped.initNoiseSigma));
        for (let i = begin; i < looped.timesteps.length; i++) {
          const t = looped.timesteps[i];
          const expected = looped.scaleModelInput(x, t);
          const got = pure.scaleModelInputAt(x, i);
          expect(Array.from(got.data), `position ${i}`).toEqual(Array.from(expected.data));
          expect(got.shape).toEqual(x.shape);
          x = looped.step(new Tensor('float32', x.shape, expected.data.map((v) => v * 0.2)), t, x, { generator }).prevSample;
        }
        expect(JSON.stringify(pure.getState())).toBe(before);
      });
    }
  }

  it('refuses a position outside the schedule, naming the scheduler', () => {
    const s = createScheduler('EulerDiscreteScheduler', CONFIG);
    s.setTimesteps(4);
    const x = new Tensor('float32', [1, 1, 1, 1], Float32Array.of(1));
    expect(() => s.scaleModelInputAt(x, 4)).toThrow(/EulerDiscreteScheduler\.scaleModelInputAt: step position 4 is outside 0\.\.3/);
    expect(() => createScheduler('DDIMScheduler', CONFIG).scaleModelInputAt(x, -1)).toThrow(/DDIMScheduler\.scaleModelInputAt: step position -1/);
  });
});
