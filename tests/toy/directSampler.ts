/**
 * Test-only: the toy package driven by a plain diffusers-style loop (no engine), with real ONNX
 * sessions over the committed public/models/toy-shapes/, the project's CLIP tokenizer, its
 * schedulers and its torch-compatible generator. Used to check the models themselves; the graph
 * tests run the same package through the engine.
 */
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClipTokenizer } from '../../src/diffusion/clipTokenizer.ts';
import { createScheduler, type SchedulerName } from '../../src/diffusion/schedulers/index.ts';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { EMBED_CODEC_SCALE, PIXEL_SCALE } from '../../src/toy/family.ts';

export const MODELS_DIR = join(import.meta.dirname, '../../public/models');
export const TOY_DIR = join(MODELS_DIR, 'toy-shapes');

export interface Toy {
  tokenizer: ClipTokenizer;
  textEncoder: ort.InferenceSession;
  unet: ort.InferenceSession;
  vaeDecoder: ort.InferenceSession;
  vaeEncoder: ort.InferenceSession;
  prior: ort.InferenceSession;
  decoder: ort.InferenceSession;
  superResolution: ort.InferenceSession;
  schedulerConfig: Record<string, unknown>;
  scalingFactor: number;
}

const json = (rel: string) => JSON.parse(readFileSync(join(TOY_DIR, rel), 'utf8')) as Record<string, unknown>;

export async function openToy(): Promise<Toy> {
  const session = (rel: string, pkg = 'toy-shapes') => ort.InferenceSession.create(join(MODELS_DIR, pkg, rel));
  return {
    tokenizer: await ClipTokenizer.fromFolder(join(TOY_DIR, 'tokenizer')),
    textEncoder: await session('text_encoder/model.onnx'),
    unet: await session('unet/model.onnx'),
    vaeDecoder: await session('vae_decoder/model.onnx'),
    vaeEncoder: await session('vae_encoder/model.onnx'),
    prior: await session('unet/model.onnx', 'toy-shapes-prior'),
    decoder: await session('unet/model.onnx', 'toy-shapes-decoder'),
    superResolution: await session('unet/model.onnx', 'toy-shapes-sr'),
    schedulerConfig: json('scheduler/scheduler_config.json'),
    scalingFactor: json('vae_decoder/config.json').scaling_factor as number,
  };
}

export async function encodePrompt(toy: Toy, text: string): Promise<Float32Array> {
  const ids = toy.tokenizer.encode(text).ids;
  const out = await toy.textEncoder.run({ input_ids: new ort.Tensor('int32', Int32Array.from(ids), [1, ids.length]) });
  return out.last_hidden_state.data as Float32Array;
}

export interface SampleOptions {
  prompt: string;
  negative?: string;
  seed: number;
  steps?: number;
  guidance?: number;
  scheduler?: SchedulerName;
  schedulerConfig?: Record<string, unknown>;
  /** Denoiser to run and its latent shape / extra feeds (defaults: the text-to-image UNet). */
  model?: ort.InferenceSession;
  shape?: number[];
  extraFeeds?: Record<string, ort.Tensor>;
  /** img2img: start from this clean latent, noised to `strength`. */
  init?: { latent: Float32Array; strength: number };
}

/** Runs the denoising loop with classifier-free guidance and returns the final latent. */
export async function sampleLatent(toy: Toy, o: SampleOptions): Promise<Float32Array> {
  const shape = o.shape ?? [1, 4, 16, 16];
  const model = o.model ?? toy.unet;
  const steps = o.steps ?? 20;
  const guidance = o.guidance ?? 7;
  const sched = createScheduler(o.scheduler ?? 'DDIMScheduler', { ...toy.schedulerConfig, ...o.schedulerConfig });
  sched.setTimesteps(steps);
  const generator = new TorchGenerator(o.seed);
  const noise = generator.randnTensor(shape);
  let timesteps = sched.timesteps;
  let latents: Tensor<'float32'>;
  if (o.init) {
    const keep = Math.min(Math.floor(steps * o.init.strength), steps);
    const start = Math.max(steps - keep, 0) * sched.order;
    timesteps = sched.timesteps.slice(start);
    sched.setBeginIndex(start);
    latents = sched.addNoise(new Tensor('float32', shape, o.init.latent), noise, timesteps[0]);
  } else {
    latents = new Tensor('float32', shape, noise.data.map((v) => v * sched.initNoiseSigma));
  }
  const cond = await encodePrompt(toy, o.prompt);
  const uncond = await encodePrompt(toy, o.negative ?? '');
  const hidden = new Float32Array(cond.length * 2);
  hidden.set(uncond, 0);
  hidden.set(cond, cond.length);
  const size = latents.size;
  for (const [i, t] of timesteps.entries()) {
    const input = sched.scaleModelInput(latents, t);
    const doubled = new Float32Array(size * 2);
    doubled.set(input.data, 0);
    doubled.set(input.data, size);
    const extra: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(o.extraFeeds ?? {})) {
      const d = new Float32Array(v.data.length * 2);
      d.set(v.data as Float32Array, 0);
      d.set(v.data as Float32Array, v.data.length);
      extra[k] = new ort.Tensor('float32', d, [v.dims[0] * 2, ...v.dims.slice(1)]);
    }
    const out = await model.run({
      sample: new ort.Tensor('float32', doubled, [shape[0] * 2, ...shape.slice(1)]),
      timestep: new ort.Tensor('float32', Float32Array.from([t]), [1]),
      encoder_hidden_states: new ort.Tensor('float32', hidden, [2, cond.length / 16, 16]),
      ...extra,
    });
    const eps = out.out_sample.data as Float32Array;
    const guided = new Float32Array(size);
    for (let i = 0; i < size; i++) guided[i] = eps[i] + guidance * (eps[size + i] - eps[i]);
    // unCLIP's step goes to t-1 unless told the next timestep (as diffusers' unCLIP pipelines do).
    const prevTimestep = sched.name === 'UnCLIPScheduler' ? (timesteps[i + 1] ?? -1) : undefined;
    latents = sched.step(new Tensor('float32', shape, guided), t, latents, { generator, prevTimestep }).prevSample;
  }
  return latents.data;
}

/** Scaled latent [1,4,h,w] → image [3,4h,4w] in [0,1]. */
export async function decodeLatent(toy: Toy, latent: Float32Array, h: number, w: number): Promise<Float32Array> {
  const out = await toy.vaeDecoder.run({
    latent_sample: new ort.Tensor('float32', latent.map((v) => v / toy.scalingFactor), [1, 4, h, w]),
  });
  return (out.sample.data as Float32Array).map((v) => Math.min(1, Math.max(0, (v + 1) / 2)));
}

/** Image [3,H,W] in [0,1] → scaled latent. */
export async function encodeImage(toy: Toy, image: Float32Array, size: number): Promise<Float32Array> {
  const out = await toy.vaeEncoder.run({ sample: new ort.Tensor('float32', image.map((v) => v * 2 - 1), [1, 3, size, size]) });
  return (out.latent_sample.data as Float32Array).map((v) => v * toy.scalingFactor);
}

export async function txt2img(toy: Toy, o: SampleOptions): Promise<Float32Array> {
  return decodeLatent(toy, await sampleLatent(toy, o), 16, 16);
}

/** The clean pictures the toy model can produce: VAE reconstructions of every training image, [3,64,64] in [0,1]. */
export async function cleanPictures(toy: Toy, items: readonly { pixels: Float32Array }[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const it of items) {
    const z = await toy.vaeEncoder.run({ sample: new ort.Tensor('float32', it.pixels, [1, 3, 64, 64]) });
    const x = await toy.vaeDecoder.run({ latent_sample: z.latent_sample });
    out.push((x.sample.data as Float32Array).map((v) => Math.min(1, Math.max(0, (v + 1) / 2))));
  }
  return out;
}

export interface CascadeOptions {
  prompt: string;
  seed: number;
  steps?: number;
  priorGuidance?: number;
  decoderGuidance?: number;
  srGuidance?: number;
}

/** prior → decoder (16×16, pixel space) → super-resolution (64×64); returns every stage's output. */
export async function cascade(toy: Toy, o: CascadeOptions): Promise<{ embedding: Float32Array; lowRes: Float32Array; image: Float32Array }> {
  const steps = o.steps ?? 20;
  const embedding = await sampleLatent(toy, { prompt: o.prompt, seed: o.seed, steps, guidance: o.priorGuidance ?? 4, model: toy.prior, shape: [1, 16, 1, 1] });
  const lowLatent = await sampleLatent(toy, {
    prompt: o.prompt, seed: o.seed + 1, steps, guidance: o.decoderGuidance ?? 1, model: toy.decoder, shape: [1, 3, 16, 16],
    // The decoder takes the embedding as the prior package's identity decoder + vae/decode hand it on.
    extraFeeds: { image_embeds: new ort.Tensor('float32', embedding.map((v) => (v / EMBED_CODEC_SCALE + 1) / 2), [1, 16, 1, 1]) },
  });
  // Pixel space: undo the pixel scale and map [-1,1] to [0,1], as vae/decode does with an identity VAE.
  const lowRes = lowLatent.map((v) => Math.min(1, Math.max(0, (v / PIXEL_SCALE + 1) / 2)));
  const latent = await sampleLatent(toy, {
    prompt: o.prompt, seed: o.seed + 2, steps, guidance: o.srGuidance ?? 1, model: toy.superResolution, shape: [1, 4, 16, 16],
    extraFeeds: { image: new ort.Tensor('float32', lowRes, [1, 3, 16, 16]) },
  });
  return { embedding, lowRes, image: await decodeLatent(toy, latent, 16, 16) };
}
