/**
 * Writes the toy-shapes model package: the Hugging Face ONNX export layout that every model
 * node reads (model_index.json, scheduler/, tokenizer/, text_encoder/, unet/, vae_encoder/,
 * vae_decoder/) plus the cascade's prior/, decoder/ and super_resolution/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildFamily, IMAGE_EMBED_SIZE, LOW_RES_SIZE, TEXT_STRENGTH, type ToyFamily } from './family.ts';
import { IMAGE_SIZE } from './dataset.ts';
import { HIDDEN_SIZE, MAX_LENGTH, tokenizerFiles } from './vocabulary.ts';
import { LATENT_CHANNELS, STRIDE } from './vae.ts';
import { BETA_END, BETA_START, TRAIN_TIMESTEPS } from './noiseSchedule.ts';
import { buildTextEncoderOnnx, buildVaeDecoderOnnx, buildVaeEncoderOnnx } from './modelsOnnx.ts';
import { buildDecoderOnnx, buildPriorOnnx, buildSuperResolutionOnnx, buildUnetOnnx } from './toyModels.ts';

export const TOY_PACKAGE_ID = 'toy-shapes';

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

/** Every file of the package by its relative path, built from a fitted family. */
export function toyPackageFiles(family: ToyFamily = buildFamily()): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const vocabSize = Object.keys(family.tokenizer.vocab).length;
  const vaeConfig = {
    _class_name: 'AutoencoderKL',
    in_channels: 3,
    out_channels: 3,
    latent_channels: LATENT_CHANNELS,
    downsampling_factor: STRIDE,
    sample_size: IMAGE_SIZE,
    scaling_factor: family.vae.scalingFactor,
  };
  files.set('model_index.json', json({
    _class_name: 'StableDiffusionPipeline',
    name: TOY_PACKAGE_ID,
    description: 'Built-in toy diffusion family: coloured shapes, exact posterior denoisers (see docs/toy-shapes.md)',
    image_size: IMAGE_SIZE,
    vae_scaling_factor: family.vae.scalingFactor,
    scheduler: ['diffusers', 'DDIMScheduler'],
    text_encoder: ['transformers', 'CLIPTextModel'],
    tokenizer: ['transformers', 'CLIPTokenizer'],
    unet: ['diffusers', 'UNet2DConditionModel'],
    vae: ['diffusers', 'AutoencoderKL'],
    prior: ['diffusers', 'PriorTransformer'],
    decoder: ['diffusers', 'UNet2DConditionModel'],
    super_resolution: ['diffusers', 'UNet2DConditionModel'],
  }));
  files.set('scheduler/scheduler_config.json', json(schedulerConfig()));
  for (const [name, text] of Object.entries(tokenizerFiles(family.tokenizer))) files.set(`tokenizer/${name}`, new TextEncoder().encode(text));
  files.set('text_encoder/config.json', json({
    _class_name: 'CLIPTextModel', hidden_size: HIDDEN_SIZE, max_position_embeddings: MAX_LENGTH, vocab_size: vocabSize,
    text_strength: TEXT_STRENGTH,
  }));
  files.set('text_encoder/model.onnx', buildTextEncoderOnnx(family.embeddingTable));
  const unetConfig = (sampleSize: number, extra: Record<string, unknown> = {}) => ({
    _class_name: 'UNet2DConditionModel', in_channels: LATENT_CHANNELS, out_channels: LATENT_CHANNELS, sample_size: sampleSize,
    cross_attention_dim: HIDDEN_SIZE, prediction_type: 'epsilon', ...extra,
  });
  files.set('unet/config.json', json(unetConfig(IMAGE_SIZE / STRIDE)));
  files.set('unet/model.onnx', buildUnetOnnx(family));
  files.set('vae_encoder/config.json', json(vaeConfig));
  files.set('vae_encoder/model.onnx', buildVaeEncoderOnnx(family.vae));
  files.set('vae_decoder/config.json', json(vaeConfig));
  files.set('vae_decoder/model.onnx', buildVaeDecoderOnnx(family.vae));
  files.set('prior/config.json', json({ _class_name: 'PriorTransformer', embedding_dim: IMAGE_EMBED_SIZE, sample_shape: [IMAGE_EMBED_SIZE, 1, 1], prediction_type: 'epsilon' }));
  files.set('prior/model.onnx', buildPriorOnnx(family));
  files.set('decoder/config.json', json(unetConfig(LOW_RES_SIZE / STRIDE, { image_size: LOW_RES_SIZE, extra_inputs: { image_embeds: [IMAGE_EMBED_SIZE] } })));
  files.set('decoder/model.onnx', buildDecoderOnnx(family));
  files.set('super_resolution/config.json', json(unetConfig(IMAGE_SIZE / STRIDE, { low_res_size: LOW_RES_SIZE, extra_inputs: { image: [3, LOW_RES_SIZE, LOW_RES_SIZE] } })));
  files.set('super_resolution/model.onnx', buildSuperResolutionOnnx(family));
  return files;
}

export function writeToyPackage(dir: string, files: Map<string, Uint8Array> = toyPackageFiles()): void {
  for (const [rel, bytes] of files) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
}
