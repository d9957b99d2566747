/**
 * `sampling/add-noise`: the loop's starting latent. Text-to-image (no latent): noise × the
 * scheduler's init_noise_sigma. Image-to-image: the latent noised to the schedule's first
 * timestep (diffusers' add_noise at the denoise strength).
 */
import { Tensor } from '../../src/tensor/tensor.ts';
import { defineNode } from '../define.ts';
import { requireLatentSamples, requireSchedule } from './values.ts';

export const samplingAddNoise = defineNode({
  type: 'sampling/add-noise',
  version: 1,
  title: 'Add noise',
  category: 'sampling',
  description:
    "Starting latent for the denoising loop. Without `latent`: noise × init_noise_sigma (text-to-image). With `latent`: " +
    "the latent noised to the schedule's first timestep (image-to-image at the scheduler's denoise strength).",
  inputs: {
    schedule: { type: 'SCHEDULE' },
    noise: { type: 'NOISE' },
    latent: { type: 'LATENT', optional: true },
  },
  outputs: { latent: { type: 'LATENT' } },
  params: {},
  run(ctx, inputs) {
    const schedule = requireSchedule(inputs.schedule, ctx.nodeId);
    const noise = inputs.noise;
    if (!noise || noise.dtype !== 'float32' || !(noise.data instanceof Float32Array)) {
      throw new Error(`node "${ctx.nodeId}": input \`noise\` must be a float32 NOISE tensor`);
    }
    if (!inputs.latent) {
      const k = Math.fround(schedule.initNoiseSigma);
      const out = new Float32Array(noise.data.length);
      for (let i = 0; i < out.length; i++) out[i] = noise.data[i] * k;
      return { latent: { samples: new Tensor('float32', noise.shape, out) } };
    }
    const samples = requireLatentSamples(inputs.latent, ctx.nodeId, 'latent');
    if (samples.shape.join() !== noise.shape.join()) {
      throw new Error(`node "${ctx.nodeId}": \`noise\` has shape [${noise.shape.join(', ')}] but \`latent\` has [${samples.shape.join(', ')}]`);
    }
    const scheduler = schedule.scheduler.clone();
    const noisy = scheduler.addNoise(samples, noise, schedule.timesteps[schedule.beginIndex]);
    return { latent: { ...inputs.latent, samples: noisy } };
  },
});
