/**
 * The samplers as LatentLoom's sampling loop: scheduler (from the package config, with ComfyUI's
 * sigma schedule), seeded torch.randn noise, initial latent and scheduler state, then a repeat
 * zone of scale input → denoise (positive, negative) → CFG → scheduler step.
 *
 * KSampler and KSamplerAdvanced give their settings directly; the split family (KSamplerSelect,
 * BasicScheduler, KarrasScheduler, RandomNoise, DisableNoise, CFGGuider, BasicGuider) hands them
 * on as SAMPLER / SIGMAS / NOISE / GUIDER values until SamplerCustom or SamplerCustomAdvanced
 * builds the same zone.
 */
import { fail, type ClassConverter, type ConvertContext } from '../context.ts';
import { own, type GuiderOut, type ModelOut, type NoiseOut, type Out, type PortOut, type SamplerOut, type SigmasOut } from '../types.ts';

interface SamplerEntry {
  scheduler: string;
  config?: Record<string, unknown>;
  sigmaBased: boolean;
  /** ComfyUI schedulers accepted where the sampler is not sigma-based (it runs its own spacing). */
  schedules?: readonly string[];
}

export const SAMPLERS: Record<string, SamplerEntry> = {
  euler: { scheduler: 'EulerDiscreteScheduler', sigmaBased: true },
  euler_ancestral: { scheduler: 'EulerAncestralDiscreteScheduler', sigmaBased: true },
  heun: { scheduler: 'HeunDiscreteScheduler', sigmaBased: true },
  dpmpp_2m: { scheduler: 'DPMSolverMultistepScheduler', config: { algorithm_type: 'dpmsolver++', solver_order: 2 }, sigmaBased: true },
  lms: { scheduler: 'LMSDiscreteScheduler', sigmaBased: true },
  ddim: { scheduler: 'DDIMScheduler', sigmaBased: false, schedules: ['normal', 'ddim_uniform'] },
  ddpm: { scheduler: 'DDPMScheduler', sigmaBased: false, schedules: ['normal', 'ddim_uniform'] },
  lcm: { scheduler: 'LCMScheduler', sigmaBased: false, schedules: ['normal', 'sgm_uniform', 'simple', 'ddim_uniform'] },
};

export const COMFY_SCHEDULERS = ['normal', 'karras', 'exponential', 'sgm_uniform', 'simple', 'ddim_uniform'];

/** KarrasScheduler's defaults: the sigma range of SD 1.x/2.x (ComfyUI's ModelSamplingDiscrete). */
export const KARRAS_DEFAULTS = { sigma_max: 14.614642, sigma_min: 0.0291675, rho: 7 };

/** Everything one sampling zone needs, however the ComfyUI workflow spelled it. */
export interface SamplerPlan {
  /** The denoiser's model (and VAE factor). */
  model: ModelOut;
  /** Where the scheduler config comes from (BasicScheduler's model, else `model`). */
  scheduleModel: ModelOut;
  samplerName: string;
  schedulerName: string;
  steps: number;
  denoise: number;
  /** KSamplerAdvanced's cut of the schedule: steps [start, min(end, steps)). */
  start: number;
  end: number;
  /** Stopping early: keep the last sigma (return_with_leftover_noise) instead of denoising to 0. */
  leftover: boolean;
  /** The noise seed (also the seed of ancestral steps); `addNoise` false starts from the latent as it is. */
  seed: number;
  addNoise: boolean;
  positive: PortOut;
  /** No negative: one denoiser call per step, no CFG (BasicGuider). */
  negative?: PortOut;
  cfg: number;
  latentIn: Out;
  /** Also carry the step's x0 prediction through the zone (SamplerCustom's denoised_output). */
  denoised: boolean;
}

/** Samplers whose steps depend on each step's own sigmas only, so a leftover-noise cut ends as ComfyUI's does. */
const LEFTOVER_SAMPLERS = new Set(['euler', 'euler_ancestral', 'lms']);

const STATE = [{ name: 'latent', type: 'LATENT' }, { name: 'state', type: 'SCHEDULER_STATE' }];
const STATE_WITH_DENOISED = [...STATE, { name: 'denoised', type: 'LATENT' }];

function modelOf(ctx: ConvertContext, name: string): ModelOut {
  const model = ctx.link(name);
  if (model.kind !== 'model') fail(ctx, `input ${name} must come from a checkpoint loader`);
  return model;
}

function seedOf(ctx: ConvertContext, name: string): number {
  const seed = ctx.number(name, 0);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    fail(ctx, `${name} ${seed} is not an integer in [0, 2^53 − 1]: JSON numbers above that lose digits, so the noise could not be reproduced`);
  }
  return seed;
}

function stepsOf(ctx: ConvertContext, name: string): number {
  const steps = ctx.number(name, 20);
  if (!Number.isInteger(steps) || steps < 1 || steps > 1000) fail(ctx, `${name} must be an integer in [1, 1000], got ${steps}`);
  return steps;
}

export const kSampler: ClassConverter = (ctx) => {
  const model = modelOf(ctx, 'model');
  const { output } = buildSampler(ctx, {
    model, scheduleModel: model, seed: seedOf(ctx, 'seed'), addNoise: true, steps: stepsOf(ctx, 'steps'), cfg: ctx.number('cfg', 8),
    samplerName: ctx.string('sampler_name', 'euler'), schedulerName: ctx.string('scheduler', 'normal'), denoise: ctx.number('denoise', 1),
    start: 0, end: 10000, leftover: false,
    positive: ctx.port('positive', 'CONDITIONING'), negative: ctx.port('negative', 'CONDITIONING'), latentIn: ctx.link('latent_image'), denoised: false,
  });
  return [output];
};

function enableFlag(ctx: ConvertContext, name: string, fallback: string): boolean {
  const value = ctx.string(name, fallback);
  if (value !== 'enable' && value !== 'disable') fail(ctx, `${name} must be "enable" or "disable", got ${JSON.stringify(value)}`);
  return value === 'enable';
}

/**
 * KSamplerAdvanced: steps [start_at_step, min(end_at_step, steps)) of a `steps`-step schedule;
 * add_noise "disable" starts from the latent as given (e.g. a first pass's leftover noise);
 * return_with_leftover_noise "enable" stops at the cut's sigma instead of denoising to 0.
 */
export const kSamplerAdvanced: ClassConverter = (ctx) => {
  const model = modelOf(ctx, 'model');
  const steps = stepsOf(ctx, 'steps');
  const start = ctx.number('start_at_step', 0);
  const end = ctx.number('end_at_step', 10000);
  for (const [name, v] of [['start_at_step', start], ['end_at_step', end]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 10000) fail(ctx, `${name} must be an integer in [0, 10000], got ${v}`);
  }
  if (start >= Math.min(end, steps)) {
    fail(ctx, `start_at_step ${start} to end_at_step ${end} of ${steps} steps leaves no step to run (ComfyUI would return the latent unchanged)`);
  }
  const { output } = buildSampler(ctx, {
    model, scheduleModel: model, seed: seedOf(ctx, 'noise_seed'), addNoise: enableFlag(ctx, 'add_noise', 'enable'), steps, cfg: ctx.number('cfg', 8),
    samplerName: ctx.string('sampler_name', 'euler'), schedulerName: ctx.string('scheduler', 'normal'), denoise: 1,
    start, end, leftover: enableFlag(ctx, 'return_with_leftover_noise', 'disable'),
    positive: ctx.port('positive', 'CONDITIONING'), negative: ctx.port('negative', 'CONDITIONING'), latentIn: ctx.link('latent_image'), denoised: false,
  });
  return [output];
};

const kSamplerSelect: ClassConverter = (ctx) => {
  const name = ctx.string('sampler_name', 'euler');
  if (!own(SAMPLERS, name)) fail(ctx, `sampler_name "${name}" is not supported; supported: ${Object.keys(SAMPLERS).join(', ')}`);
  return [{ kind: 'sampler', name } satisfies SamplerOut];
};

const basicScheduler: ClassConverter = (ctx) => {
  const schedule = ctx.string('scheduler', 'normal');
  if (!COMFY_SCHEDULERS.includes(schedule)) fail(ctx, `scheduler "${schedule}" is not supported; supported: ${COMFY_SCHEDULERS.join(', ')}`);
  const denoise = ctx.number('denoise', 1);
  if (!(denoise > 0 && denoise <= 1)) fail(ctx, `denoise must be in (0, 1], got ${denoise}`);
  return [{ kind: 'sigmas', model: modelOf(ctx, 'model'), schedule, steps: stepsOf(ctx, 'steps'), denoise } satisfies SigmasOut];
};

/**
 * KarrasScheduler: the model's own karras schedule when its sigma range and rho are the defaults
 * (SD's sigma range); LatentLoom's scheduler cannot take other values.
 */
const karrasScheduler: ClassConverter = (ctx) => {
  const given = { sigma_max: ctx.number('sigma_max', KARRAS_DEFAULTS.sigma_max), sigma_min: ctx.number('sigma_min', KARRAS_DEFAULTS.sigma_min), rho: ctx.number('rho', KARRAS_DEFAULTS.rho) };
  for (const key of ['sigma_max', 'sigma_min', 'rho'] as const) {
    if (Math.abs(given[key] - KARRAS_DEFAULTS[key]) > 1e-6 * KARRAS_DEFAULTS[key]) {
      fail(ctx, `${key} ${given[key]} is not supported: only the model's own karras schedule can be built ` +
        `(sigma_max ${KARRAS_DEFAULTS.sigma_max}, sigma_min ${KARRAS_DEFAULTS.sigma_min}, rho ${KARRAS_DEFAULTS.rho}); use BasicScheduler with scheduler "karras"`);
    }
  }
  ctx.warn(`node ${ctx.id} (KarrasScheduler): the sigma range is taken from the model's scheduler config (SD's ${KARRAS_DEFAULTS.sigma_min}–${KARRAS_DEFAULTS.sigma_max} for SD 1.x/2.x packages)`);
  return [{ kind: 'sigmas', schedule: 'karras', steps: stepsOf(ctx, 'steps'), denoise: 1 } satisfies SigmasOut];
};

const randomNoise: ClassConverter = (ctx) => [{ kind: 'noise', seed: seedOf(ctx, 'noise_seed') } satisfies NoiseOut];

const disableNoise: ClassConverter = () => [{ kind: 'noise' } satisfies NoiseOut];

const cfgGuider: ClassConverter = (ctx) => [{
  kind: 'guider', model: modelOf(ctx, 'model'), positive: ctx.port('positive', 'CONDITIONING'), negative: ctx.port('negative', 'CONDITIONING'), cfg: ctx.number('cfg', 8),
} satisfies GuiderOut];

const basicGuider: ClassConverter = (ctx) => [{
  kind: 'guider', model: modelOf(ctx, 'model'), positive: ctx.port('conditioning', 'CONDITIONING'), cfg: 1,
} satisfies GuiderOut];

function linked<K extends Out['kind']>(ctx: ConvertContext, name: string, kind: K, what: string): Extract<Out, { kind: K }> {
  const out = ctx.link(name);
  if (out.kind !== kind) fail(ctx, `input ${name} must be a ${what}, not a ${out.kind.toUpperCase()}`);
  return out as Extract<Out, { kind: K }>;
}

function customPlan(ctx: ConvertContext, guider: GuiderOut, noise: NoiseOut): SamplerPlan {
  const sampler = linked(ctx, 'sampler', 'sampler', 'SAMPLER (KSamplerSelect)');
  const sigmas = linked(ctx, 'sigmas', 'sigmas', 'SIGMAS (BasicScheduler, KarrasScheduler)');
  return {
    model: guider.model, scheduleModel: sigmas.model ?? guider.model,
    samplerName: sampler.name, schedulerName: sigmas.schedule, steps: sigmas.steps, denoise: sigmas.denoise,
    start: 0, end: 10000, leftover: false,
    seed: noise.seed ?? 0, addNoise: noise.seed !== undefined,
    positive: guider.positive, negative: guider.negative, cfg: guider.cfg,
    latentIn: ctx.link('latent_image'), denoised: true,
  };
}

const samplerCustom: ClassConverter = (ctx) => {
  const model = modelOf(ctx, 'model');
  const addNoise = ctx.boolean('add_noise', true);
  const seed = seedOf(ctx, 'noise_seed');
  const guider: GuiderOut = { kind: 'guider', model, positive: ctx.port('positive', 'CONDITIONING'), negative: ctx.port('negative', 'CONDITIONING'), cfg: ctx.number('cfg', 8) };
  const { output, denoised } = buildSampler(ctx, customPlan(ctx, guider, addNoise ? { kind: 'noise', seed } : { kind: 'noise' }));
  return [output, denoised ?? output];
};

const samplerCustomAdvanced: ClassConverter = (ctx) => {
  const noise = linked(ctx, 'noise', 'noise', 'NOISE (RandomNoise, DisableNoise)');
  const guider = linked(ctx, 'guider', 'guider', 'GUIDER (CFGGuider, BasicGuider)');
  const { output, denoised } = buildSampler(ctx, customPlan(ctx, guider, noise));
  return [output, denoised ?? output];
};

export const SAMPLER_CLASSES: Record<string, ClassConverter> = {
  KSampler: kSampler,
  KSamplerAdvanced: kSamplerAdvanced,
  KSamplerSelect: kSamplerSelect,
  BasicScheduler: basicScheduler,
  KarrasScheduler: karrasScheduler,
  RandomNoise: randomNoise,
  DisableNoise: disableNoise,
  CFGGuider: cfgGuider,
  BasicGuider: basicGuider,
  SamplerCustom: samplerCustom,
  SamplerCustomAdvanced: samplerCustomAdvanced,
};

/**
 * ComfyUI runs `steps` steps at any denoise: the last `steps` of a schedule of
 * floor(steps / denoise) steps. LatentLoom's scheduler (diffusers' strength) runs the last
 * floor(steps · denoise) of `steps`; this gives it the schedule length and strength that match.
 */
export function comfyDenoise(steps: number, denoise: number): { steps: number; denoise: number } {
  if (denoise >= 1 || denoise <= 0) return { steps, denoise: Math.min(Math.max(denoise, 0), 1) };
  const total = Math.floor(steps / denoise);
  let strength = Number((steps / total).toFixed(6));
  if (Math.floor(total * strength) < steps) strength = Math.min(1, strength + 1e-6);
  return { steps: total, denoise: strength };
}

/** Builds one sampling zone; `denoised` is set when the plan asks for it. */
export function buildSampler(ctx: ConvertContext, plan: SamplerPlan): { output: PortOut; denoised?: PortOut } {
  const { seed, steps, denoise, samplerName, schedulerName, model } = plan;
  const b = ctx.builder;
  const p = ctx.prefix;
  const sampler = own(SAMPLERS, samplerName);
  if (!sampler) fail(ctx, `sampler_name "${samplerName}" is not supported; supported: ${Object.keys(SAMPLERS).join(', ')}`);
  if (!COMFY_SCHEDULERS.includes(schedulerName)) fail(ctx, `scheduler "${schedulerName}" is not supported; supported: ${COMFY_SCHEDULERS.join(', ')}`);
  const cut = plan.start > 0 || plan.end < steps;
  let sigmaSchedule = schedulerName;
  if (!sampler.sigmaBased) {
    if (!sampler.schedules!.includes(schedulerName)) {
      fail(ctx, `sampler ${samplerName} takes scheduler ${sampler.schedules!.join(' or ')} here, not "${schedulerName}"`);
    }
    if (cut) fail(ctx, `sampler ${samplerName} runs over the whole schedule only here (start_at_step 0, end_at_step ≥ steps): it is not sigma-based`);
    sigmaSchedule = 'default';
    ctx.warn(`node ${ctx.id} (${ctx.node.class_type}): ${samplerName} runs diffusers' ${sampler.scheduler} with the package's own timestep spacing`);
  }
  if (plan.leftover && plan.end < steps && !LEFTOVER_SAMPLERS.has(samplerName)) {
    // ComfyUI takes a full (second-order) step to a non-zero last sigma; diffusers' Heun and
    // DPM-Solver++ end their schedules with a first-order step, so the picture would differ.
    fail(ctx, `return_with_leftover_noise "enable" with sampler ${samplerName} is not supported (it would end differently from ComfyUI); ` +
      `use ${[...LEFTOVER_SAMPLERS].join(', ')}, or let the last step denoise to 0`);
  }
  const latentIn = plan.latentIn;
  const zone = `${p}sampler`;

  const { steps: scheduleSteps, denoise: scheduleDenoise } = comfyDenoise(steps, denoise);
  const scheduler = b.add(`${p}scheduler`, 'sampling/scheduler', {
    scheduler: sampler.scheduler, steps: scheduleSteps, denoise: scheduleDenoise, sigma_schedule: sigmaSchedule,
    ...(cut ? { start_at_step: plan.start, end_at_step: plan.end, leftover_noise: plan.leftover } : {}),
    config: sampler.config ? JSON.stringify(sampler.config) : '',
  }, { title: `${samplerName} ${schedulerName}` });
  b.connect({ node: plan.scheduleModel.load, port: 'scheduler_config' }, scheduler, 'config');
  const schedule = { node: scheduler, port: 'schedule' };

  const latentPort = (): { node: string; port: string } => {
    if (latentIn.kind === 'empty-latent') {
      const node = b.add(`n${latentIn.comfyId}_empty`, 'latent/empty', { width: latentIn.width, height: latentIn.height, batch: latentIn.batch, channels: 4, downscale: model.downscale });
      return { node, port: 'latent' };
    }
    if (latentIn.kind !== 'port') fail(ctx, `input latent_image must be a LATENT, not a ${latentIn.kind.toUpperCase()}`);
    return latentIn;
  };
  let startLatent: { node: string; port: string };
  if (!plan.addNoise) {
    // add_noise off: the loop starts from the latent as it is (e.g. a first pass's leftover noise).
    startLatent = latentPort();
  } else {
    const empty = latentIn.kind === 'empty-latent' && denoise >= 1 ? latentIn : undefined;
    const noise = b.add(`${p}noise`, 'noise/gaussian', {
      seed, width: empty?.width ?? 512, height: empty?.height ?? 512, batch: empty?.batch ?? 1,
      channels: 4, downscale: model.downscale, kernel: 'avx2',
    }, { title: 'Seeded noise' });
    const start = b.add(`${p}start`, 'sampling/add-noise', {});
    b.connect(schedule, start, 'schedule');
    b.connect({ node: noise, port: 'noise' }, start, 'noise');
    if (!empty) {
      // An image-to-image start (or denoise < 1): noise shaped like the latent, added at the first timestep.
      const latent = latentPort();
      b.connect(latent, noise, 'latent');
      b.connect(latent, start, 'latent');
    }
    startLatent = { node: start, port: 'latent' };
  }
  const state = b.add(`${p}scheduler_state`, 'sampling/init-state', { seed });
  b.connect(schedule, state, 'schedule');

  const carried = plan.denoised ? STATE_WITH_DENOISED : STATE;
  const loopIn = b.add(`${p}loop_in`, 'flow/repeat-input', { state: carried }, { zone, title: 'KSampler' });
  b.connect({ node: scheduler, port: 'steps' }, loopIn, 'count');
  b.connect(startLatent, loopIn, 'latent');
  b.connect({ node: state, port: 'state' }, loopIn, 'state');
  if (plan.denoised) b.connect(startLatent, loopIn, 'denoised');
  const scale = b.add(`${p}scale_input`, 'sampling/scale-input', {}, { zone });
  b.connect(schedule, scale, 'schedule');
  b.connect({ node: loopIn, port: 'latent' }, scale, 'latent');
  b.connect({ node: loopIn, port: 'state' }, scale, 'state');
  const denoiseParams = { batch_cfg: true, lcm_guidance_scale: 8.5, extra_inputs: [] };
  const conds: [string, PortOut, string][] = plan.negative
    ? [['denoise', plan.positive, 'Denoise (positive)'], ['denoise_negative', plan.negative, 'Denoise (negative)']]
    : [['denoise', plan.positive, 'Denoise']];
  const preds: string[] = [];
  for (const [suffix, cond, title] of conds) {
    const d = b.add(`${p}${suffix}`, 'diffusion/denoise', { ...denoiseParams }, { zone, title });
    b.connect({ node: model.load, port: 'denoiser' }, d, 'denoiser');
    b.connect({ node: scale, port: 'latent' }, d, 'latent');
    b.connect({ node: scale, port: 'timestep' }, d, 'timestep');
    b.connect(cond, d, 'positive');
    preds.push(d);
  }
  let prediction = { node: preds[0], port: 'noise_pred' };
  if (preds.length === 2) {
    const cfg = b.add(`${p}cfg`, 'guidance/cfg', { scale: plan.cfg, rescale: 0, batched: false }, { zone });
    b.connect({ node: preds[0], port: 'noise_pred' }, cfg, 'cond');
    b.connect({ node: preds[1], port: 'noise_pred' }, cfg, 'uncond');
    prediction = { node: cfg, port: 'prediction' };
  }
  const step = b.add(`${p}step`, 'sampling/step', { eta: 0 }, { zone });
  b.connect(prediction, step, 'model_output');
  b.connect(schedule, step, 'schedule');
  b.connect({ node: loopIn, port: 'state' }, step, 'state');
  b.connect({ node: loopIn, port: 'latent' }, step, 'sample');
  b.connect({ node: loopIn, port: 'index' }, step, 'index');
  const loopOut = b.add(`${p}loop_out`, 'flow/repeat-output', { state: carried }, { zone });
  // The sampler opens collapsed, reading as ComfyUI's one KSampler box; it expands in place.
  b.collapse(loopIn, loopOut);
  b.connect({ node: step, port: 'sample' }, loopOut, 'latent');
  b.connect({ node: step, port: 'state' }, loopOut, 'state');
  if (plan.denoised) b.connect({ node: step, port: 'denoised' }, loopOut, 'denoised');
  return {
    output: { kind: 'port', node: loopOut, port: 'latent' },
    ...(plan.denoised ? { denoised: { kind: 'port', node: loopOut, port: 'denoised' } as PortOut } : {}),
  };
}
