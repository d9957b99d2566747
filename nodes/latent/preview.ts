/**
 * `latent/preview`: a fast latent → RGB approximation for live previews during sampling, no VAE.
 * Each pixel's RGB is a fixed linear map of its latent channels plus a bias (the model package's
 * own, src/runtime/latentRgb.ts; by default the SD 1.x factors ComfyUI and A1111 use for their
 * "latent2rgb" previews), mapped from [-1, 1] to [0, 1] and clamped, at latent
 * resolution or enlarged by nearest neighbour (×8 gives the decoded image's size).
 */
import { Tensor, type TensorLike } from '../../src/tensor/tensor.ts';
import { scaleTensor } from '../../src/tensor/resample.ts';
import { defineNode } from '../define.ts';
import { kernels } from '../../src/diffusion/kernels/index.ts';
import { SD15_LATENT_RGB } from '../../src/runtime/latentRgb.ts';
import type { DenoiserHandle } from '../../src/runtime/handles.ts';

/** Rows: latent channels 0–3; columns: R, G, B. For UNet-space latents (already × 0.18215). */
export const SD15_LATENT_RGB_FACTORS: readonly (readonly number[])[] = SD15_LATENT_RGB.factors;

/** [B, C, h, w] latent → [B, 3, h, w] preview in [0, 1]: RGB = latent · factors + bias, then [-1, 1] → [0, 1]. */
export function latentToRgbPreview(
  samples: TensorLike<'float32'>,
  factors: readonly (readonly number[])[] = SD15_LATENT_RGB_FACTORS,
  bias: readonly number[] = [0, 0, 0],
): Tensor<'float32'> {
  const [batch, channels, height, width] = samples.shape;
  if (samples.shape.length !== 4 || channels !== factors.length) {
    throw new Error(
      `latent preview needs a [B, ${factors.length}, H, W] latent, got [${samples.shape.join(', ')}]`,
    );
  }
  // latent · factors + bias in float64 per pixel, then [-1, 1] → [0, 1] clamped (wasm SIMD or JS kernel).
  const out = kernels().latentToRgb(samples.data, batch, height * width, factors, bias);
  return new Tensor('float32', [batch, 3, height, width], out);
}

export const latentPreview = defineNode({
  type: 'latent/preview',
  version: 1,
  title: 'Latent preview',
  category: 'latent',
  description:
    'Approximate RGB of a latent without the VAE (a linear map per channel): the map of the wired denoiser\'s model package, else SD 1.x\'s.',
  inputs: {
    latent: { type: 'LATENT' },
    denoiser: { type: 'DENOISER', optional: true, description: 'The model the latent is for: its package says how its latents look as RGB' },
  },
  outputs: { image: { type: 'IMAGE' } },
  params: {
    upscale: {
      kind: 'enum',
      options: ['1', '2', '4', '8'],
      default: '1',
      label: 'Enlarge',
      description: 'Nearest-neighbour enlargement; 8 gives the decoded image size.',
    },
  },
  run(_ctx, inputs, params) {
    const samples = inputs.latent?.samples;
    if (!samples) throw new Error('latent/preview: input `latent` has no samples tensor');
    const map = (inputs.denoiser as DenoiserHandle | undefined)?.latentRgb ?? SD15_LATENT_RGB;
    const rgb = latentToRgbPreview(samples, map.factors, map.bias);
    const factor = Number(params.upscale);
    return { image: factor === 1 ? rgb : scaleTensor(rgb, factor, 'nearest') };
  },
});
