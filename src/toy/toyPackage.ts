/**
 * Writes the toy-shapes model packages, each in the Hugging Face ONNX export layout that the model
 * nodes read (model_index.json, scheduler/, tokenizer/, text_encoder/, unet/, vae_*):
 *  - toy-shapes: text-to-image (UNet + VAE);
 *  - toy-shapes-prior, toy-shapes-decoder, toy-shapes-sr: the DALL·E 2-style cascade, one package
 *    per stage as real cascades ship (each stage's denoiser is that package's unet/);
 *  - toy-shapes-clip: the evaluation models (CLIP-like image and text encoders, the FID feature
 *    extractor with the training pictures' statistics); toy-shapes also carries classifier/, a
 *    noisy-latent classifier for classifier guidance (metricsOnnx.ts, docs/metrics.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildFamily, EMBED_CODEC_SCALE, IMAGE_EMBED_SIZE, LOW_RES_SIZE, PIXEL_SCALE, TEXT_STRENGTH, type ToyFamily } from './family.ts';
import { IMAGE_SIZE } from './dataset.ts';
import { HIDDEN_SIZE, MAX_LENGTH, tokenizerFiles } from './vocabulary.ts';
import { LATENT_CHANNELS, STRIDE } from './vae.ts';
import { BETA_END, BETA_START, TRAIN_TIMESTEPS } from './noiseSchedule.ts';
import { buildIdentityDecoderOnnx, buildTextEncoderOnnx, buildVaeDecoderOnnx, buildVaeEncoderOnnx } from './modelsOnnx.ts';
import { buildDecoderOnnx, buildPriorOnnx, buildSuperResolutionOnnx, buildUnetOnnx } from './toyModels.ts';
import {
  buildToyClassifierOnnx, buildToyClipImageEncoderOnnx, buildToyClipTextEncoderOnnx, buildToyFeatureExtractorOnnx,
  CLIP_EMBED_SIZE, METRIC_KERNEL_VARIANCE, TOY_CLASSES, toyReferenceStats, toySubsetStats,
} from './metricsOnnx.ts';
import { statsToJson } from '../metrics/stats.ts';
import { fitToyLatentRgb, type FittedLatentRgb } from './latentRgbFit.ts';

export const TOY_PACKAGE_IDS = ['toy-shapes', 'toy-shapes-prior', 'toy-shapes-decoder', 'toy-shapes-sr', 'toy-shapes-clip'] as const;
/** The packages with a diffusion model (the Stable Diffusion layout); toy-shapes-clip holds evaluation models only. */
export const TOY_DIFFUSION_PACKAGE_IDS = ['toy-shapes', 'toy-shapes-prior', 'toy-shapes-decoder', 'toy-shapes-sr'] as const;
export type ToyPackageId = (typeof TOY_PACKAGE_IDS)[number];

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n');

export function schedulerConfig(): Record<string, unknown> {
  return {
    _class_name: 'DDIMScheduler',
    num_train_timesteps: TRAIN_TIMESTEPS,
    beta_start: BETA_START,
    beta_end: BETA_END,
    beta_schedule: 'scaled_linear',
    prediction_type: 'epsilon',
    clip_sample: false,
    // The toy's decoder is linear, so DDIM's usual last-step residual noise would show; land on x0.
    set_alpha_to_one: true,
    steps_offset: 1,
    timestep_spacing: 'leading',
  };
}

function unetConfig(sampleSize: number, channels: number, extra: Record<string, unknown> = {}) {
  return {
    _class_name: 'UNet2DConditionModel', in_channels: channels, out_channels: channels, sample_size: sampleSize,
    cross_attention_dim: HIDDEN_SIZE, prediction_type: 'epsilon', ...extra,
  };
}

/** Files every toy package shares: scheduler, tokenizer, text encoder. */
function commonFiles(family: ToyFamily, name: string, description: string, textEncoder: Uint8Array, latentRgb?: FittedLatentRgb): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  files.set('model_index.json', json({
    _class_name: 'StableDiffusionPipeline',
    name,
    description,
    // How this package's latents look as RGB without the VAE (live previews, src/runtime/latentRgb.ts).
    ...(latentRgb ? { latent_rgb_factors: latentRgb.factors, latent_rgb_factors_bias: latentRgb.bias } : {}),
    scheduler: ['diffusers', 'DDIMScheduler'],
    text_encoder: ['transformers', 'CLIPTextModel'],
    tokenizer: ['transformers', 'CLIPTokenizer'],
    unet: ['diffusers', 'UNet2DConditionModel'],
    vae: ['diffusers', 'AutoencoderKL'],
  }));
  files.set('scheduler/scheduler_config.json', json(schedulerConfig()));
  for (const [file, text] of Object.entries(tokenizerFiles(family.tokenizer))) files.set(`tokenizer/${file}`, new TextEncoder().encode(text));
  files.set('text_encoder/config.json', json({
    _class_name: 'CLIPTextModel', hidden_size: HIDDEN_SIZE, max_position_embeddings: MAX_LENGTH,
    vocab_size: Object.keys(family.tokenizer.vocab).length, text_strength: TEXT_STRENGTH,
  }));
  files.set('text_encoder/model.onnx', textEncoder);
  return files;
}

function addVae(files: Map<string, Uint8Array>, family: ToyFamily, encoder: Uint8Array, decoder: Uint8Array, sampleSize: number): void {
  const config = json({
    _class_name: 'AutoencoderKL', in_channels: 3, out_channels: 3, latent_channels: LATENT_CHANNELS,
    downsampling_factor: STRIDE, sample_size: sampleSize, scaling_factor: family.vae.scalingFactor,
  });
  files.set('vae_encoder/config.json', config);
  files.set('vae_encoder/model.onnx', encoder);
  files.set('vae_decoder/config.json', config);
  files.set('vae_decoder/model.onnx', decoder);
}

/** Every file of every toy package: package id → relative path → bytes. */
export function toyPackages(family: ToyFamily = buildFamily()): Map<ToyPackageId, Map<string, Uint8Array>> {
  const textEncoder = buildTextEncoderOnnx(family.embeddingTable);
  const vaeEncoder = buildVaeEncoderOnnx(family.vae);
  const vaeDecoder = buildVaeDecoderOnnx(family.vae);
  const packages = new Map<ToyPackageId, Map<string, Uint8Array>>();

  const latentRgb = fitToyLatentRgb(family);
  const main = commonFiles(family, 'toy-shapes', 'Built-in toy text-to-image model: coloured shapes, exact posterior denoiser (docs/toy-shapes.md)', textEncoder, latentRgb);
  main.set('unet/config.json', json(unetConfig(IMAGE_SIZE / STRIDE, LATENT_CHANNELS)));
  main.set('unet/model.onnx', buildUnetOnnx(family));
  addVae(main, family, vaeEncoder, vaeDecoder, IMAGE_SIZE);
  main.set('classifier/config.json', json({
    _class_name: 'NoisyLatentClassifier',
    description: 'Exact class posterior p(y | x_t) of the training data under the unconditional denoiser, and its gradient (docs/metrics.md)',
    inputs: { sample: 'x_t as the UNet takes it', timestep: 'as the UNet', class_labels: 'int64 class index' },
    outputs: { grad_log_prob: 'gradient of log p(y | x_t) with respect to sample', log_prob: 'log p(y | x_t)' },
    num_classes: TOY_CLASSES.length,
    classes: TOY_CLASSES,
  }));
  main.set('classifier/model.onnx', buildToyClassifierOnnx(family));
  packages.set('toy-shapes', main);

  const prior = commonFiles(family, 'toy-shapes-prior', 'Cascade stage 1: diffusion prior from the prompt to an image embedding [16,1,1]', textEncoder);
  prior.set('unet/config.json', json(unetConfig(1, IMAGE_EMBED_SIZE, { role: 'prior', embedding_dim: IMAGE_EMBED_SIZE })));
  prior.set('unet/model.onnx', buildPriorOnnx(family));
  // No real VAE: an identity "decoder" hands the embedding on as an IMAGE, its scaling factor
  // keeping the values inside [-1,1] (see EMBED_CODEC_SCALE).
  prior.set('vae_decoder/config.json', json({ _class_name: 'IdentityDecoder', latent_channels: IMAGE_EMBED_SIZE, scaling_factor: EMBED_CODEC_SCALE }));
  prior.set('vae_decoder/model.onnx', buildIdentityDecoderOnnx(IMAGE_EMBED_SIZE, 'image embedding as IMAGE'));
  packages.set('toy-shapes-prior', prior);

  const decoder = commonFiles(family, 'toy-shapes-decoder', `Cascade stage 2: ${LOW_RES_SIZE}×${LOW_RES_SIZE} pictures (pixel space) from an image embedding (extra UNet input image_embeds)`, textEncoder,
    // Pixel-space "latents" are pixels × PIXEL_SCALE: their RGB is exact.
    { factors: [0, 1, 2].map((c) => [0, 1, 2].map((rgb) => (c === rgb ? 1 / PIXEL_SCALE : 0))), bias: [0, 0, 0] });
  decoder.set('unet/config.json', json(unetConfig(LOW_RES_SIZE, 3, { role: 'decoder', extra_inputs: { image_embeds: [IMAGE_EMBED_SIZE, 1, 1] } })));
  decoder.set('unet/model.onnx', buildDecoderOnnx(family));
  // Pixel space: the "VAE" is the identity and the scaling factor the pixel scale.
  decoder.set('vae_decoder/config.json', json({ _class_name: 'IdentityDecoder', latent_channels: 3, downsampling_factor: 1, sample_size: LOW_RES_SIZE, scaling_factor: PIXEL_SCALE }));
  decoder.set('vae_decoder/model.onnx', buildIdentityDecoderOnnx(3, 'pixel-space pictures'));
  packages.set('toy-shapes-decoder', decoder);

  const sr = commonFiles(family, 'toy-shapes-sr', `Cascade stage 3: diffusion super-resolution ${LOW_RES_SIZE}→${IMAGE_SIZE} (extra UNet input image, [0,1])`, textEncoder, latentRgb);
  sr.set('unet/config.json', json(unetConfig(IMAGE_SIZE / STRIDE, LATENT_CHANNELS, { role: 'super_resolution', extra_inputs: { image: [3, LOW_RES_SIZE, LOW_RES_SIZE] } })));
  sr.set('unet/model.onnx', buildSuperResolutionOnnx(family));
  addVae(sr, family, vaeEncoder, vaeDecoder, IMAGE_SIZE);
  packages.set('toy-shapes-sr', sr);

  const clip = new Map<string, Uint8Array>();
  clip.set('model_index.json', json({
    _class_name: 'CLIPModel',
    name: 'toy-shapes-clip',
    description: 'Built-in evaluation models for toy-shapes: CLIP-like image and text encoders over the attributes, an FID feature extractor and the statistics of the training pictures (docs/metrics.md)',
    tokenizer: ['transformers', 'CLIPTokenizer'],
    text_encoder: ['transformers', 'CLIPTextModelWithProjection'],
    image_encoder: ['transformers', 'CLIPVisionModelWithProjection'],
  }));
  for (const [file, text] of Object.entries(tokenizerFiles(family.tokenizer))) clip.set(`tokenizer/${file}`, new TextEncoder().encode(text));
  clip.set('text_encoder/config.json', json({ _class_name: 'CLIPTextModelWithProjection', projection_dim: CLIP_EMBED_SIZE, max_position_embeddings: MAX_LENGTH, output: 'text_embeds' }));
  clip.set('text_encoder/model.onnx', buildToyClipTextEncoderOnnx(family.embeddingTable));
  clip.set('image_encoder/config.json', json({
    _class_name: 'CLIPVisionModelWithProjection', projection_dim: CLIP_EMBED_SIZE, image_size: IMAGE_SIZE,
    input: 'pixel_values in [0,1], no normalisation', output: 'image_embeds', kernel_variance: METRIC_KERNEL_VARIANCE,
  }));
  clip.set('image_encoder/model.onnx', buildToyClipImageEncoderOnnx(family));
  clip.set('feature_extractor/config.json', json({
    _class_name: 'ToyFeatureExtractor', feature_dim: IMAGE_EMBED_SIZE, image_size: IMAGE_SIZE,
    input: 'pixel_values in [0,1], no normalisation', output: 'features', reference_stats: 'reference_stats.json', subset_stats: 'reference_stats/<colour>-<shape>-<background>.json',
  }));
  clip.set('feature_extractor/model.onnx', buildToyFeatureExtractorOnnx(family));
  clip.set('feature_extractor/reference_stats.json', new TextEncoder().encode(statsToJson(toyReferenceStats(family))));
  for (const [file, stats] of toySubsetStats(family)) clip.set(file, new TextEncoder().encode(statsToJson(stats)));
  packages.set('toy-shapes-clip', clip);
  return packages;
}

/** Writes each package into `<root>/<package id>/`. */
export function writeToyPackages(root: string, packages = toyPackages()): void {
  for (const [id, files] of packages) {
    for (const [rel, bytes] of files) {
      const path = join(root, id, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
  }
}
