/**
 * Fits every part of the toy-shapes family from the procedural data, in memory. The ONNX
 * exporters and the package writer turn this into files; the tests use it as the reference.
 */
import { buildDataset, IMAGE_SIZE, SHAPES, COLOUR_NAMES, BACKGROUND_NAMES, type ToyItem } from './dataset.ts';
import { fitVae, encodeReference, STRIDE, LATENT_CHANNELS, type VaeWeights } from './vae.ts';
import { ATTRIBUTES, HIDDEN_SIZE, buildTokenizer, tokenEmbeddingTable, type ToyTokenizer } from './vocabulary.ts';
import type { TrainingSet } from './posterior.ts';

/**
 * How strongly each attribute named in the prompt favours training images that have it (a log
 * weight per match). Moderate on purpose: at guidance scale 1 the model sometimes strays from
 * the prompt, like real models do, and classifier-free guidance visibly helps.
 */
export const TEXT_STRENGTH = 4;
/**
 * Low-resolution stage of the cascade: images 4x4-average-pooled to 16×16, in pixel space (as
 * DALL·E 2's decoder): a VAE latent of so small a picture would blur shapes into each other.
 */
export const LOW_RES_SIZE = IMAGE_SIZE / 4;
/** Pixel-space "latents" of the decoder are pixels in [-1,1] times this (its package's scaling_factor). */
export const PIXEL_SCALE = 0.5;
/** Width of the cascade's image embedding. */
export const IMAGE_EMBED_SIZE = 16;
/**
 * The prior's output (an image embedding, values within ±2) leaves its zone as a LATENT; the prior
 * package's vae_decoder divides it by this so vae/decode's [-1,1] → [0,1] mapping keeps it
 * exactly, and the decoder UNet's `image_embeds` input undoes both.
 */
export const EMBED_CODEC_SCALE = 2;
/** Kernel widths of the cascade's conditioning (Gaussian likelihood of the conditioning given an image). */
export const EMBED_MATCH_WIDTH = 0.35;
export const LOW_RES_MATCH_WIDTH = 0.3;

export interface ToyFamily {
  items: ToyItem[];
  vae: VaeWeights;
  tokenizer: ToyTokenizer;
  /** Token embedding table [vocab, HIDDEN_SIZE]. */
  embeddingTable: Float32Array;
  /** Scaled VAE latents of the training images, [N, 4*16*16]. */
  latents: TrainingSet;
  /** Each training image's attributes as a 0/1 matrix [N, HIDDEN_SIZE] (colour, shape, background). */
  attributes: Float32Array;
  /** Image embeddings of the training images, [N, IMAGE_EMBED_SIZE]. */
  imageEmbeddings: TrainingSet;
  /** The low-resolution training images, pixels in [-1,1] × PIXEL_SCALE, [N, 3*16*16]. */
  lowResImages: TrainingSet;
}

export function downsample2x(pixels: Float32Array, size: number): Float32Array {
  const half = size / 2;
  const out = new Float32Array(3 * half * half);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < half; y++) {
      for (let x = 0; x < half; x++) {
        const at = (yy: number, xx: number) => pixels[(c * size + yy) * size + xx];
        out[(c * half + y) * half + x] = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4;
      }
    }
  }
  return out;
}

/** A 64×64 picture [3,64,64] in [-1,1], average-pooled to the cascade's low resolution. */
export function lowResOf(pixels: Float32Array): Float32Array {
  return downsample2x(downsample2x(pixels, IMAGE_SIZE), IMAGE_SIZE / 2);
}

/**
 * The toy "CLIP image embedding": the image's attributes as one-hot groups plus where the shape
 * is and how big, scaled to comparable ranges. Nearby embeddings mean similar pictures.
 */
export function imageEmbeddingOf(item: ToyItem): Float32Array {
  const e = new Float32Array(IMAGE_EMBED_SIZE);
  e[COLOUR_NAMES.indexOf(item.colour)] = 1.5;
  e[COLOUR_NAMES.length + SHAPES.indexOf(item.shape)] = 1.5;
  e[COLOUR_NAMES.length + SHAPES.length + BACKGROUND_NAMES.indexOf(item.background)] = 1.5;
  e[12] = (item.cx - IMAGE_SIZE / 2) / 16;
  e[13] = (item.cy - IMAGE_SIZE / 2) / 16;
  e[14] = (item.r - 14.5) / 2.5;
  return e;
}

function stack(rows: readonly Float32Array[]): TrainingSet {
  const dim = rows[0].length;
  const points = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => points.set(r, i * dim));
  return { points, count: rows.length, dim };
}

export function buildFamily(): ToyFamily {
  const items = buildDataset();
  const vae = fitVae(items.map((i) => i.pixels), IMAGE_SIZE);
  const scaled = (z: Float32Array) => z.map((v) => v * vae.scalingFactor);
  const latents = stack(items.map((i) => scaled(encodeReference(vae, i.pixels, IMAGE_SIZE, IMAGE_SIZE))));
  const lowResImages = stack(items.map((i) => lowResOf(i.pixels).map((v) => v * PIXEL_SCALE)));
  const attributes = new Float32Array(items.length * HIDDEN_SIZE);
  items.forEach((it, n) => {
    for (const name of [it.colour, it.shape, `on ${it.background}`]) attributes[n * HIDDEN_SIZE + ATTRIBUTES.indexOf(name)] = 1;
  });
  const tokenizer = buildTokenizer();
  return {
    items,
    vae,
    tokenizer,
    embeddingTable: tokenEmbeddingTable(tokenizer),
    latents,
    attributes,
    imageEmbeddings: stack(items.map(imageEmbeddingOf)),
    lowResImages,
  };
}

/** The latent shape [C, H, W] of an image of the given size. */
export function latentShape(size: number): [number, number, number] {
  return [LATENT_CHANNELS, size / STRIDE, size / STRIDE];
}

/** Text hidden states [77, HIDDEN_SIZE] of token ids, as the toy text encoder computes them. */
export function encodeTextReference(family: ToyFamily, ids: readonly number[]): Float32Array {
  const out = new Float32Array(ids.length * HIDDEN_SIZE);
  ids.forEach((id, l) => out.set(family.embeddingTable.subarray(id * HIDDEN_SIZE, (id + 1) * HIDDEN_SIZE), l * HIDDEN_SIZE));
  return out;
}

/** log π_n for text hidden states [L, HIDDEN_SIZE]: TEXT_STRENGTH per attribute the prompt names and image n has. */
export function textPriorLogits(family: ToyFamily, hidden: Float32Array): Float64Array {
  const pooled = new Float64Array(HIDDEN_SIZE);
  for (let i = 0; i < hidden.length; i++) pooled[i % HIDDEN_SIZE] += hidden[i];
  const out = new Float64Array(family.items.length);
  for (let n = 0; n < out.length; n++) {
    let s = 0;
    for (let k = 0; k < HIDDEN_SIZE; k++) s += pooled[k] * family.attributes[n * HIDDEN_SIZE + k];
    out[n] = TEXT_STRENGTH * s;
  }
  return out;
}
