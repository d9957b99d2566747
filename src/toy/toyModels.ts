/**
 * The toy-shapes denoisers as ONNX: the text-to-image UNet and the three stages of the
 * DALL·E 2-style cascade (prior → decoder → super-resolution). Each is the exact posterior
 * denoiser of denoiserOnnx.ts with its own training set and conditioning.
 *
 * Cascade I/O (documented in docs/toy-shapes.md):
 *  - prior/model.onnx:  `sample` [B,16,1,1] (a noisy image embedding), `timestep`,
 *    `encoder_hidden_states` → `out_sample` (ε);
 *  - decoder/model.onnx: `sample` [B,4,8,8] (latent of a 32×32 image), `timestep`,
 *    `encoder_hidden_states`, `image_embeds` [B,16] → `out_sample`;
 *  - super_resolution/model.onnx: `sample` [B,4,16,16], `timestep`, `encoder_hidden_states`,
 *    `image` [B,3,32,32] (the low-resolution image in [0,1], LatentLoom's IMAGE convention) →
 *    `out_sample`.
 */
import { Tensor } from '../tensor/tensor.ts';
import type { OnnxGraphBuilder } from '../onnx/builder.ts';
import { buildDenoiserOnnx, kernelPriorTerm, textPriorTerm } from './denoiserOnnx.ts';
import { EMBED_MATCH_WIDTH, IMAGE_EMBED_SIZE, LOW_RES_MATCH_WIDTH, LOW_RES_SIZE, TEXT_STRENGTH, latentShape, type ToyFamily } from './family.ts';
import { IMAGE_SIZE } from './dataset.ts';
import { HIDDEN_SIZE } from './vocabulary.ts';
import { KERNEL, LATENT_CHANNELS, PAD, STRIDE } from './vae.ts';

function textTerm(family: ToyFamily, g: OnnxGraphBuilder, hidden: string): string {
  return textPriorTerm(g, hidden, family.attributes, HIDDEN_SIZE, family.items.length, TEXT_STRENGTH);
}

export function buildUnetOnnx(family: ToyFamily): Uint8Array {
  return buildDenoiserOnnx({
    set: family.latents,
    sampleShape: latentShape(IMAGE_SIZE),
    textHiddenSize: HIDDEN_SIZE,
    prior: (g, hidden) => textTerm(family, g, hidden),
    docString: 'toy-shapes UNet: exact posterior-mean denoiser over the training latents, weighted by the prompt',
  });
}

export function buildPriorOnnx(family: ToyFamily): Uint8Array {
  return buildDenoiserOnnx({
    set: family.imageEmbeddings,
    sampleShape: [IMAGE_EMBED_SIZE, 1, 1],
    textHiddenSize: HIDDEN_SIZE,
    prior: (g, hidden) => textTerm(family, g, hidden),
    docString: 'toy-shapes prior: exact denoiser over training image embeddings, weighted by the prompt',
  });
}

export function buildDecoderOnnx(family: ToyFamily): Uint8Array {
  return buildDenoiserOnnx({
    set: family.lowResLatents,
    sampleShape: latentShape(LOW_RES_SIZE),
    textHiddenSize: HIDDEN_SIZE,
    prior: (g, hidden) => {
      const embeds = g.input('image_embeds', 'float32', ['batch', IMAGE_EMBED_SIZE]);
      const fromEmbedding = kernelPriorTerm(g, embeds, family.imageEmbeddings, EMBED_MATCH_WIDTH, 'embedding');
      return g.op('Add', [fromEmbedding, textTerm(family, g, hidden)]);
    },
    docString: 'toy-shapes unCLIP-style decoder: low-resolution latents given an image embedding',
  });
}

export function buildSuperResolutionOnnx(family: ToyFamily): Uint8Array {
  return buildDenoiserOnnx({
    set: family.latents,
    sampleShape: latentShape(IMAGE_SIZE),
    textHiddenSize: HIDDEN_SIZE,
    prior: (g, hidden) => {
      const image = g.input('image', 'float32', ['batch', 3, LOW_RES_SIZE, LOW_RES_SIZE]);
      // Compare in the (scaled) latent space of the low-resolution image: the toy VAE encoder,
      // after mapping [0,1] to the VAE's [-1,1] (2x - 1 - mean in one step).
      const offset = Tensor.float32([1, 3, 1, 1], family.vae.mean.map((m) => 1 + m));
      const centred = g.op('Sub', [g.op('Mul', [image, g.constant(Tensor.float32([], [2]), 'two')]), g.constant(offset, 'pixel_offset')]);
      const weight = g.constant(Tensor.float32([LATENT_CHANNELS, 3, KERNEL, KERNEL], family.vae.encoder.map((v) => v * family.vae.scalingFactor)), 'encoder_weight');
      const z = g.op('Conv', [centred, weight], { kernel_shape: [KERNEL, KERNEL], strides: [STRIDE, STRIDE], pads: [PAD, PAD, PAD, PAD] });
      const flat = g.op('Reshape', [z, g.constant(new Tensor('int64', [2], BigInt64Array.from([0n, -1n])), 'shape_cond')]);
      const fromImage = kernelPriorTerm(g, flat, family.lowResLatents, LOW_RES_MATCH_WIDTH, 'low_res');
      return g.op('Add', [fromImage, textTerm(family, g, hidden)]);
    },
    docString: 'toy-shapes super-resolution UNet: 64×64 latents given the 32×32 image',
  });
}
