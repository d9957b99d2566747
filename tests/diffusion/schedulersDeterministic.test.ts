/**
 * Conformance with diffusers' own scheduler tests (tests/schedulers/test_scheduler_*.py): the
 * full-loop sums and means of |sample| for every deterministic scheduler and variant, with
 * diffusers' tolerances (1e-2 on the sum, 1e-3 on the mean).
 */
import { describe, expect, it } from 'vitest';
import { createScheduler, type Scheduler } from '../../src/diffusion/schedulers/index.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { PNDMScheduler } from '../../src/diffusion/schedulers/pndm.ts';
import { dummyModel, dummyNoiseDeter, dummySampleDeter, meanAbs, scaleTensor, sumAbs } from './schedulerFixtures.ts';

function expectLoop(sample: Tensor<'float32'>, sum: number | null, mean: number): void {
  if (sum !== null) expect(Math.abs(sumAbs(sample) - sum)).toBeLessThan(1e-2);
  expect(Math.abs(meanAbs(sample) - mean)).toBeLessThan(1e-3);
}

/** DDIM / PNDM / DPM style loop: model on the raw sample, no input scaling. */
function plainLoop(s: Scheduler, steps: number, timesteps?: number[], start?: Tensor<'float32'>): Tensor<'float32'> {
  s.setTimesteps(steps);
  let sample = start ?? dummySampleDeter();
  for (const t of timesteps ?? s.timesteps) sample = s.step(dummyModel(sample, t), t, sample, { eta: 0 }).prevSample;
  return sample;
}

/** Euler / LMS / Heun style loop: init_noise_sigma and scale_model_input. */
function sigmaLoop(s: Scheduler, steps: number): Tensor<'float32'> {
  s.setTimesteps(steps);
  let sample = scaleTensor(dummySampleDeter(), s.initNoiseSigma);
  for (const t of s.timesteps) {
    sample = s.scaleModelInput(sample, t);
    sample = s.step(dummyModel(sample, t), t, sample).prevSample;
  }
  return sample;
}

const DDIM_BASE = { num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear', clip_sample: true };
const SIGMA_BASE = { num_train_timesteps: 1100, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' };

describe('DDIMScheduler (test_scheduler_ddim.py)', () => {
  it('full loop, no noise: 172.0067 / 0.223967', () => {
    expectLoop(plainLoop(createScheduler('DDIMScheduler', DDIM_BASE), 10), 172.0067, 0.223967);
  });
  it('v_prediction: 52.5302 / 0.0684', () => {
    const s = createScheduler('DDIMScheduler', { ...DDIM_BASE, prediction_type: 'v_prediction' });
    expectLoop(plainLoop(s, 10), 52.5302, 0.0684);
  });
  it('set_alpha_to_one true / false with beta_start 0.01', () => {
    const on = createScheduler('DDIMScheduler', { ...DDIM_BASE, set_alpha_to_one: true, beta_start: 0.01 });
    expectLoop(plainLoop(on, 10), 149.8295, 0.1951);
    const off = createScheduler('DDIMScheduler', { ...DDIM_BASE, set_alpha_to_one: false, beta_start: 0.01 });
    expectLoop(plainLoop(off, 10), 149.0784, 0.1941);
  });
  it('img2img from step 8 with add_noise: 354.5418 / 0.4616', () => {
    const s = createScheduler('DDIMScheduler', DDIM_BASE);
    s.setTimesteps(10);
    const timesteps = s.timesteps.slice(8);
    const start = s.addNoise(dummySampleDeter(), dummyNoiseDeter(), timesteps[0]);
    let sample = start;
    for (const t of timesteps) sample = s.step(dummyModel(sample, t), t, sample).prevSample;
    expectLoop(sample, 354.5418, 0.4616);
  });
  it('variance values of _get_variance', () => {
    const s = createScheduler('DDIMScheduler', DDIM_BASE) as unknown as { getVariance(t: number, p: number): number };
    expect(Math.abs(s.getVariance(0, 0))).toBeLessThan(1e-5);
    expect(Math.abs(s.getVariance(420, 400) - 0.14771)).toBeLessThan(1e-5);
    expect(Math.abs(s.getVariance(980, 960) - 0.3246)).toBeLessThan(1e-5);
    expect(Math.abs(s.getVariance(487, 486) - 0.00979)).toBeLessThan(1e-5);
    expect(Math.abs(s.getVariance(999, 998) - 0.02)).toBeLessThan(1e-5);
  });
  it('the fused epsilon path (no clipping) equals the general path bit for bit', () => {
    const fast = plainLoop(createScheduler('DDIMScheduler', { ...DDIM_BASE, clip_sample: false }), 10);
    const general = plainLoop(createScheduler('DDIMScheduler', { ...DDIM_BASE, clip_sample: true, clip_sample_range: 1e9 }), 10);
    expect(Array.from(fast.data)).toEqual(Array.from(general.data));
  });
  it('steps_offset=1 gives 801, 601, 401, 201, 1 for 5 steps', () => {
    const s = createScheduler('DDIMScheduler', { ...DDIM_BASE, steps_offset: 1 });
    s.setTimesteps(5);
    expect(s.timesteps).toEqual([801, 601, 401, 201, 1]);
  });
});

describe('PNDMScheduler (test_scheduler_pndm.py)', () => {
  const base = { num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' };
  function pndmLoop(config: Record<string, unknown>): Tensor<'float32'> {
    const s = createScheduler('PNDMScheduler', { ...base, ...config }) as PNDMScheduler;
    s.setTimesteps(10);
    let sample = dummySampleDeter();
    for (const t of [...s.prkTimesteps, ...s.plmsTimesteps]) sample = s.step(dummyModel(sample, t), t, sample).prevSample;
    return sample;
  }
  it('full loop PRK then PLMS: 198.1318 / 0.2580', () => expectLoop(pndmLoop({}), 198.1318, 0.258));
  it('v_prediction: 67.3986 / 0.0878', () => expectLoop(pndmLoop({ prediction_type: 'v_prediction' }), 67.3986, 0.0878));
  it('set_alpha_to_one true / false', () => {
    expectLoop(pndmLoop({ set_alpha_to_one: true, beta_start: 0.01 }), 230.0399, 0.2995);
    expectLoop(pndmLoop({ set_alpha_to_one: false, beta_start: 0.01 }), 186.9482, 0.2434);
  });
  it('steps_offset=1 timesteps', () => {
    const s = createScheduler('PNDMScheduler', { ...base, steps_offset: 1 });
    s.setTimesteps(10);
    expect(s.timesteps).toEqual([901, 851, 851, 801, 801, 751, 751, 701, 701, 651, 651, 601, 601, 501, 401, 301, 201, 101, 1]);
  });
  it('refuses fewer than 4 steps without skip_prk_steps, allows them with it', () => {
    expect(() => createScheduler('PNDMScheduler', base).setTimesteps(3)).toThrow(/must be >= 4/);
    const skip = createScheduler('PNDMScheduler', { ...base, skip_prk_steps: true });
    skip.setTimesteps(3);
    expect(skip.timesteps.length).toBe(4);
  });
});

describe('EulerDiscreteScheduler (test_scheduler_euler.py)', () => {
  it('full loop: 10.0807 / 0.0131', () => expectLoop(sigmaLoop(createScheduler('EulerDiscreteScheduler', SIGMA_BASE), 10), 10.0807, 0.0131));
  it('v_prediction: 0.0002 / 2.2676e-06', () => {
    const s = createScheduler('EulerDiscreteScheduler', { ...SIGMA_BASE, prediction_type: 'v_prediction' });
    expectLoop(sigmaLoop(s, 10), 0.0002, 2.2676e-6);
  });
  it('Karras sigmas: 124.52299 / 0.16213', () => {
    const s = createScheduler('EulerDiscreteScheduler', { ...SIGMA_BASE, use_karras_sigmas: true });
    expectLoop(sigmaLoop(s, 10), 124.52299499511719, 0.16213932633399963);
  });
});

describe('LMSDiscreteScheduler (test_scheduler_lms.py)', () => {
  it('full loop: 1006.388 / 1.31', () => expectLoop(sigmaLoop(createScheduler('LMSDiscreteScheduler', SIGMA_BASE), 10), 1006.388, 1.31));
  it('v_prediction: 0.0017 / 2.2676e-06', () => {
    const s = createScheduler('LMSDiscreteScheduler', { ...SIGMA_BASE, prediction_type: 'v_prediction' });
    expectLoop(sigmaLoop(s, 10), 0.0017, 2.2676e-6);
  });
  it('Karras sigmas: 3812.9927 / 4.9648', () => {
    const s = createScheduler('LMSDiscreteScheduler', { ...SIGMA_BASE, use_karras_sigmas: true });
    expectLoop(sigmaLoop(s, 10), 3812.9927, 4.9648);
  });
});

describe('LMS coefficients', () => {
  it('integrate the Lagrange basis: first order gives the step width, all orders sum to it', () => {
    const s = createScheduler('LMSDiscreteScheduler', SIGMA_BASE) as unknown as {
      setTimesteps(n: number): void; sigmas: Float32Array; lmsCoefficient(order: number, t: number, k: number): number;
    };
    s.setTimesteps(10);
    const width = s.sigmas[6] - s.sigmas[5];
    expect(Math.abs(s.lmsCoefficient(1, 5, 0) - width)).toBeLessThan(1e-12);
    let sum = 0;
    for (let k = 0; k < 4; k++) sum += s.lmsCoefficient(4, 5, k);
    expect(Math.abs(sum - width) / Math.abs(width)).toBeLessThan(1e-5);
  });
});

describe('LMS order option', () => {
  it('order 1 is the Euler step bit for bit; orders outside 1..4 are refused', () => {
    const lms = createScheduler('LMSDiscreteScheduler', SIGMA_BASE);
    const euler = createScheduler('EulerDiscreteScheduler', SIGMA_BASE);
    lms.setTimesteps(10);
    euler.setTimesteps(10);
    let a = scaleTensor(dummySampleDeter(), lms.initNoiseSigma);
    let b = scaleTensor(dummySampleDeter(), euler.initNoiseSigma);
    for (const t of lms.timesteps) {
      a = lms.step(dummyModel(lms.scaleModelInput(a, t), t), t, a, { order: 1 } as never).prevSample;
      b = euler.step(dummyModel(euler.scaleModelInput(b, t), t), t, b).prevSample;
    }
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(() => lms.step(a, lms.timesteps[0], a, { order: 5 } as never)).toThrow(/order must be 1, 2, 3 or 4/);
  });
});

describe('HeunDiscreteScheduler (test_scheduler_heun.py)', () => {
  it('full loop: 0.1233 / 0.0002', () => expectLoop(sigmaLoop(createScheduler('HeunDiscreteScheduler', SIGMA_BASE), 10), 0.1233, 0.0002));
  it('v_prediction: 4.6934e-07 / 6.1112e-10', () => {
    const s = createScheduler('HeunDiscreteScheduler', { ...SIGMA_BASE, prediction_type: 'v_prediction' });
    expectLoop(sigmaLoop(s, 10), 4.6934e-7, 6.1112e-10);
  });
  it('Karras sigmas: 0.00015 / 1.98696e-07', () => {
    const s = createScheduler('HeunDiscreteScheduler', { ...SIGMA_BASE, use_karras_sigmas: true });
    expectLoop(sigmaLoop(s, 10), 0.00015, 1.9869554535034695e-7);
  });
  it('visits each interior timestep twice (order 2)', () => {
    const s = createScheduler('HeunDiscreteScheduler', SIGMA_BASE);
    s.setTimesteps(10);
    expect(s.order).toBe(2);
    expect(s.timesteps.length).toBe(19);
    expect(s.timesteps[1]).toBe(s.timesteps[2]);
  });
});

describe('DPMSolverMultistepScheduler (test_scheduler_dpm_multi.py)', () => {
  const base = {
    num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear', solver_order: 2,
    prediction_type: 'epsilon', thresholding: false, sample_max_value: 1.0, algorithm_type: 'dpmsolver++',
    solver_type: 'midpoint', lower_order_final: false, euler_at_final: false, final_sigmas_type: 'sigma_min',
  };
  const dpm = (extra: Record<string, unknown> = {}) => createScheduler('DPMSolverMultistepScheduler', { ...base, ...extra });
  it('full loop: mean 0.3301', () => expectLoop(plainLoop(dpm(), 10), null, 0.3301));
  it('dynamic thresholding: mean 1.1364', () => {
    expectLoop(plainLoop(dpm({ thresholding: true, dynamic_thresholding_ratio: 0.87, sample_max_value: 0.5 }), 10), null, 1.1364);
  });
  it('v_prediction: mean 0.2251', () => expectLoop(plainLoop(dpm({ prediction_type: 'v_prediction' }), 10), null, 0.2251));
  it('Karras + v_prediction: mean 0.2096', () => {
    expectLoop(plainLoop(dpm({ prediction_type: 'v_prediction', use_karras_sigmas: true }), 10), null, 0.2096);
  });
  it('Lu lambdas + v_prediction: mean 0.1554', () => {
    expectLoop(plainLoop(dpm({ prediction_type: 'v_prediction', use_lu_lambdas: true }), 10), null, 0.1554);
  });
  it('exponential sigmas run and span the training range', () => {
    const s = dpm({ use_exponential_sigmas: true });
    s.setTimesteps(10);
    expect(s.timesteps[0]).toBe(999);
    expect(s.sigmas![0]).toBeCloseTo(157.40725, 3);
    expect(plainLoop(dpm({ use_exponential_sigmas: true }), 10).data.every(Number.isFinite)).toBe(true);
  });
  it('img2img from step 5 with add_noise: 318.4111 / 0.4146', () => {
    const s = dpm();
    s.setTimesteps(10);
    const timesteps = s.timesteps.slice(5);
    const start = s.addNoise(dummySampleDeter(), dummyNoiseDeter(), timesteps[0]);
    let sample = start;
    for (const t of timesteps) sample = s.step(dummyModel(sample, t), t, sample).prevSample;
    expectLoop(sample, 318.4111, 0.4146);
  });
  it('lambda_min_clipped drops the timesteps of lowest log-SNR (cosine schedule, as DeepFloyd IF uses)', () => {
    const s = dpm({ beta_schedule: 'squaredcos_cap_v2', lambda_min_clipped: -5.1 });
    s.setTimesteps(10);
    const lambda = (t: number) => {
      const a = s.alphasCumprod[t];
      return Math.log(Math.sqrt(a)) - Math.log(Math.sqrt(1 - a));
    };
    expect(s.timesteps[0]).toBeLessThan(999);
    expect(lambda(s.timesteps[0])).toBeGreaterThanOrEqual(-5.1 - 1e-3);
    expect(lambda(s.timesteps[0] + 2)).toBeLessThan(-5.1);
    expect(createScheduler('DPMSolverMultistepScheduler', { lambda_min_clipped: null }).config.lambda_min_clipped).toBe(-Infinity);
  });
  it('dpmsolver with thresholding thresholds the implied x0', () => {
    const plain = plainLoop(dpm({ algorithm_type: 'dpmsolver', final_sigmas_type: 'sigma_min' }), 10);
    const thres = plainLoop(dpm({ algorithm_type: 'dpmsolver', final_sigmas_type: 'sigma_min', thresholding: true, dynamic_thresholding_ratio: 0.87, sample_max_value: 0.5 }), 10);
    expect(thres.data.every(Number.isFinite)).toBe(true);
    expect(meanAbs(thres)).not.toBeCloseTo(meanAbs(plain), 3);
  });
  it('every order solves the probability-flow ODE exactly when the clean sample is a constant', () => {
    // For a model whose x0 is a fixed c, x_t = alpha_t c + sigma_t e stays on one ODE path, so
    // all solver orders must land on alpha_min c + sigma_min e (up to float32 rounding).
    const c = 0.3;
    const e = 0.7;
    for (const algorithm_type of ['dpmsolver', 'dpmsolver++']) {
      for (const solver_order of [1, 2, 3]) {
        const s = dpm({ algorithm_type, solver_order, final_sigmas_type: 'sigma_min' });
        s.setTimesteps(12);
        const ab = (t: number) => [Math.sqrt(s.alphasCumprod[t]), Math.sqrt(1 - s.alphasCumprod[t])];
        const [aT, sT] = ab(s.timesteps[0]);
        let x = new Tensor('float32', [1, 1, 1, 1], Float32Array.of(aT * c + sT * e));
        for (const t of s.timesteps) {
          const [a, sg] = ab(t);
          const eps = new Tensor('float32', [1, 1, 1, 1], Float32Array.of((x.data[0] - a * c) / sg));
          x = s.step(eps, t, x).prevSample;
        }
        const [a0, s0] = ab(0);
        expect(Math.abs(x.data[0] - (a0 * c + s0 * e)), `${algorithm_type} order ${solver_order}`).toBeLessThan(2e-4);
      }
    }
  });
  it('runs every order / solver type / algorithm without NaN', () => {
    for (const algorithm_type of ['dpmsolver', 'dpmsolver++']) {
      for (const solver_type of ['midpoint', 'heun']) {
        for (const solver_order of [1, 2, 3]) {
          for (const prediction_type of ['epsilon', 'sample']) {
            const extra = { algorithm_type, solver_type, solver_order, prediction_type, final_sigmas_type: algorithm_type === 'dpmsolver' ? 'sigma_min' : 'zero' };
            const out = plainLoop(dpm(extra), 10);
            expect(out.data.some(Number.isNaN), JSON.stringify(extra)).toBe(false);
          }
        }
      }
    }
  });
});

describe('LCMScheduler (test_scheduler_lcm.py)', () => {
  it('one-step loop: 18.7097 / 0.0244', () => {
    const s = createScheduler('LCMScheduler', {
      num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', prediction_type: 'epsilon',
    });
    expectLoop(plainLoop(s, 1), 18.7097, 0.0244);
  });
});
