/**
 * The exported ONNX models compute what the TypeScript reference computes: text encoder (through
 * the project's CLIP tokenizer reading the generated tokenizer.json), VAE, and every denoiser at
 * integer and fractional timesteps, batched, with the cascade's extra inputs.
 */
import * as ort from 'onnxruntime-node';
import { ClipTokenizer } from '../../src/diffusion/clipTokenizer.ts';
import { EMBED_CODEC_SCALE, buildFamily, encodeTextReference, textPriorLogits, imageEmbeddingOf, EMBED_MATCH_WIDTH, LOW_RES_MATCH_WIDTH, PIXEL_SCALE, downsample2x, lowResOf, type ToyFamily } from '../../src/toy/family.ts';
import { tokenizeReference, tokenizerFiles, HIDDEN_SIZE, MAX_LENGTH } from '../../src/toy/vocabulary.ts';
import { decodeReference, encodeReference } from '../../src/toy/vae.ts';
import { predictNoise, squaredNorms, type TrainingSet } from '../../src/toy/posterior.ts';
import { logSigmaTable, sigmaAt } from '../../src/toy/noiseSchedule.ts';
import { buildTextEncoderOnnx, buildVaeDecoderOnnx, buildVaeEncoderOnnx } from '../../src/toy/modelsOnnx.ts';
import { buildDecoderOnnx, buildPriorOnnx, buildSuperResolutionOnnx, buildUnetOnnx } from '../../src/toy/toyModels.ts';
import { mulberry32 } from '../../src/toy/rng.ts';

let family: ToyFamily;
beforeAll(() => {
  family = buildFamily();
});

function gaussian(seed: number, n: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand()));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes);
}

function hiddenFor(prompt: string): Float32Array {
  return encodeTextReference(family, tokenizeReference(family.tokenizer, prompt));
}

describe('toy-shapes ONNX exports match the TypeScript reference', () => {
  it('tokenizer.json is read by the CLIP tokenizer and the text encoder embeds attributes', async () => {
    const files = tokenizerFiles(family.tokenizer);
    const clip = ClipTokenizer.fromFiles({ 'tokenizer.json': files['tokenizer.json'], 'tokenizer_config.json': files['tokenizer_config.json'] });
    const prompts = ['a red circle on black', 'A  Blue SQUARE on white!', 'purple cat', ''];
    const ids = prompts.map((p) => clip.encode(p).ids);
    prompts.forEach((p, i) => expect(ids[i], p).toEqual(tokenizeReference(family.tokenizer, p)));
    expect(ids[0].slice(0, 7)).toEqual([family.tokenizer.bosId, ...['a', 'red', 'circle', 'on', 'black'].map((w) => family.tokenizer.vocab[`${w}</w>`]), family.tokenizer.eosId]);

    const s = await session(buildTextEncoderOnnx(family.embeddingTable));
    const feed = new ort.Tensor('int32', Int32Array.from(ids.flat()), [prompts.length, MAX_LENGTH]);
    const out = await s.run({ input_ids: feed });
    const hidden = out.last_hidden_state.data as Float32Array;
    expect(out.last_hidden_state.dims).toEqual([prompts.length, MAX_LENGTH, HIDDEN_SIZE]);
    prompts.forEach((_, i) => {
      const ref = encodeTextReference(family, ids[i]);
      expect(maxAbsDiff(hidden.subarray(i * ref.length, (i + 1) * ref.length), ref)).toBe(0);
    });
    // "a red circle on black" names three attributes; "purple cat" one; the empty prompt none.
    const pooled = out.pooler_output.data as Float32Array;
    const sum = (i: number) => pooled.subarray(i * HIDDEN_SIZE, (i + 1) * HIDDEN_SIZE).reduce((a, b) => a + b, 0);
    expect([sum(0), sum(1), sum(2), sum(3)]).toEqual([3, 3, 1, 0]);
  });

  it('VAE encoder and decoder equal the reference convolutions at two sizes', async () => {
    const enc = await session(buildVaeEncoderOnnx(family.vae));
    const dec = await session(buildVaeDecoderOnnx(family.vae));
    for (const size of [64, 32]) {
      const img = size === 64 ? family.items[5].pixels : downsample2x(family.items[5].pixels, 64);
      const z = (await enc.run({ sample: new ort.Tensor('float32', img, [1, 3, size, size]) })).latent_sample;
      expect(z.dims).toEqual([1, 4, size / 4, size / 4]);
      const zRef = encodeReference(family.vae, img, size, size);
      expect(maxAbsDiff(z.data as Float32Array, zRef)).toBeLessThan(1e-4);
      const x = (await dec.run({ latent_sample: new ort.Tensor('float32', zRef, [1, 4, size / 4, size / 4]) })).sample;
      expect(x.dims).toEqual([1, 3, size, size]);
      expect(maxAbsDiff(x.data as Float32Array, decodeReference(family.vae, zRef, size / 4, size / 4))).toBeLessThan(1e-4);
    }
  });

  async function checkDenoiser(
    bytes: Uint8Array,
    set: TrainingSet,
    shape: number[],
    prompts: string[],
    extra: (b: number) => { feeds: Record<string, ort.Tensor>; prior: (i: number) => Float64Array },
  ) {
    const s = await session(bytes);
    const batch = prompts.length;
    const table = logSigmaTable();
    for (const timesteps of [[999], [500.5], [37.25], [0], [981, 20.75, 3].slice(0, batch)]) {
      const x = gaussian(timesteps.length * 7 + Math.round(timesteps[0]), batch * set.dim);
      const hidden = new Float32Array(batch * MAX_LENGTH * HIDDEN_SIZE);
      prompts.forEach((p, i) => hidden.set(hiddenFor(p), i * MAX_LENGTH * HIDDEN_SIZE));
      const { feeds, prior } = extra(batch);
      const out = await s.run({
        sample: new ort.Tensor('float32', x, [batch, ...shape]),
        timestep: new ort.Tensor('float32', Float32Array.from(timesteps), [timesteps.length]),
        encoder_hidden_states: new ort.Tensor('float32', hidden, [batch, MAX_LENGTH, HIDDEN_SIZE]),
        ...feeds,
      });
      expect(out.out_sample.dims).toEqual([batch, ...shape]);
      const eps = out.out_sample.data as Float32Array;
      for (let i = 0; i < batch; i++) {
        const sigma = sigmaAt(table, timesteps.length === 1 ? timesteps[0] : timesteps[i]);
        const ref = predictNoise(set, x.subarray(i * set.dim, (i + 1) * set.dim), sigma, prior(i));
        expect(maxAbsDiff(eps.subarray(i * set.dim, (i + 1) * set.dim), ref), `t=${timesteps} item ${i}`).toBeLessThan(2e-3);
      }
    }
  }

  it('UNet: exact posterior ε for prompts, batched, integer and fractional timesteps', async () => {
    const prompts = ['a red circle on black', '', 'a blue triangle'];
    await checkDenoiser(buildUnetOnnx(family), family.latents, [4, 16, 16], prompts, () => ({
      feeds: {},
      prior: (i) => textPriorLogits(family, hiddenFor(prompts[i])),
    }));
  });

  it('prior, decoder and super-resolution UNets with their extra inputs', async () => {
    const prompts = ['a green cross on white', 'a yellow square'];
    await checkDenoiser(buildPriorOnnx(family), family.imageEmbeddings, [16, 1, 1], prompts, () => ({
      feeds: {},
      prior: (i) => textPriorLogits(family, hiddenFor(prompts[i])),
    }));

    const embeds = [imageEmbeddingOf(family.items[17]), imageEmbeddingOf(family.items[200])];
    const kernel = (set: TrainingSet, c: Float32Array, width: number) => {
      const norms = squaredNorms(set);
      return Float64Array.from({ length: set.count }, (_, n) => {
        let dot = 0;
        for (let k = 0; k < set.dim; k++) dot += c[k] * set.points[n * set.dim + k];
        return (dot - norms[n] / 2) / (width * width);
      });
    };
    const plus = (a: Float64Array, b: Float64Array) => a.map((v, i) => v + b[i]);
    await checkDenoiser(buildDecoderOnnx(family), family.lowResImages, [3, 16, 16], prompts, () => ({
      // Coded as the prior package's vae_decoder + vae/decode hand it on: e / (2·scale) + 1/2.
      feeds: { image_embeds: new ort.Tensor('float32', Float32Array.from([...embeds[0], ...embeds[1]], (v) => v / (2 * EMBED_CODEC_SCALE) + 0.5), [2, 16, 1, 1]) },
      prior: (i) => plus(kernel(family.imageEmbeddings, embeds[i], EMBED_MATCH_WIDTH), textPriorLogits(family, hiddenFor(prompts[i]))),
    }));

    const lowRes = [lowResOf(family.items[17].pixels), lowResOf(family.items[200].pixels)];
    const lowScaled = lowRes.map((img) => img.map((v) => v * PIXEL_SCALE));
    await checkDenoiser(buildSuperResolutionOnnx(family), family.latents, [4, 16, 16], prompts, () => ({
      feeds: { image: new ort.Tensor('float32', Float32Array.from([...lowRes[0], ...lowRes[1]], (v) => (v + 1) / 2), [2, 3, 16, 16]) },
      prior: (i) => plus(kernel(family.lowResImages, lowScaled[i], LOW_RES_MATCH_WIDTH), textPriorLogits(family, hiddenFor(prompts[i]))),
    }));
  });
});
