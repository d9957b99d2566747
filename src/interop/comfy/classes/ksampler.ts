/**
 * KSampler as LatentLoom's sampling loop: scheduler (from the package config, with ComfyUI's
 * sigma schedule), seeded torch.randn noise, initial latent and scheduler state, then a repeat
 * zone of scale input → denoise (positive, negative) → CFG → scheduler step.
 */
import { fail, type ClassConverter, type ConvertContext } from '../context.ts';
import { own, type Out } from '../types.ts';

interface SamplerEntry { scheduler: string; config?: Record<string, unknown>; sigmaBased: boolean }

export const SAMPLERS: Record<string, SamplerEntry> = {
  euler: { scheduler: 'EulerDiscreteScheduler', sigmaBased: true },
  euler_ancestral: { scheduler: 'EulerAncestralDiscreteScheduler', sigmaBased: true },
  heun: { scheduler: 'HeunDiscreteScheduler', sigmaBased: true },
  dpmpp_2m: { scheduler: 'DPMSolverMultistepScheduler', config: { algorithm_type: 'dpmsolver++', solver_order: 2 }, sigmaBased: true },
  lms: { scheduler: 'LMSDiscreteScheduler', sigmaBased: true },
  ddim: { scheduler: 'DDIMScheduler', sigmaBased: false },
  ddpm: { scheduler: 'DDPMScheduler', sigmaBased: false },
};

export const COMFY_SCHEDULERS = ['normal', 'karras', 'exponential', 'sgm_uniform', 'simple', 'ddim_uniform'];

const STATE = [{ name: 'latent', type: 'LATENT' }, { name: 'state', type: 'SCHEDULER_STATE' }];

interface SamplerSettings { seed: number; steps: number; cfg: number; samplerName: string; schedulerName: string; denoise: number }

export const kSampler: ClassConverter = (ctx) => buildSampler(ctx, {
  seed: ctx.number('seed', 0), steps: ctx.number('steps', 20), cfg: ctx.number('cfg', 8),
  samplerName: ctx.string('sampler_name', 'euler'), schedulerName: ctx.string('scheduler', 'normal'), denoise: ctx.number('denoise', 1),
});

/** KSamplerAdvanced over the whole schedule only (what KSampler at denoise 1 does). */
export const kSamplerAdvanced: ClassConverter = (ctx) => {
  const steps = ctx.number('steps', 20);
  const start = ctx.number('start_at_step', 0);
  const end = ctx.number('end_at_step', 10000);
  if (ctx.string('add_noise', 'enable') !== 'enable') fail(ctx, 'add_noise "disable" is not supported yet');
  if (ctx.string('return_with_leftover_noise', 'disable') !== 'disable') fail(ctx, 'return_with_leftover_noise "enable" is not supported yet');
  if (start !== 0 || end < steps) fail(ctx, `only the whole schedule is supported yet (start_at_step 0, end_at_step ≥ steps), got ${start}–${end} of ${steps}`);
  return buildSampler(ctx, {
    seed: ctx.number('noise_seed', 0), steps, cfg: ctx.number('cfg', 8),
    samplerName: ctx.string('sampler_name', 'euler'), schedulerName: ctx.string('scheduler', 'normal'), denoise: 1,
  });
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

function buildSampler(ctx: ConvertContext, settings: SamplerSettings): Out[] {
  const { seed, steps, denoise, samplerName, schedulerName } = settings;
  const b = ctx.builder;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    fail(ctx, `seed ${seed} is not an integer in [0, 2^53 − 1]: JSON numbers above that lose digits, so the noise could not be reproduced`);
  }
  const p = ctx.prefix;
  const model = ctx.link('model');
  if (model.kind !== 'model') fail(ctx, 'input model must come from a checkpoint loader');
  const sampler = own(SAMPLERS, samplerName);
  if (!sampler) fail(ctx, `sampler_name "${samplerName}" is not supported; supported: ${Object.keys(SAMPLERS).join(', ')}`);
  if (!COMFY_SCHEDULERS.includes(schedulerName)) fail(ctx, `scheduler "${schedulerName}" is not supported; supported: ${COMFY_SCHEDULERS.join(', ')}`);
  let sigmaSchedule = schedulerName;
  if (!sampler.sigmaBased) {
    if (schedulerName !== 'normal' && schedulerName !== 'ddim_uniform') {
      fail(ctx, `sampler ${samplerName} takes scheduler normal or ddim_uniform here, not "${schedulerName}"`);
    }
    sigmaSchedule = 'default';
    ctx.warn(`node ${ctx.id} (${ctx.node.class_type}): ${samplerName} runs diffusers' ${sampler.scheduler} with the package's own timestep spacing`);
  }
  const positive = ctx.port('positive', 'CONDITIONING');
  const negative = ctx.port('negative', 'CONDITIONING');
  const latentIn: Out = ctx.link('latent_image');
  const zone = `${p}sampler`;

  const { steps: scheduleSteps, denoise: scheduleDenoise } = comfyDenoise(steps, denoise);
  const scheduler = b.add(`${p}scheduler`, 'sampling/scheduler', {
    scheduler: sampler.scheduler, steps: scheduleSteps, denoise: scheduleDenoise, sigma_schedule: sigmaSchedule,
    config: sampler.config ? JSON.stringify(sampler.config) : '',
  }, { title: `${samplerName} ${schedulerName}` });
  b.connect({ node: model.load, port: 'scheduler_config' }, scheduler, 'config');
  const schedule = { node: scheduler, port: 'schedule' };

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
    const latent = latentIn.kind === 'empty-latent'
      ? (() => {
          const node = b.add(`n${latentIn.comfyId}_empty`, 'latent/empty', { width: latentIn.width, height: latentIn.height, batch: latentIn.batch, channels: 4, downscale: model.downscale });
          return { node, port: 'latent' };
        })()
      : latentIn.kind === 'port' ? latentIn : fail(ctx, 'input latent_image must be a LATENT');
    b.connect(latent, noise, 'latent');
    b.connect(latent, start, 'latent');
  }
  const state = b.add(`${p}scheduler_state`, 'sampling/init-state', { seed });
  b.connect(schedule, state, 'schedule');

  const loopIn = b.add(`${p}loop_in`, 'flow/repeat-input', { state: STATE }, { zone });
  b.connect({ node: scheduler, port: 'steps' }, loopIn, 'count');
  b.connect({ node: start, port: 'latent' }, loopIn, 'latent');
  b.connect({ node: state, port: 'state' }, loopIn, 'state');
  const scale = b.add(`${p}scale_input`, 'sampling/scale-input', {}, { zone });
  b.connect(schedule, scale, 'schedule');
  b.connect({ node: loopIn, port: 'latent' }, scale, 'latent');
  b.connect({ node: loopIn, port: 'state' }, scale, 'state');
  const denoiseParams = { batch_cfg: true, lcm_guidance_scale: 8.5, extra_inputs: [] };
  const preds: string[] = [];
  for (const [suffix, cond, title] of [['denoise', positive, 'Denoise (positive)'], ['denoise_negative', negative, 'Denoise (negative)']] as const) {
    const d = b.add(`${p}${suffix}`, 'diffusion/denoise', { ...denoiseParams }, { zone, title });
    b.connect({ node: model.load, port: 'denoiser' }, d, 'denoiser');
    b.connect({ node: scale, port: 'latent' }, d, 'latent');
    b.connect({ node: scale, port: 'timestep' }, d, 'timestep');
    b.connect(cond, d, 'positive');
    preds.push(d);
  }
  const cfg = b.add(`${p}cfg`, 'guidance/cfg', { scale: settings.cfg, rescale: 0, batched: false }, { zone });
  b.connect({ node: preds[0], port: 'noise_pred' }, cfg, 'cond');
  b.connect({ node: preds[1], port: 'noise_pred' }, cfg, 'uncond');
  const step = b.add(`${p}step`, 'sampling/step', { eta: 0 }, { zone });
  b.connect({ node: cfg, port: 'prediction' }, step, 'model_output');
  b.connect(schedule, step, 'schedule');
  b.connect({ node: loopIn, port: 'state' }, step, 'state');
  b.connect({ node: loopIn, port: 'latent' }, step, 'sample');
  b.connect({ node: loopIn, port: 'index' }, step, 'index');
  const loopOut = b.add(`${p}loop_out`, 'flow/repeat-output', { state: STATE }, { zone });
  b.connect({ node: step, port: 'sample' }, loopOut, 'latent');
  b.connect({ node: step, port: 'state' }, loopOut, 'state');
  return [{ kind: 'port', node: loopOut, port: 'latent' }];
}
