/** The sampling and guidance nodes called directly: purity, img2img strength, errors naming ports. */
import { describe, expect, it } from 'vitest';
import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import { samplingScheduler } from '../../nodes/sampling/scheduler.ts';
import { samplingInitState } from '../../nodes/sampling/initState.ts';
import { samplingStep } from '../../nodes/sampling/step.ts';
import { samplingTimestep } from '../../nodes/sampling/timestep.ts';
import { samplingScaleInput } from '../../nodes/sampling/scaleInput.ts';
import { samplingAddNoise } from '../../nodes/sampling/addNoise.ts';
import { guidanceCfg } from '../../nodes/guidance/cfg.ts';
import type { ScheduleValue, SchedulerStateValue } from '../../nodes/sampling/values.ts';
import type { LatentValue } from '../../nodes/types.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { dummyModel, dummyNoiseDeter, dummySampleDeter, meanAbs, sumAbs } from '../diffusion/schedulerFixtures.ts';

const warnings: string[] = [];
function ctx(nodeId: string): RunContext {
  return {
    nodeId,
    signal: new AbortController().signal,
    progress: () => {},
    log: { debug: () => {}, info: () => {}, warn: (m) => warnings.push(m) },
    services: {},
    graph: { format: 'latentloom.graph', version: 1, meta: {}, models: {}, nodes: [], edges: [] },
  };
}

function params(def: NodeDefinition, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(def.params)) out[k] = spec.default;
  return { ...out, ...overrides };
}

async function run(def: NodeDefinition, id: string, inputs: Record<string, unknown>, p: Record<string, unknown> = {}) {
  return (await def.run(ctx(id), inputs, params(def, p))) as Record<string, unknown>;
}

async function schedule(p: Record<string, unknown>, config?: unknown): Promise<{ schedule: ScheduleValue; steps: number }> {
  const out = await run(samplingScheduler, 'sched', config === undefined ? {} : { config }, p);
  return out as { schedule: ScheduleValue; steps: number };
}

const DDIM = { _class_name: 'DDIMScheduler', num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear', clip_sample: true };
const latent = (t: Tensor<'float32'>): LatentValue => ({ samples: t });

describe('sampling/scheduler', () => {
  it('takes the class from the connected config (auto) and reports the iteration count', async () => {
    const { schedule: s, steps } = await schedule({ steps: 10 }, DDIM);
    expect(s.name).toBe('DDIMScheduler');
    expect(steps).toBe(10);
    expect(s.timesteps).toEqual([900, 800, 700, 600, 500, 400, 300, 200, 100, 0]);
  });
  it('accepts JSON text as config, merges param overrides, and counts Heun evaluations', async () => {
    const { schedule: s, steps } = await schedule({ steps: 10, scheduler: 'HeunDiscreteScheduler', config: '{"timestep_spacing":"trailing"}' }, JSON.stringify(DDIM));
    expect(s.name).toBe('HeunDiscreteScheduler');
    expect(s.scheduler.config.timestep_spacing).toBe('trailing');
    expect(steps).toBe(19);
  });
  it('falls back to Euler with a warning for an unsupported _class_name', async () => {
    warnings.length = 0;
    const { schedule: s } = await schedule({}, { _class_name: 'UniPCMultistepScheduler' });
    expect(s.name).toBe('EulerDiscreteScheduler');
    expect(warnings[0]).toMatch(/UniPCMultistepScheduler is not supported/);
  });
  it('applies a ComfyUI sigma schedule to a sigma-based scheduler and refuses it for DDIM', async () => {
    const { schedule: s, steps } = await schedule({ scheduler: 'EulerDiscreteScheduler', steps: 8, sigma_schedule: 'karras' });
    expect(steps).toBe(8);
    expect(s.sigmas!.length).toBe(9);
    await expect(schedule({ scheduler: 'DDIMScheduler', sigma_schedule: 'karras' })).rejects.toThrow(/node "sched": sigma schedule "karras" needs a sigma-based scheduler/);
  });
  it('denoise < 1 starts part-way like diffusers strength', async () => {
    const { schedule: s, steps } = await schedule({ steps: 10, denoise: 0.2 }, DDIM);
    expect(s.beginIndex).toBe(8);
    expect(steps).toBe(2);
    await expect(schedule({ steps: 10, denoise: 0.05 }, DDIM)).rejects.toThrow(/leaves no step to run/);
  });
  it('passes denoise to LCM as its own strength (no slicing)', async () => {
    const { schedule: s, steps } = await schedule({ scheduler: 'LCMScheduler', steps: 4, denoise: 0.5 });
    expect(s.timesteps).toEqual([499, 379, 259, 139]);
    expect(s.beginIndex).toBe(0);
    expect(steps).toBe(4);
  });
  it('feeds 0.25·log(sigma) as the timestep for continuous v-prediction Euler', async () => {
    const { schedule: s } = await schedule({ scheduler: 'EulerDiscreteScheduler', steps: 5, config: '{"timestep_type":"continuous","prediction_type":"v_prediction"}' });
    expect(s.timesteps[0]).toBeCloseTo(0.25 * Math.log(s.sigmas![0]), 6);
    const ts = (await run(samplingTimestep, 'ts', { schedule: s, index: 1 })) as { timestep: number };
    expect(ts.timestep).toBeCloseTo(0.25 * Math.log(s.sigmas![1]), 6);
  });
  it('names the node for malformed config', async () => {
    await expect(schedule({ config: '{oops' })).rejects.toThrow(/node "sched": param `config` is not valid JSON/);
    await expect(schedule({}, [1, 2])).rejects.toThrow(/input `config` must be a scheduler config object/);
  });
});

describe('img2img through the nodes (denoise = strength)', () => {
  async function img2img(p: Record<string, unknown>, config: Record<string, unknown>) {
    const { schedule: s, steps } = await schedule(p, config);
    const start = (await run(samplingAddNoise, 'noise', { schedule: s, noise: dummyNoiseDeter(), latent: latent(dummySampleDeter()) })).latent as LatentValue;
    let state = (await run(samplingInitState, 'init', { schedule: s })).state as SchedulerStateValue;
    let x = start;
    for (let i = 0; i < steps; i++) {
      const { timestep } = (await run(samplingTimestep, 'ts', { schedule: s, index: i })) as { timestep: number };
      const out = await run(samplingStep, 'step', { schedule: s, state, model_output: latent(dummyModel(x.samples, timestep)), sample: x, index: i });
      x = out.sample as LatentValue;
      state = out.state as SchedulerStateValue;
    }
    return x.samples;
  }
  it('DDIM at strength 0.2 of 10 steps: 354.5418 / 0.4616', async () => {
    const x = await img2img({ steps: 10, denoise: 0.2 }, DDIM);
    expect(Math.abs(sumAbs(x) - 354.5418)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(x) - 0.4616)).toBeLessThan(1e-3);
  });
  it('DPM-Solver++ at strength 0.5 of 10 steps: 318.4111 / 0.4146', async () => {
    const x = await img2img({ steps: 10, denoise: 0.5 }, {
      _class_name: 'DPMSolverMultistepScheduler', lower_order_final: false, final_sigmas_type: 'sigma_min',
    });
    expect(Math.abs(sumAbs(x) - 318.4111)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(x) - 0.4146)).toBeLessThan(1e-3);
  });
});

describe('unCLIP through the nodes', () => {
  it('steps to the next scheduled timestep: 25 steps give 258.2044983 / 0.3362038', async () => {
    const { schedule: s, steps } = await schedule({ scheduler: 'UnCLIPScheduler', steps: 25 }, { clip_sample: true, variance_type: 'fixed_small_log' });
    let state = (await run(samplingInitState, 'init', { schedule: s }, { seed: 0 })).state as SchedulerStateValue;
    let x = latent(dummySampleDeter());
    for (let i = 0; i < steps; i++) {
      const { timestep } = (await run(samplingTimestep, 'ts', { schedule: s, state })) as { timestep: number };
      const out = await run(samplingStep, 'step', { schedule: s, state, model_output: latent(dummyModel(x.samples, timestep)), sample: x });
      x = out.sample as LatentValue;
      state = out.state as SchedulerStateValue;
    }
    expect(Math.abs(sumAbs(x.samples) - 258.2044983)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(x.samples) - 0.3362038)).toBeLessThan(1e-3);
  });
});

describe('sampling/step purity and errors', () => {
  it('returns a new state and leaves its inputs untouched, so a re-run gives the same result', async () => {
    const { schedule: s } = await schedule({ steps: 6, scheduler: 'EulerAncestralDiscreteScheduler' });
    const state = (await run(samplingInitState, 'init', { schedule: s }, { seed: 42 })).state as SchedulerStateValue;
    const x = latent(dummySampleDeter());
    const m = latent(dummyModel(x.samples, 999));
    const before = JSON.stringify({ position: state.position, step: state.state.stepIndex });
    const a = await run(samplingStep, 'step', { schedule: s, state, model_output: m, sample: x });
    const b = await run(samplingStep, 'step', { schedule: s, state, model_output: m, sample: x });
    expect(JSON.stringify({ position: state.position, step: state.state.stepIndex })).toBe(before);
    expect(Array.from((a.sample as LatentValue).samples.data)).toEqual(Array.from((b.sample as LatentValue).samples.data));
    expect((a.state as SchedulerStateValue).position).toBe(1);
    expect(x.samples.data).toEqual(dummySampleDeter().data);
  });
  it('copies the generator only when a step draws noise, and never advances the one it was given', async () => {
    const x = latent(dummySampleDeter());
    const m = latent(dummyModel(x.samples, 999));
    const stepOnce = async (scheduler: string) => {
      const { schedule: s } = await schedule({ steps: 6, scheduler });
      const state = (await run(samplingInitState, 'init', { schedule: s }, { seed: 42 })).state as SchedulerStateValue;
      const before = JSON.stringify(state.generator.getState());
      const next = (await run(samplingStep, 'step', { schedule: s, state, model_output: m, sample: x })).state as SchedulerStateValue;
      expect(JSON.stringify(state.generator.getState())).toBe(before);
      return { state, next, before };
    };
    // DDIM at eta 0 draws nothing: the next state carries the same, unadvanced stream.
    const ddim = await stepOnce('DDIMScheduler');
    expect(ddim.next.generator).toBe(ddim.state.generator);
    // Euler ancestral draws: the next state has its own copy, advanced past the draw.
    const ancestral = await stepOnce('EulerAncestralDiscreteScheduler');
    expect(ancestral.next.generator).not.toBe(ancestral.state.generator);
    expect(JSON.stringify(ancestral.next.generator.getState())).not.toBe(ancestral.before);
  });

  it('checks the index against the state and the end of the schedule', async () => {
    const { schedule: s } = await schedule({ steps: 2 }, DDIM);
    const state = (await run(samplingInitState, 'init', { schedule: s })).state as SchedulerStateValue;
    const x = latent(dummySampleDeter());
    await expect(run(samplingStep, 'step', { schedule: s, state, model_output: x, sample: x, index: 1 })).rejects.toThrow(/node "step": input `index` is 1 but the scheduler state is at step 0/);
    await expect(run(samplingTimestep, 'ts', { schedule: s, index: 2 })).rejects.toThrow(/step 2 is past the end of the schedule \(2 steps\)/);
    await expect(run(samplingTimestep, 'ts', { schedule: s })).rejects.toThrow(/connect `state` or `index`/);
    await expect(run(samplingStep, 'step', { schedule: {}, state, model_output: x, sample: x })).rejects.toThrow(/input `schedule` must be a SCHEDULE/);
    const { schedule: other } = await schedule({ steps: 2, scheduler: 'EulerDiscreteScheduler' });
    await expect(run(samplingStep, 'step', { schedule: other, state, model_output: x, sample: x })).rejects.toThrow(/belongs to a DDIMScheduler, but the schedule is a EulerDiscreteScheduler/);
  });
});

describe('sampling/timestep, scale-input, add-noise', () => {
  it('gives t and sigma for Euler and scales the input by 1 / sqrt(sigma^2 + 1)', async () => {
    const { schedule: s } = await schedule({ steps: 10, scheduler: 'EulerDiscreteScheduler', config: '{"beta_schedule":"scaled_linear","beta_start":0.00085,"beta_end":0.012}' });
    const ts = (await run(samplingTimestep, 'ts', { schedule: s, index: 0 })) as { timestep: number; sigma: number };
    expect(ts.timestep).toBe(999);
    expect(ts.sigma).toBeCloseTo(14.614647, 5);
    const scaled = (await run(samplingScaleInput, 'scale', { schedule: s, latent: latent(dummySampleDeter()), index: 0 })) as { latent: LatentValue; timestep: number };
    expect(scaled.timestep).toBe(999);
    expect(scaled.latent.samples.data[767]).toBeCloseTo(dummySampleDeter().data[767] / Math.sqrt(ts.sigma ** 2 + 1), 6);
  });
  it('scale-input finds the step from a timestep, and checks a timestep against the state', async () => {
    const { schedule: s } = await schedule({ steps: 10, scheduler: 'EulerDiscreteScheduler' });
    const byT = (await run(samplingScaleInput, 'scale', { schedule: s, latent: latent(dummySampleDeter()), timestep: s.timesteps[3] })) as { latent: LatentValue };
    const byI = (await run(samplingScaleInput, 'scale', { schedule: s, latent: latent(dummySampleDeter()), index: 3 })) as { latent: LatentValue };
    expect(Array.from(byT.latent.samples.data)).toEqual(Array.from(byI.latent.samples.data));
    await expect(run(samplingScaleInput, 'scale', { schedule: s, latent: latent(dummySampleDeter()), index: 2, timestep: s.timesteps[3] })).rejects.toThrow(/input `timestep` is .* but step 2 of the schedule is at/);
    await expect(run(samplingScaleInput, 'scale', { schedule: s, latent: latent(dummySampleDeter()), timestep: 12.5 })).rejects.toThrow(/12.5 is not one of the schedule's timesteps/);
  });
  it('DDIM sigma is derived from alphas_cumprod; text-to-image start is noise × init sigma', async () => {
    const { schedule: s } = await schedule({ steps: 10 }, DDIM);
    const ts = (await run(samplingTimestep, 'ts', { schedule: s, index: 9 })) as { timestep: number; sigma: number };
    expect(ts.timestep).toBe(0);
    expect(ts.sigma).toBeCloseTo(Math.sqrt(0.0001 / 0.9999), 5);
    const start = (await run(samplingAddNoise, 'noise', { schedule: s, noise: dummyNoiseDeter() })).latent as LatentValue;
    expect(Array.from(start.samples.data)).toEqual(Array.from(dummyNoiseDeter().data));
    const bad = new Tensor('float32', [1, 4, 2, 2], new Float32Array(16));
    await expect(run(samplingAddNoise, 'noise', { schedule: s, noise: bad, latent: latent(dummySampleDeter()) })).rejects.toThrow(/`noise` has shape \[1, 4, 2, 2\] but `latent` has \[4, 3, 8, 8\]/);
  });
});

describe('guidance/cfg', () => {
  const c = latent(new Tensor('float32', [1, 2, 2, 2], Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8])));
  const u = latent(new Tensor('float32', [1, 2, 2, 2], Float32Array.from([0, 1, 1, 2, 2, 3, 3, 4])));
  it('guides separate predictions and a batched one identically', async () => {
    const sep = (await run(guidanceCfg, 'cfg', { cond: c, uncond: u }, { scale: 3 })).prediction as LatentValue;
    expect(Array.from(sep.samples.data)).toEqual([3, 4, 7, 8, 11, 12, 15, 16]);
    const both = latent(new Tensor('float32', [2, 2, 2, 2], Float32Array.from([...u.samples.data, ...c.samples.data])));
    const bat = (await run(guidanceCfg, 'cfg', { cond: both }, { scale: 3, batched: true })).prediction as LatentValue;
    expect(Array.from(bat.samples.data)).toEqual(Array.from(sep.samples.data));
  });
  it('says what to connect', async () => {
    await expect(run(guidanceCfg, 'cfg', { cond: c })).rejects.toThrow(/node "cfg": connect `uncond`, or set `batched`/);
    await expect(run(guidanceCfg, 'cfg', { cond: c, uncond: u }, { batched: true })).rejects.toThrow(/leave `uncond` unconnected/);
  });
});
