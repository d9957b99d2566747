/**
 * `sampling/scheduler`: a diffusers scheduler set up for a number of steps → SCHEDULE, plus the
 * loop's iteration count (`steps`, to wire into the repeat zone's count).
 */
import {
  SCHEDULER_NAMES,
  LCMScheduler,
  createScheduler,
  isSchedulerName,
  type Scheduler,
  type SchedulerName,
} from '../../src/diffusion/schedulers/index.ts';
import { COMFY_SIGMA_SCHEDULES, comfyModelSampling, comfySigmas } from '../../src/diffusion/schedulesComfy.ts';
import { defineNode } from '../define.ts';
import type { ScheduleValue } from './values.ts';

/** The config object from the `config` input (an object or JSON text) merged with the param JSON. */
function mergedConfig(nodeId: string, input: unknown, overrides: string): Record<string, unknown> {
  const parse = (text: string, where: string): Record<string, unknown> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Error(`node "${nodeId}": ${where} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`node "${nodeId}": ${where} must be a JSON object of scheduler_config.json keys`);
    }
    return value as Record<string, unknown>;
  };
  let base: Record<string, unknown> = {};
  if (typeof input === 'string') base = input.trim() ? parse(input, 'input `config`') : {};
  else if (input !== undefined && input !== null) {
    if (typeof input !== 'object' || Array.isArray(input)) {
      throw new Error(`node "${nodeId}": input \`config\` must be a scheduler config object or JSON text`);
    }
    base = input as Record<string, unknown>;
  }
  const extra = overrides.trim() ? parse(overrides, 'param `config`') : {};
  return { ...base, ...extra };
}

/**
 * Steps [start, min(end, steps)) of a schedule of steps + 1 sigmas, as ComfyUI's KSamplerAdvanced
 * cuts it: the end cut gets a final sigma of 0 unless the leftover noise is kept.
 */
export function sigmaRange(sigmas: Float32Array, start: number, end: number, leftover: boolean): Float32Array {
  let out = sigmas;
  if (end < out.length - 1) {
    if (end < 1) throw new Error(`end_at_step ${end} leaves no step to run`);
    out = out.slice(0, end + 1);
    if (!leftover) out[out.length - 1] = 0;
  }
  if (start > 0) {
    if (start >= out.length - 1) throw new Error(`start_at_step ${start} leaves no step to run (the schedule has ${out.length - 1} steps up to end_at_step)`);
    out = out.slice(start);
  }
  return out;
}

export const samplingScheduler = defineNode({
  type: 'sampling/scheduler',
  version: 1,
  title: 'Scheduler',
  category: 'sampling',
  description:
    'A diffusers scheduler (DDIM, Euler, DPM-Solver++, …) for `steps` steps. Config keys are those of a scheduler_config.json: ' +
    "connect a model package's scheduler config, and/or give JSON overrides. `auto` uses the config's _class_name. " +
    'Denoise < 1 starts part-way (img2img, as diffusers\' strength). A ComfyUI sigma schedule replaces the default spacing ' +
    'for sigma-based schedulers. Outputs the SCHEDULE and the number of loop iterations.',
  inputs: {
    config: { type: 'ANY', optional: true, description: "scheduler_config.json (object or JSON text), e.g. from model/load's scheduler_config." },
  },
  outputs: {
    schedule: { type: 'SCHEDULE' },
    steps: { type: 'INT', description: 'Loop iterations (model evaluations): wire into the repeat zone count.' },
    init_noise_sigma: { type: 'FLOAT', description: 'Scale of the initial noise for text-to-image.' },
  },
  params: {
    scheduler: { kind: 'enum', options: ['auto', ...SCHEDULER_NAMES], default: 'auto', description: "auto: the config's _class_name, else EulerDiscreteScheduler." },
    steps: { kind: 'int', default: 20, min: 1, max: 1000 },
    denoise: { kind: 'float', default: 1, min: 0, max: 1, step: 0.01, description: 'Strength: the fraction of the schedule to run (1 = from pure noise).' },
    sigma_schedule: {
      kind: 'enum', options: ['default', ...COMFY_SIGMA_SCHEDULES], default: 'default',
      description: "ComfyUI KSampler sigma schedule (Euler, Euler a, LMS, Heun, DPM-Solver++ only); default = the scheduler's own spacing.",
    },
    start_at_step: {
      kind: 'int', default: 0, min: 0, max: 10000,
      description: "With a sigma schedule: start at this step of the `steps`-step schedule (ComfyUI's KSamplerAdvanced start_at_step).",
    },
    end_at_step: {
      kind: 'int', default: 10000, min: 0, max: 10000,
      description: "With a sigma schedule: stop at this step (ComfyUI's end_at_step); the last step then goes to sigma 0 unless `leftover_noise`.",
    },
    leftover_noise: {
      kind: 'boolean', default: false,
      description: "Stopping early, end at that step's sigma instead of denoising to 0 (ComfyUI's return_with_leftover_noise).",
    },
    config: { kind: 'string', default: '', multiline: true, placeholder: '{"timestep_spacing": "trailing"}', syntax: 'json-object', description: 'JSON overrides of scheduler_config.json keys.' },
  },
  run(ctx, inputs, params) {
    const config = mergedConfig(ctx.nodeId, inputs.config, params.config);
    let name: SchedulerName;
    if (params.scheduler === 'auto') {
      const fromConfig = config._class_name;
      if (isSchedulerName(fromConfig)) name = fromConfig;
      else {
        if (fromConfig !== undefined) ctx.log.warn(`node "${ctx.nodeId}": scheduler ${String(fromConfig)} is not supported; using EulerDiscreteScheduler`);
        name = 'EulerDiscreteScheduler';
      }
    } else {
      name = params.scheduler as SchedulerName;
    }
    let scheduler: Scheduler;
    try {
      scheduler = createScheduler(name, config);
      if (params.sigma_schedule !== 'default') {
        if (!scheduler.setSigmas) {
          throw new Error(`sigma schedule "${params.sigma_schedule}" needs a sigma-based scheduler (Euler, Euler a, LMS, Heun, DPM-Solver++), not ${name}`);
        }
        const table = comfyModelSampling(scheduler.config);
        const sigmas = comfySigmas(params.sigma_schedule as (typeof COMFY_SIGMA_SCHEDULES)[number], params.steps, table);
        scheduler.setSigmas(sigmaRange(sigmas, params.start_at_step, params.end_at_step, params.leftover_noise));
      } else if (params.start_at_step !== 0 || params.end_at_step < params.steps) {
        throw new Error(`start_at_step / end_at_step need a sigma schedule (sigma_schedule other than default)`);
      } else if (scheduler instanceof LCMScheduler) {
        // LCM applies img2img strength inside its own schedule, as diffusers' LCM pipelines do.
        scheduler.setTimesteps(params.steps, params.denoise);
      } else {
        scheduler.setTimesteps(params.steps);
      }
    } catch (error) {
      throw new Error(`node "${ctx.nodeId}": ${error instanceof Error ? error.message : String(error)}`);
    }
    // diffusers' img2img: skip the first (1 - strength) of the steps.
    const n = params.sigma_schedule !== 'default' ? scheduler.numInferenceSteps ?? params.steps : params.steps;
    const strength = scheduler instanceof LCMScheduler ? 1 : params.denoise;
    const initTimestep = Math.min(Math.floor(n * strength), n);
    const beginIndex = Math.max(n - initTimestep, 0) * scheduler.order;
    if (beginIndex >= scheduler.timesteps.length) {
      throw new Error(`node "${ctx.nodeId}": denoise ${params.denoise} of ${n} steps leaves no step to run`);
    }
    if (beginIndex > 0) scheduler.setBeginIndex(beginIndex);
    const schedule: ScheduleValue = {
      kind: 'schedule',
      name,
      scheduler,
      timesteps: [...scheduler.timesteps],
      sigmas: scheduler.sigmas ? Array.from(scheduler.sigmas) : undefined,
      beginIndex,
      iterations: scheduler.timesteps.length - beginIndex,
      steps: params.steps,
      denoise: params.denoise,
      initNoiseSigma: scheduler.initNoiseSigma,
    };
    return { schedule, steps: schedule.iterations, init_noise_sigma: schedule.initNoiseSigma };
  },
});
