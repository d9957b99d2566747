/**
 * Each scheduler's `stepOnDevice` against its own host `step`, on onnxruntime-node's resident
 * device: whole loops over model outputs that are not a denoiser's (random each step), for both
 * prediction types a device path covers; every step's sample and x0 must be the host's exactly,
 * and the state carried between device steps (histories, saved samples) must stay on the device.
 */
import { createScheduler } from '../../src/diffusion/schedulers/index.ts';
import type { Scheduler } from '../../src/diffusion/schedulers/base.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { ResidentTensor, type TensorDevice } from '../../src/tensor/resident.ts';
import type { DeviceStepResult } from '../../src/diffusion/schedulers/onDevice.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';

const device = createNodeBackend({ resident: true }).device as TensorDevice;
const shape = [1, 4, 6, 6];

function random(seed: number, scale = 1): Tensor<'float32'> {
  let x = seed;
  const data = Float32Array.from({ length: 144 }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return ((x / 2147483648) * 4 - 2) * scale;
  });
  return new Tensor('float32', shape, data);
}

interface Compared {
  deviceSteps: number;
  hostSteps: number;
}

/** `dev`'s state with every resident value downloaded, as the step node hands it to a host step. */
async function downloadState(dev: Scheduler): Promise<void> {
  const host = async <T,>(v: T) => (v instanceof ResidentTensor ? (await v.download()).data : v);
  const st = dev.getState();
  const fields = ['curModelOutput', 'curSample', 'prevDerivative', 'savedSample'] as const;
  const downloaded = Object.fromEntries(await Promise.all(fields.map(async (f) => [f, await host(st[f])])));
  dev.setState({ ...st, ...downloaded, history: await Promise.all(st.history.map(host)) });
}

/**
 * Steps `host` with step() and `dev` with stepOnDevice over the same inputs; `dev` steps on the
 * host where stepOnDevice declines and at the positions `hostAt` names (its state downloaded).
 */
async function compareLoops(host: Scheduler, dev: Scheduler, steps: number, hostAt: readonly number[] = [], eta?: number): Promise<Compared> {
  host.setTimesteps(steps);
  dev.setTimesteps(steps);
  expect(dev.timesteps).toEqual(host.timesteps);
  let hostSample = random(99, 10);
  let devSample: Tensor<'float32'> | ResidentTensor = hostSample;
  const counts = { deviceSteps: 0, hostSteps: 0 };
  // Stochastic steps draw from one generator per side, seeded alike.
  const hostOptions = { generator: new TorchGenerator(5), eta };
  const devOptions = { generator: new TorchGenerator(5), eta };
  for (const [i, t] of host.timesteps.entries()) {
    const m = random(1000 + i);
    const expected = host.step(m, t, hostSample, hostOptions);
    if (hostAt.includes(i)) await downloadState(dev);
    const onDevice: Promise<DeviceStepResult> | undefined = hostAt.includes(i) ? undefined : dev.stepOnDevice?.(device, m, t, devSample, devOptions);
    let got: Tensor<'float32'>;
    let gotX0: Tensor<'float32'> | undefined;
    if (onDevice) {
      counts.deviceSteps++;
      const result: DeviceStepResult = await onDevice;
      expect(result.prevSample).toBeInstanceOf(ResidentTensor);
      devSample = result.prevSample;
      got = await result.prevSample.download();
      gotX0 = result.predOriginalSample && (await result.predOriginalSample.download());
    } else {
      counts.hostSteps++;
      const sample = devSample instanceof ResidentTensor ? await devSample.download() : devSample;
      const result = dev.step(m, t, sample, devOptions);
      devSample = result.prevSample;
      got = result.prevSample;
      gotX0 = result.predOriginalSample;
    }
    expect(got.data, `step ${i} (t = ${t}): sample`).toEqual(expected.prevSample.data);
    if (gotX0 && expected.predOriginalSample) expect(gotX0.data, `step ${i}: x0`).toEqual(expected.predOriginalSample.data);
    hostSample = expected.prevSample;
  }
  return counts;
}

describe('scheduler steps on the device give the host steps (onnxruntime-node)', () => {
  it.each([
    // name, scheduler, config, steps, steps on the host
    ['PNDM, skip_prk_steps', 'PNDMScheduler', { skip_prk_steps: true }, 12, 0],
    ['PNDM with the Runge-Kutta warm-up (12 sub-steps, then 5 multistep steps)', 'PNDMScheduler', { skip_prk_steps: false }, 8, 0],
    ['LMS', 'LMSDiscreteScheduler', {}, 12, 0],
    ['Heun', 'HeunDiscreteScheduler', {}, 8, 0],
    ['Euler', 'EulerDiscreteScheduler', {}, 8, 0],
    ['DDIM', 'DDIMScheduler', { clip_sample: false }, 8, 0],
    ['DPM-Solver++ 2M', 'DPMSolverMultistepScheduler', {}, 8, 0],
    ['DPM-Solver++ 3M', 'DPMSolverMultistepScheduler', { solver_order: 3 }, 10, 0],
    ['DPM-Solver++ 3M, 20 steps (third order to the end)', 'DPMSolverMultistepScheduler', { solver_order: 3 }, 20, 0],
    ['DPM-Solver (algorithm_type dpmsolver) 3M, epsilon history', 'DPMSolverMultistepScheduler', { algorithm_type: 'dpmsolver', final_sigmas_type: 'sigma_min', solver_order: 3 }, 12, 0],
    ['Euler ancestral', 'EulerAncestralDiscreteScheduler', {}, 8, 0],
    ['DDPM, clipped', 'DDPMScheduler', { clip_sample: true }, 8, 0],
    ['LCM', 'LCMScheduler', {}, 4, 0],
  ] as const)('%s, epsilon and v_prediction', async (_name, name, config, steps, hostCalls) => {
    for (const prediction_type of ['epsilon', 'v_prediction']) {
      const full = { ...config, prediction_type };
      const counts = await compareLoops(createScheduler(name, full), createScheduler(name, full), steps);
      expect(counts.hostSteps, prediction_type).toBe(hostCalls);
      expect(counts.deviceSteps, prediction_type).toBeGreaterThanOrEqual(steps);
    }
  });

  it('DDIM clipped (clip_sample, DDIMScheduler\'s default) and with eta 0.5, epsilon and v_prediction', async () => {
    for (const prediction_type of ['epsilon', 'v_prediction']) {
      for (const [config, eta] of [[{ clip_sample: true, clip_sample_range: 0.8 }, 0], [{ clip_sample: true }, 0.5], [{ clip_sample: false }, 0.5]] as const) {
        const full = { ...config, prediction_type };
        const counts = await compareLoops(createScheduler('DDIMScheduler', full), createScheduler('DDIMScheduler', full), 8, [], eta);
        expect(counts.hostSteps, `${JSON.stringify(full)}, eta ${eta}`).toBe(0);
      }
    }
  });

  it('thresholding configs (DDIM, DDPM, LCM, DPM-Solver++ 1S/2M/3M), epsilon and v_prediction', async () => {
    const thresholding = { thresholding: true, dynamic_thresholding_ratio: 0.9, sample_max_value: 12 };
    const cases = [
      ['DDIMScheduler', 0],
      ['DDIMScheduler', 0.5],
      ['DDPMScheduler', undefined],
      ['LCMScheduler', undefined],
      ['DPMSolverMultistepScheduler', undefined],
    ] as const;
    for (const prediction_type of ['epsilon', 'v_prediction']) {
      for (const [name, eta] of cases) {
        const config = { ...thresholding, prediction_type, ...(name === 'DPMSolverMultistepScheduler' ? { solver_order: 3 } : {}) };
        const counts = await compareLoops(createScheduler(name, config), createScheduler(name, config), 8, [], eta);
        expect(counts.hostSteps, `${name} ${prediction_type}`).toBe(0);
      }
    }
  });

  it('learned variances (DDPM learned / learned_range, DeepFloyd IF\'s DDPM config, unCLIP learned_range as Karlo ships it): the model output\'s second half of channels on the device', async () => {
    const cases = [
      ['DDPMScheduler', { variance_type: 'learned' }, 0],
      ['DDPMScheduler', { variance_type: 'learned_range' }, 1e-6],
      ['DDPMScheduler', { variance_type: 'learned_range', thresholding: true, dynamic_thresholding_ratio: 0.95, sample_max_value: 1.5, clip_sample: true, beta_schedule: 'squaredcos_cap_v2' }, 1e-6],
      ['UnCLIPScheduler', { variance_type: 'learned_range' }, 1e-6],
    ] as const;
    for (const [name, config, tolerance] of cases) {
      const host = createScheduler(name, config);
      const dev = createScheduler(name, config);
      host.setTimesteps(8);
      dev.setTimesteps(8);
      const hostOptions = { generator: new TorchGenerator(3) };
      const devOptions = { generator: new TorchGenerator(3) };
      let hostSample = random(99, 10);
      let devSample = hostSample;
      let worst = 0;
      for (const [i, t] of host.timesteps.entries()) {
        // [prediction; variance] along the channels; the variance part in [−1, 1] as the range's frac needs.
        const prediction = random(1000 + i).data;
        const variance = random(2000 + i, 0.5).data.map((v) => (name === 'DDPMScheduler' && config.variance_type === 'learned' ? Math.abs(v) * 0.01 : v));
        const m = new Tensor('float32', [1, 8, 6, 6], Float32Array.of(...prediction, ...variance));
        const expected = host.step(m, t, hostSample, hostOptions);
        const onDevice: Promise<DeviceStepResult> | undefined = dev.stepOnDevice?.(device, m, t, devSample, devOptions);
        expect(onDevice, `${name} ${JSON.stringify(config)}: a device path`).toBeDefined();
        const result: DeviceStepResult = await onDevice!;
        const got = (await result.prevSample.download()).data;
        for (let j = 0; j < got.length; j++) {
          const diff = Math.abs(got[j] - expected.prevSample.data[j]);
          worst = Math.max(worst, diff / Math.max(1, Math.abs(expected.prevSample.data[j])));
        }
        expect((await result.predOriginalSample!.download()).data, `step ${i}: x0`).toEqual(expected.predOriginalSample!.data);
        // Both go on from the host's sample, so each step's difference is its own (x0 then stays equal).
        hostSample = expected.prevSample;
        devSample = hostSample;
      }
      console.log(`${name} ${JSON.stringify(config)}: worst relative |device − host| over 8 steps ${worst}`);
      expect(worst, `${name} ${JSON.stringify(config)}`).toBeLessThanOrEqual(tolerance);
    }
  });

  it('mixes host and device steps mid-way (state left by host steps is uploaded, resident state downloaded for host steps)', async () => {
    // PNDM's warm-up sub-steps 1, 5 and 6 (phases 1, 1, 2) and multistep step 14 on the host; LMS's and Heun's every third step.
    const cases = [
      ['PNDMScheduler', { skip_prk_steps: false }, 8, [1, 5, 6, 14]],
      ['LMSDiscreteScheduler', {}, 10, [2, 5, 8]],
      ['HeunDiscreteScheduler', {}, 6, [1, 4, 7]],
    ] as const;
    for (const [name, config, steps, hostAt] of cases) {
      for (const prediction_type of ['epsilon', 'v_prediction']) {
        const full = { ...config, prediction_type };
        const counts = await compareLoops(createScheduler(name, full), createScheduler(name, full), steps, hostAt);
        expect(counts.hostSteps, `${name} ${prediction_type}`).toBe(hostAt.length);
      }
    }
  });

  it('Heun with clip_sample, epsilon and v_prediction', async () => {
    for (const prediction_type of ['epsilon', 'v_prediction']) {
      const config = { prediction_type, clip_sample: true, clip_sample_range: 0.7 };
      const counts = await compareLoops(createScheduler('HeunDiscreteScheduler', config), createScheduler('HeunDiscreteScheduler', config), 6);
      expect(counts.hostSteps, prediction_type).toBe(0);
    }
  });

  it('steps on the host where the device has no path (DPM-Solver thresholded, LMS on sample predictions)', async () => {
    for (const [name, config] of [
      ['DPMSolverMultistepScheduler', { algorithm_type: 'dpmsolver', final_sigmas_type: 'sigma_min', thresholding: true }],
      ['LMSDiscreteScheduler', { prediction_type: 'sample' }],
    ] as const) {
      const counts = await compareLoops(createScheduler(name, config), createScheduler(name, config), 6);
      expect(counts.deviceSteps, name).toBe(0);
    }
  });
});
