/**
 * The toy-shapes denoisers as ONNX: the text-to-image UNet and the three stages of the
 * DALL·E 2-style cascade (prior → decoder → super-resolution). Each is the exact posterior
 * denoiser of denoiserOnnx.ts with its own training set and conditioning.
 *
 * Cascade I/O (documented in docs/toy-shapes.md):
 *  - prior/model.onnx:  `sample` [B,16,1,1] (a noisy image embedding), `timestep`,
 *    `encoder_hidden_states` → `out_sample` (ε);
 *  - decoder/model.onnx: `sample` [B,3,16,16] (a 16×16 picture in pixel space, × PIXEL_SCALE), `timestep`,
 *    `encoder_hidden_states`, `image_embeds` [B,16,1,1] → `out_sample`. `image_embeds` is the
 *    prior's output as the prior package's vae_decoder hands it on (see EMBED_CODEC_SCALE):
 *    an IMAGE in [0,1] holding embedding / (2·scale) + 1/2, so a graph wires it with vae/decode;
 *  - super_resolution/model.onnx: `sample` [B,4,16,16], `timestep`, `encoder_hidden_states`,
 *    `image` [B,3,16,16] (the low-resolution image in [0,1], LatentLoom's IMAGE convention) →
 *    `out_sample`.
 */
import { Tensor } from '../tensor/tensor.ts';
import type { OnnxGraphBuilder } from '../onnx/builder.ts';
import { buildDenoiserOnnx, kernelPriorTerm, textPriorTerm } from './denoiserOnnx.ts';
import { EMBED_CODEC_SCALE, EMBED_MATCH_WIDTH, IMAGE_EMBED_SIZE, LOW_RES_MATCH_WIDTH, LOW_RES_SIZE, PIXEL_SCALE, TEXT_STRENGTH, latentShape, type ToyFamily } from './family.ts';
import { IMAGE_SIZE } from './dataset.ts';
import { HIDDEN_SIZE } from './vocabulary.ts';

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
    set: family.lowResImages,
    sampleShape: [3, LOW_RES_SIZE, LOW_RES_SIZE],
    textHiddenSize: HIDDEN_SIZE,
    prior: (g, hidden) => {
      const coded = g.input('image_embeds', 'float32', ['batch', IMAGE_EMBED_SIZE, 1, 1]);
      // Undo the codec: e = (2v − 1)·scale, then [B,16,1,1] → [B,16].
      const k = 2 * EMBED_CODEC_SCALE;
      const decoded = g.op('Sub', [g.op('Mul', [coded, g.constant(Tensor.float32([], [k]), 'codec_gain')]), g.constant(Tensor.float32([], [EMBED_CODEC_SCALE]), 'codec_offset')]);
      const embeds = g.op('Reshape', [decoded, g.constant(new Tensor('int64', [2], BigInt64Array.from([0n, -1n])), 'shape_embeds')]);
      const fromEmbedding = kernelPriorTerm(g, embeds, family.imageEmbeddings, EMBED_MATCH_WIDTH, 'embedding');
      return g.op('Add', [fromEmbedding, textTerm(family, g, hidden)]);
    },
    docString: 'toy-shapes unCLIP-style decoder: 16×16 pictures (pixel space) given an image embedding',
  });
}

export function buildSuperResolutionOnnx(family: ToyFamily): Uint8Array {
  return buildDenoiserOnnx({
    set: family.latents,
    sampleShape: latentShape(IMAGE_SIZE),
    textHiddenSize: HIDDEN_SIZE,
    prior: (g, hidden) => {
      const image = g.input('image', 'float32', ['batch', 3, LOW_RES_SIZE, LOW_RES_SIZE]);
      // Compare with the low-resolution training pictures in the same units: (2v − 1)·PIXEL_SCALE.
      const scaled = g.op('Sub', [g.op('Mul', [image, g.constant(Tensor.float32([], [2 * PIXEL_SCALE]), 'pixel_gain')]), g.constant(Tensor.float32([], [PIXEL_SCALE]), 'pixel_offset')]);
      const flat = g.op('Reshape', [scaled, g.constant(new Tensor('int64', [2], BigInt64Array.from([0n, -1n])), 'shape_cond')]);
      const fromImage = kernelPriorTerm(g, flat, family.lowResImages, LOW_RES_MATCH_WIDTH, 'low_res');
      return g.op('Add', [fromImage, textTerm(family, g, hidden)]);
    },
    docString: 'toy-shapes super-resolution UNet: 64×64 latents given the 16×16 image',
  });
}
