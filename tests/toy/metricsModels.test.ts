/**
 * The toy-shapes evaluation models (src/toy/metricsOnnx.ts) as real ONNX sessions: the CLIP-like
 * encoders read the training pictures and prompts exactly, the feature extractor reproduces the
 * shipped reference statistics, and the classifier's gradient is the exact class-posterior
 * gradient (so guiding the unconditional denoiser at scale 1 gives the class-conditional one).
 */
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFamily, type ToyFamily } from '../../src/toy/family.ts';
import { tokenizeReference, MAX_LENGTH } from '../../src/toy/vocabulary.ts';
import { posteriorWeights, predictNoise } from '../../src/toy/posterior.ts';
import { alphasCumprod, logSigmaTable, sigmaAt } from '../../src/toy/noiseSchedule.ts';
import {
  buildToyClassifierOnnx, buildToyClipImageEncoderOnnx, buildToyClipTextEncoderOnnx, buildToyFeatureExtractorOnnx,
  CLIP_EMBED_SIZE, pictureAttributes, pictureClasses, toyFeaturesReference, TOY_CLASSES,
} from '../../src/toy/metricsOnnx.ts';
import { featureStats, statsFromJson } from '../../src/metrics/stats.ts';
import { frechetDistance } from '../../src/metrics/fid.ts';
import { clipScoreOf } from '../../src/metrics/clipScore.ts';
import { mulberry32 } from '../../src/toy/rng.ts';

const CLIP_DIR = join(import.meta.dirname, '../../public/models/toy-shapes-clip');

let family: ToyFamily;
let images: Float32Array;
beforeAll(() => {
  family = buildFamily();
  images = new Float32Array(family.items.length * 3 * 64 * 64);
  family.items.forEach((it, n) => images.set(it.pixels.map((v) => (v + 1) / 2), n * 3 * 64 * 64));
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const pixels = (count: number) => new ort.Tensor('float32', images.subarray(0, count * 3 * 64 * 64), [count, 3, 64, 64]);

describe('toy-shapes-clip', () => {
  it('the image encoder gives each training picture its attributes (one-hot per group) to 1e-6', async () => {
    const s = await ort.InferenceSession.create(buildToyClipImageEncoderOnnx(family));
    const out = (await s.run({ pixel_values: pixels(family.items.length) })).image_embeds;
    expect(out.dims).toEqual([family.items.length, CLIP_EMBED_SIZE]);
    expect(maxAbsDiff(out.data as Float32Array, pictureAttributes(family))).toBeLessThan(1e-6);
  });

  it('the text encoder: named attributes per group, an unnamed group uniform; CLIP scores 100 / 91.3 / ≈0', async () => {
    const s = await ort.InferenceSession.create(buildToyClipTextEncoderOnnx(family.embeddingTable));
    const prompts = ['a red circle on black', 'a red circle', 'a blue square on white', 'red red blue cross', ''];
    const ids = prompts.map((p) => tokenizeReference(family.tokenizer, p));
    const out = (await s.run({ input_ids: new ort.Tensor('int32', Int32Array.from(ids.flat()), [prompts.length, MAX_LENGTH]) })).text_embeds;
    const e = out.data as Float32Array;
    const row = (i: number) => Array.from(e.subarray(i * CLIP_EMBED_SIZE, (i + 1) * CLIP_EMBED_SIZE));
    const close = (a: number[], b: number[]) => a.forEach((v, k) => expect(v, `slot ${k}`).toBeCloseTo(b[k], 5));
    close(row(0), [1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0]);
    close(row(1), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0.5, 0.5]);
    close(row(3), [2 / 3, 0, 1 / 3, 0, 0, 0, 0, 0, 1, 0.5, 0.5]);
    close(row(4), [0.2, 0.2, 0.2, 0.2, 0.2, 0.25, 0.25, 0.25, 0.25, 0.5, 0.5]);
    const redCircleOnBlack = Array.from(pictureAttributes(family).subarray(0, CLIP_EMBED_SIZE));
    expect(family.items[0].caption).toBe('a red circle on black');
    expect(clipScoreOf(redCircleOnBlack, row(0))).toBeCloseTo(100, 4);
    expect(clipScoreOf(redCircleOnBlack, row(1))).toBeCloseTo(100 * Math.sqrt(2.5 / 3), 4);
    expect(clipScoreOf(redCircleOnBlack, row(2))).toBeLessThan(1e-3);
  });

  it('the feature extractor matches its float64 reference, and the training pictures reproduce the shipped reference statistics (FID < 1e-6)', async () => {
    // The committed file is what the builder makes (package.test.ts); check both are the same here too.
    const committed = readFileSync(join(CLIP_DIR, 'feature_extractor/model.onnx'));
    expect(Buffer.compare(committed, Buffer.from(buildToyFeatureExtractorOnnx(family)))).toBe(0);
    const s = await ort.InferenceSession.create(committed);
    const n = family.items.length;
    const out = (await s.run({ pixel_values: pixels(n) })).features;
    const dim = out.dims[1] as number;
    const feats = out.data as Float32Array;
    for (const i of [0, 17, 239]) expect(maxAbsDiff(feats.subarray(i * dim, (i + 1) * dim), toyFeaturesReference(family, images.subarray(i * 12288, (i + 1) * 12288)))).toBeLessThan(1e-5);
    const reference = statsFromJson(readFileSync(join(CLIP_DIR, 'feature_extractor/reference_stats.json'), 'utf8'));
    expect(reference.count).toBe(n);
    expect(reference.dim).toBe(dim);
    const ours = featureStats(feats, n, dim);
    expect(frechetDistance(ours, reference).fid).toBeLessThan(1e-6);
    // Only red circles: far from the reference.
    const redCircles = family.items.filter((it) => it.colour === 'red' && it.shape === 'circle').map((it) => it.index);
    const subset = new Float64Array(redCircles.length * dim);
    redCircles.forEach((i, k) => subset.set(feats.subarray(i * dim, (i + 1) * dim), k * dim));
    expect(frechetDistance(featureStats(subset, redCircles.length, dim), reference).fid).toBeGreaterThan(5);
  });
});

describe('toy-shapes classifier (classifier/model.onnx)', () => {
  it('gives log p(y | x_t) and ∇ log p(y | x_t) of the exact posterior; eps − √(1−ᾱ)·∇ is the class-conditional eps', async () => {
    const s = await ort.InferenceSession.create(buildToyClassifierOnnx(family));
    const set = family.latents;
    const classes = pictureClasses(family);
    const acp = alphasCumprod();
    const rand = mulberry32(9);
    const logSigma = logSigmaTable();
    for (const [t, label] of [[999, 0], [500, 7], [120, 13], [20, 19]] as const) {
      // x_t = a·y_n + s·ε for a training latent of another class, the hard case.
      const a = Math.sqrt(acp[t]);
      const sd = Math.sqrt(1 - acp[t]);
      const n0 = classes.findIndex((c) => c !== label);
      const x = Float32Array.from({ length: set.dim }, (_, i) => a * set.points[n0 * set.dim + i] + sd * Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand()));
      const out = await s.run({
        sample: new ort.Tensor('float32', x, [1, 4, 16, 16]),
        timestep: new ort.Tensor('float32', Float32Array.from([t]), [1]),
        class_labels: new ort.Tensor('int64', BigInt64Array.from([BigInt(label)]), [1]),
      });
      const sigma = sigmaAt(logSigma, t);
      const uniform = new Float64Array(set.count);
      const restricted = classes.map((c) => (c === label ? 0 : -Infinity));
      const p = posteriorWeights(set, x, sigma, uniform);
      let inClass = 0;
      p.forEach((w, n) => (inClass += classes[n] === label ? w : 0));
      if (inClass > 1e-30) expect((out.log_prob.data as Float32Array)[0]).toBeCloseTo(Math.log(inClass), 2);
      const epsUncond = predictNoise(set, x, sigma, uniform);
      const epsClass = predictNoise(set, x, sigma, restricted);
      const grad = out.grad_log_prob.data as Float32Array;
      const guided = epsUncond.map((e, i) => e - sd * grad[i]);
      let scale = 0;
      for (const v of epsClass) scale = Math.max(scale, Math.abs(v));
      expect(maxAbsDiff(guided, epsClass) / scale, `t=${t} class ${TOY_CLASSES[label]}`).toBeLessThan(2e-3);
    }
  });
});
