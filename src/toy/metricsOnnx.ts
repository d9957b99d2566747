/**
 * The toy-shapes evaluation models, exact for the toy world (docs/metrics.md):
 *
 *  - a CLIP-like pair whose shared embedding space is the 11 attributes (5 colours, 4 shapes,
 *    2 backgrounds) as one probability distribution per group:
 *      · image encoder: which training picture is this? A posterior over the 240 pictures from a
 *        Gaussian kernel on the 16×16 average-pooled pixels (width² METRIC_KERNEL_VARIANCE, ≈ hard:
 *        pictures with different attributes are ≥ 2.2 apart in squared distance), times each
 *        picture's attributes;
 *      · text encoder: the attributes the prompt's words name, normalised per group; a group the
 *        prompt does not mention is uniform ("a red circle" is ½ black, ½ white);
 *    so 100·cos is 100 for a prompt that names the picture's colour, shape and background, ≈ 91
 *    when it leaves the background open, and 0 when it names none of them right;
 *  - a feature extractor for FID: the same posterior times each picture's 16-value image
 *    embedding (one-hot attributes × 1.5, centre and size; family.ts `imageEmbeddingOf`);
 *  - a noisy-latent classifier over the 20 classes "<colour> <shape>": the exact class posterior
 *    of the data under the unconditional toy denoiser, and the gradient of its log.
 */
import { Tensor } from '../tensor/tensor.ts';
import { OnnxGraphBuilder } from '../onnx/builder.ts';
import { featureStats, type FeatureStats } from '../metrics/stats.ts';
import { COLOUR_NAMES, SHAPES, IMAGE_SIZE, BACKGROUND_NAMES } from './dataset.ts';
import { lowResOf, LOW_RES_SIZE, latentShape, type ToyFamily } from './family.ts';
import { ATTRIBUTES, HIDDEN_SIZE, MAX_LENGTH } from './vocabulary.ts';
import { logSigmaTable, TRAIN_TIMESTEPS } from './noiseSchedule.ts';
import { OPSET, transpose } from './denoiserOnnx.ts';
import { squaredNorms, type TrainingSet } from './posterior.ts';

/** Width of the toy CLIP embedding: the attribute slots. */
export const CLIP_EMBED_SIZE = ATTRIBUTES.length;
/** Attribute groups (colour, shape, background) as [start, length] in the attribute slots. */
export const ATTRIBUTE_GROUPS: readonly (readonly [number, number])[] = [
  [0, COLOUR_NAMES.length],
  [COLOUR_NAMES.length, SHAPES.length],
  [COLOUR_NAMES.length + SHAPES.length, BACKGROUND_NAMES.length],
];
/** Kernel variance of the picture posterior, in [0,1] pixel units on the 16×16 pictures. */
export const METRIC_KERNEL_VARIANCE = 0.05;
/** Smoothing of the text side's per-group normalisation (a group named nowhere becomes uniform). */
const TEXT_GROUP_EPS = 1e-6;
/** The classifier's classes: "<colour> <shape>", index = colour · 4 + shape ("red circle" = 0). */
export const TOY_CLASSES: readonly string[] = COLOUR_NAMES.flatMap((c) => SHAPES.map((s) => `${c} ${s}`));

const f32 = (shape: readonly number[], data: ArrayLike<number>) => Tensor.float32(shape, Float32Array.from(data));
const i64 = (values: readonly number[]) => new Tensor('int64', [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));

/** The low-resolution training pictures in [0,1] − ½ (what lowResImages holds: pixels × PIXEL_SCALE). */
function pictureTable(family: ToyFamily): TrainingSet {
  return family.lowResImages;
}

/** Each training picture's attribute probabilities [N, 11] (one-hot per group). */
export function pictureAttributes(family: ToyFamily): Float32Array {
  const n = family.items.length;
  const out = new Float32Array(n * CLIP_EMBED_SIZE);
  for (let i = 0; i < n; i++) for (let k = 0; k < CLIP_EMBED_SIZE; k++) out[i * CLIP_EMBED_SIZE + k] = family.attributes[i * HIDDEN_SIZE + k];
  return out;
}

/** Posterior over the training pictures for an image [3,64,64] in [0,1], in float64 (the reference of the ONNX graphs). */
export function picturePosterior(family: ToyFamily, image: ArrayLike<number>): Float64Array {
  const x = lowResOf(Float32Array.from(image, (v) => 2 * v - 1)).map((v) => v / 2);
  const table = pictureTable(family);
  const logits = new Float64Array(table.count);
  let max = -Infinity;
  for (let n = 0; n < table.count; n++) {
    let d = 0;
    for (let i = 0; i < table.dim; i++) d += (x[i] - table.points[n * table.dim + i]) ** 2;
    logits[n] = -d / (2 * METRIC_KERNEL_VARIANCE);
    max = Math.max(max, logits[n]);
  }
  let total = 0;
  for (let n = 0; n < logits.length; n++) total += logits[n] = Math.exp(logits[n] - max);
  return logits.map((v) => v / total);
}

/** The feature extractor's output for one image [3,64,64] in [0,1] (float64 reference). */
export function toyFeaturesReference(family: ToyFamily, image: ArrayLike<number>): Float64Array {
  const w = picturePosterior(family, image);
  const { points, dim } = family.imageEmbeddings;
  const out = new Float64Array(dim);
  w.forEach((p, n) => {
    for (let i = 0; i < dim; i++) out[i] += p * points[n * dim + i];
  });
  return out;
}

/** FID reference statistics: the feature extractor over the 240 training pictures. */
export function toyReferenceStats(family: ToyFamily): FeatureStats {
  return statsOf(family, family.items, 'the 240 training pictures');
}

/** Where the statistics of the training pictures of one caption lie in builtin:toy-shapes-clip. */
export const subsetStatsFile = (colour: string, shape: string, background: string) => `feature_extractor/reference_stats/${colour}-${shape}-${background}.json`;

/**
 * FID reference statistics of each caption's subset ("a red circle on black": its 6 placements),
 * so a prompt's pictures are compared with the training pictures of that prompt.
 */
export function toySubsetStats(family: ToyFamily): Map<string, FeatureStats> {
  const out = new Map<string, FeatureStats>();
  for (const colour of COLOUR_NAMES) {
    for (const shape of SHAPES) {
      for (const background of BACKGROUND_NAMES) {
        const items = family.items.filter((i) => i.colour === colour && i.shape === shape && i.background === background);
        out.set(subsetStatsFile(colour, shape, background), statsOf(family, items, `the ${items.length} training pictures of "a ${colour} ${shape} on ${background}"`));
      }
    }
  }
  return out;
}

function statsOf(family: ToyFamily, items: ToyFamily['items'], what: string): FeatureStats {
  const dim = family.imageEmbeddings.dim;
  const rows = new Float64Array(items.length * dim);
  items.forEach((item, n) => rows.set(toyFeaturesReference(family, item.pixels.map((v) => (v + 1) / 2)), n * dim));
  return featureStats(rows, items.length, dim, `builtin:toy-shapes-clip#feature_extractor/model.onnx:features (${what})`);
}

/** Image → posterior weights over the training pictures [B, N], from `pixel_values` [B,3,64,64] in [0,1]. */
function picturePosteriorGraph(g: OnnxGraphBuilder, family: ToyFamily): string {
  const table = pictureTable(family);
  const pixels = g.input('pixel_values', 'float32', ['batch', 3, IMAGE_SIZE, IMAGE_SIZE]);
  const k = IMAGE_SIZE / LOW_RES_SIZE;
  const pooled = g.op('AveragePool', [pixels], { kernel_shape: [k, k], strides: [k, k] });
  const flat = g.op('Sub', [g.op('Reshape', [pooled, g.constant(i64([0, -1]), 'shape_flat')]), g.constant(f32([], [0.5]), 'half')]);
  const inv = 1 / METRIC_KERNEL_VARIANCE;
  const tableT = transpose(table.points, table.count, table.dim).map((v) => v * inv);
  const halfNorms = squaredNorms(table).map((v) => (v / 2) * inv);
  const dots = g.op('MatMul', [flat, g.constant(f32([table.dim, table.count], tableT), 'pictures')]);
  return g.op('Softmax', [g.op('Sub', [dots, g.constant(f32([table.count], halfNorms), 'picture_half_norms')])], { axis: -1 });
}

/** `pixel_values` [B,3,64,64] in [0,1] → `image_embeds` [B,11] (attribute probabilities). */
export function buildToyClipImageEncoderOnnx(family: ToyFamily): Uint8Array {
  const g = new OnnxGraphBuilder({ opset: OPSET, graphName: 'toy_clip_image_encoder', docString: 'toy-shapes-clip image encoder: attribute probabilities from a posterior over the training pictures' });
  const w = picturePosteriorGraph(g, family);
  const embeds = g.op('MatMul', [w, g.constant(f32([family.items.length, CLIP_EMBED_SIZE], pictureAttributes(family)), 'picture_attributes')]);
  g.output(embeds, 'image_embeds', 'float32', ['batch', CLIP_EMBED_SIZE]);
  return g.toBytes();
}

/** `pixel_values` [B,3,64,64] in [0,1] → `features` [B,16] (expected image embedding). */
export function buildToyFeatureExtractorOnnx(family: ToyFamily): Uint8Array {
  const g = new OnnxGraphBuilder({ opset: OPSET, graphName: 'toy_feature_extractor', docString: 'toy-shapes-clip feature extractor for FID: expected image embedding under a posterior over the training pictures' });
  const w = picturePosteriorGraph(g, family);
  const { points, count, dim } = family.imageEmbeddings;
  const features = g.op('MatMul', [w, g.constant(f32([count, dim], points), 'picture_embeddings')]);
  g.output(features, 'features', 'float32', ['batch', dim]);
  return g.toBytes();
}

/** Per-attribute group size and the group matrix [11, 3]. */
function groupTables(): { groupOf: Float32Array; invSize: Float32Array } {
  const groupOf = new Float32Array(CLIP_EMBED_SIZE * ATTRIBUTE_GROUPS.length);
  const invSize = new Float32Array(CLIP_EMBED_SIZE);
  ATTRIBUTE_GROUPS.forEach(([start, length], gi) => {
    for (let k = start; k < start + length; k++) {
      groupOf[k * ATTRIBUTE_GROUPS.length + gi] = 1;
      invSize[k] = 1 / length;
    }
  });
  return { groupOf, invSize };
}

/** Text embedding of attribute counts [11] (float64 reference of the ONNX text encoder). */
export function toyClipTextReference(counts: ArrayLike<number>): Float64Array {
  const out = new Float64Array(CLIP_EMBED_SIZE);
  for (const [start, length] of ATTRIBUTE_GROUPS) {
    let sum = 0;
    for (let k = start; k < start + length; k++) sum += counts[k];
    for (let k = start; k < start + length; k++) out[k] = (counts[k] + TEXT_GROUP_EPS / length) / (sum + TEXT_GROUP_EPS);
  }
  return out;
}

/** `input_ids` int32 [B,77] → `text_embeds` [B,11]: named attributes, normalised per group. */
export function buildToyClipTextEncoderOnnx(embeddingTable: Float32Array): Uint8Array {
  const vocab = embeddingTable.length / HIDDEN_SIZE;
  const table = new Float32Array(vocab * CLIP_EMBED_SIZE);
  for (let v = 0; v < vocab; v++) for (let k = 0; k < CLIP_EMBED_SIZE; k++) table[v * CLIP_EMBED_SIZE + k] = embeddingTable[v * HIDDEN_SIZE + k];
  const g = new OnnxGraphBuilder({ opset: OPSET, graphName: 'toy_clip_text_encoder', docString: 'toy-shapes-clip text encoder: the attributes the prompt names, a distribution per group' });
  const ids = g.input('input_ids', 'int32', ['batch', MAX_LENGTH]);
  const tokens = g.op('Gather', [g.constant(f32([vocab, CLIP_EMBED_SIZE], table), 'word_attributes'), ids], { axis: 0 });
  const counts = g.op('ReduceSum', [tokens, g.constant(i64([1]), 'axis_tokens')], { keepdims: 0 });
  const { groupOf, invSize } = groupTables();
  const groups = ATTRIBUTE_GROUPS.length;
  const perGroup = g.op('MatMul', [counts, g.constant(f32([CLIP_EMBED_SIZE, groups], groupOf), 'group_of')]);
  const groupSum = g.op('MatMul', [perGroup, g.constant(f32([groups, CLIP_EMBED_SIZE], transpose(groupOf, CLIP_EMBED_SIZE, groups)), 'group_back')]);
  const num = g.op('Add', [counts, g.constant(f32([CLIP_EMBED_SIZE], invSize.map((v) => v * TEXT_GROUP_EPS)), 'uniform_eps')]);
  const den = g.op('Add', [groupSum, g.constant(f32([], [TEXT_GROUP_EPS]), 'eps')]);
  g.output(g.op('Div', [num, den]), 'text_embeds', 'float32', ['batch', CLIP_EMBED_SIZE]);
  return g.toBytes();
}

/** Class index of each training picture. */
export function pictureClasses(family: ToyFamily): number[] {
  return family.items.map((it) => TOY_CLASSES.indexOf(`${it.colour} ${it.shape}`));
}

/**
 * Noisy-latent classifier: `sample` [B,4,16,16] (x_t in the DDPM parametrisation, what the UNet
 * takes), `timestep` [1] or [B] (float, as the UNet), `class_labels` int64 [1] or [B] →
 * `grad_log_prob` [B,4,16,16] = ∇_x log p(y | x_t) and `log_prob` [B] = log p(y | x_t).
 *
 * With c = 1/√ᾱ_t = √(1+σ²) and the unconditional posterior p(n | x_t) ∝ exp(−‖c·x_t − y_n‖²/2σ²)
 * over the training latents, p(y | x_t) = Σ_{n ∈ y} p(n | x_t), and
 *     ∇_x log p(y | x_t) = (c/σ²) · (E[y_n | x_t, y] − E[y_n | x_t]),
 * the difference of the class-conditional and unconditional posterior means, scaled.
 */
export function buildToyClassifierOnnx(family: ToyFamily): Uint8Array {
  const set = family.latents;
  const sampleDims = ['batch', ...latentShape(IMAGE_SIZE)] as const;
  const g = new OnnxGraphBuilder({ opset: OPSET, graphName: 'toy_latent_classifier', docString: 'toy-shapes noisy-latent classifier: exact class posterior "<colour> <shape>" and its gradient' });
  const sample = g.input('sample', 'float32', [...sampleDims]);
  const timestep = g.input('timestep', 'float32', ['timestep_batch']);
  const labels = g.input('class_labels', 'int64', ['label_batch']);

  // σ(t) exactly as the toy denoisers interpolate it (log σ linear between table entries).
  const t = g.op('Clip', [
    g.op('Reshape', [timestep, g.constant(i64([-1, 1]), 'shape_col')]),
    g.constant(f32([], [0]), 't_min'),
    g.constant(f32([], [TRAIN_TIMESTEPS - 1]), 't_max'),
  ]);
  const lo = g.op('Floor', [t]);
  const hi = g.op('Min', [g.op('Add', [lo, g.constant(f32([], [1]), 'one')]), g.constant(f32([], [TRAIN_TIMESTEPS - 1]), 't_last')]);
  const table = g.constant(f32([TRAIN_TIMESTEPS], logSigmaTable()), 'log_sigma_table');
  const logLo = g.op('Gather', [table, g.op('Cast', [lo], { to: 7 })], { axis: 0 });
  const logHi = g.op('Gather', [table, g.op('Cast', [hi], { to: 7 })], { axis: 0 });
  const logSigma = g.op('Add', [logLo, g.op('Mul', [g.op('Sub', [t, lo]), g.op('Sub', [logHi, logLo])])]);
  const sigma = g.op('Exp', [logSigma]);
  const invVar = g.op('Exp', [g.op('Mul', [logSigma, g.constant(f32([], [-2]), 'minus_two')])]);
  const c = g.op('Sqrt', [g.op('Add', [g.op('Mul', [sigma, sigma]), g.constant(f32([], [1]), 'one_b')])]);

  const flat = g.op('Reshape', [sample, g.constant(i64([0, -1]), 'shape_flat')]);
  const scaled = g.op('Mul', [flat, c]);
  const points = g.constant(f32([set.count, set.dim], set.points), 'training_points');
  const halfNorms = g.constant(f32([set.count], squaredNorms(set).map((v) => v / 2)), 'half_norms');
  const fit = g.op('Mul', [g.op('Sub', [g.op('Gemm', [scaled, points], { transB: 1 }), halfNorms]), invVar]);
  const classes = pictureClasses(family);
  const bias = new Float32Array(TOY_CLASSES.length * set.count);
  for (let y = 0; y < TOY_CLASSES.length; y++) for (let n = 0; n < set.count; n++) bias[y * set.count + n] = classes[n] === y ? 0 : -1e30;
  const classBias = g.op('Gather', [g.constant(f32([TOY_CLASSES.length, set.count], bias), 'class_mask'), labels], { axis: 0 });
  const inClass = g.op('Add', [fit, classBias]);
  const p = g.op('Softmax', [fit], { axis: -1 });
  const q = g.op('Softmax', [inClass], { axis: -1 });
  const meanDiff = g.op('MatMul', [g.op('Sub', [q, p]), points]);
  const grad = g.op('Mul', [meanDiff, g.op('Mul', [c, invVar])]);
  g.output(g.op('Reshape', [grad, g.op('Shape', [sample])]), 'grad_log_prob', 'float32', [...sampleDims]);
  // Opset 17: ReduceLogSumExp takes its axes as an attribute.
  const logProb = g.op('Sub', [g.op('ReduceLogSumExp', [inClass], { axes: [1], keepdims: 0 }), g.op('ReduceLogSumExp', [fit], { axes: [1], keepdims: 0 })]);
  g.output(logProb, 'log_prob', 'float32', ['batch']);
  return g.toBytes();
}
