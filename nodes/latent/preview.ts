/**
 * `latent/preview`: a fast latent → RGB approximation for live previews during sampling, no VAE.
 * Each pixel's RGB is a fixed linear map of its 4 latent channels (the SD 1.x factors ComfyUI and
 * A1111 use for their "latent2rgb" previews), mapped from [-1, 1] to [0, 1] and clamped, at latent
 * resolution or enlarged by nearest neighbour (×8 gives the decoded image's size).
 */
import { Tensor, type TensorLike } from '../../src/tensor/tensor.ts';
import { scaleTensor } from '../../src/tensor/resample.ts';
import { defineNode } from '../define.ts';
import { kernels } from '../../src/diffusion/kernels/index.ts';

/** Rows: latent channels 0–3; columns: R, G, B. For UNet-space latents (already × 0.18215). */
export const SD15_LATENT_RGB_FACTORS: readonly (readonly [number, number, number])[] = [
  [0.3512, 0.2297, 0.3227],
  [0.325, 0.4974, 0.235],
  [-0.2829, 0.1762, 0.2721],
  [-0.212, -0.2616, -0.7177],
];

/** [B, 4, h, w] latent → [B, 3, h, w] preview in [0, 1]. */
export function latentToRgbPreview(
  samples: TensorLike<'float32'>,
  factors: readonly (readonly number[])[] = SD15_LATENT_RGB_FACTORS,
): Tensor<'float32'> {
  const [batch, channels, height, width] = samples.shape;
  if (samples.shape.length !== 4 || channels !== factors.length) {
    throw new Error(
      `latent preview needs a [B, ${factors.length}, H, W] latent, got [${samples.shape.join(', ')}]`,
    );
  }
  // A 4×3 map in float64 per pixel, then [-1, 1] → [0, 1] clamped (wasm SIMD or JS kernel).
  const out = kernels().latentToRgb(samples.data, batch, height * width, factors);
  return new Tensor('float32', [batch, 3, height, width], out);
}

export const latentPreview = defineNode({
  type: 'latent/preview',
  version: 1,
  title: 'Latent preview',
  category: 'latent',
  description:
    'Approximate RGB of an SD 1.x latent without the VAE (a 4×3 linear map), for quick looks and live previews.',
  inputs: { latent: { type: 'LATENT' } },
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
    const rgb = latentToRgbPreview(samples);
    const factor = Number(params.upscale);
    return { image: factor === 1 ? rgb : scaleTensor(rgb, factor, 'nearest') };
  },
});
