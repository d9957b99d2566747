/**
 * `stepFrom(state, index, …)`: the step node's hot path. Over whole loops, for every scheduler, it
 * gives the samples and the states that setState + step + getState give, leaves the state it was
 * handed unchanged, and keeps no reference to either state: a plain step afterwards (no state
 * given) fails instead of writing into a state a value now owns.
 */
import { describe, expect, it } from 'vitest';
import { createScheduler, SCHEDULER_NAMES } from '../../src/diffusion/schedulers/index.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';

const CONFIG = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', steps_offset: 1, timestep_spacing: 'leading' };

const snapshot = (v: unknown) => JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as Float32Array) : x));

describe('Scheduler.stepFrom', () => {
  for (const name of SCHEDULER_NAMES) {
    it(`${name}: the same samples and states as setState + step + getState over a loop`, () => {
      const template = createScheduler(name, CONFIG);
      template.setTimesteps(6);
      const reference = template.clone();
      const hot = template.clone();
      let refState = template.getState();
      let hotState = template.getState();
      const [refNoise, hotNoise] = [new TorchGenerator(9), new TorchGenerator(9)];
      let refX = new Tensor('float32', [1, 4, 3, 3], new TorchGenerator(2).randn(36).map((v) => v * template.initNoiseSigma));
      let hotX = refX;
      for (let i = 0; i < template.timesteps.length; i++) {
        const t = template.timesteps[i];
        const prediction = (x: Tensor<'float32'>) => new Tensor('float32', x.shape, x.data.map((v, k) => Math.fround(v * 0.3 + (k % 5) * 0.01)));
        reference.setState({ ...refState, stepIndex: i });
        const expected = reference.step(prediction(refX), t, refX, { generator: refNoise });
        refState = reference.getState();
        const given = snapshot(hotState);
        const { result, state } = hot.stepFrom(hotState, i, prediction(hotX), t, hotX, { generator: hotNoise });
        expect(snapshot(hotState), `position ${i}: the state handed in is unchanged`).toBe(given);
        expect(Array.from(result.prevSample.data), `position ${i}`).toEqual(Array.from(expected.prevSample.data));
        expect(snapshot(state), `position ${i}: next state`).toBe(snapshot(refState));
        refX = expected.prevSample;
        hotX = result.prevSample;
        hotState = state;
      }
    });
  }

  it('keeps no state after the step: a plain step without one fails', () => {
    const s = createScheduler('DPMSolverMultistepScheduler', CONFIG);
    s.setTimesteps(4);
    const x = new Tensor('float32', [1, 1, 2, 2], Float32Array.of(1, 2, 3, 4));
    const { state } = s.stepFrom(s.getState(), 0, x, s.timesteps[0], x);
    expect(state.stepIndex).toBe(1);
    expect(() => s.step(x, s.timesteps[1], x)).toThrow();
    expect(state.stepIndex).toBe(1);
  });
});
