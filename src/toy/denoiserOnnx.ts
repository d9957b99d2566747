/**
 * ONNX export of the exact posterior denoisers (see posterior.ts for the math). Every toy
 * denoiser — the text-to-image UNet, the cascade's prior, decoder and super-resolution UNets —
 * is the same graph with a different training set and a different "prior" term (the log weight
 * each training point gets from the conditioning inputs).
 *
 * I/O follows Stable Diffusion UNet exports: `sample` [B,C,H,W], `timestep` (float, [1] or [B];
 * fractional values are interpolated in log σ), `encoder_hidden_states` [B,77,D] → `out_sample`
 * (ε prediction, same shape as `sample`).
 */
import { Tensor } from '../tensor/tensor.ts';
import { OnnxGraphBuilder } from '../onnx/builder.ts';
import type { OnnxDim } from '../onnx/onnxTypes.ts';
import { logSigmaTable, TRAIN_TIMESTEPS } from './noiseSchedule.ts';
import { squaredNorms, type TrainingSet } from './posterior.ts';

export const OPSET = 17;

function f32(shape: readonly number[], data: ArrayLike<number>): Tensor<'float32'> {
  return Tensor.float32(shape, Float32Array.from(data));
}

function i64(values: readonly number[]): Tensor<'int64'> {
  return new Tensor('int64', [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
}

/** Transposes a row-major [rows, cols] matrix. */
export function transpose(m: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}

export interface DenoiserSpec {
  set: TrainingSet;
  /** Shape of `sample` after the batch axis, e.g. [4, 16, 16]; its product must equal set.dim. */
  sampleShape: readonly number[];
  textHiddenSize: number;
  /** Adds the conditioning inputs and returns the value name of the prior logits [B, N]. */
  prior(g: OnnxGraphBuilder, hiddenStates: string): string;
  docString: string;
}

/** The text term shared by all toy denoisers: strength · Σ_l h_l · attributesᵀ. */
export function textPriorTerm(g: OnnxGraphBuilder, hiddenStates: string, attributes: Float32Array, hidden: number, count: number, strength: number): string {
  const pooled = g.op('ReduceSum', [hiddenStates, g.constant(i64([1]), 'axis_tokens')], { keepdims: 0 });
  const weights = transpose(attributes, count, hidden).map((v) => v * strength);
  return g.op('MatMul', [pooled, g.constant(f32([hidden, count], weights), 'text_attributes')]);
}

/**
 * The Gaussian-kernel term log N(c; c_n, width²) for a conditioning vector c [B, dim] against
 * per-training-point vectors c_n, up to a constant per row: (c·c_n − ‖c_n‖²/2) / width².
 */
export function kernelPriorTerm(g: OnnxGraphBuilder, cond: string, table: TrainingSet, width: number, prefix: string): string {
  const inv = 1 / (width * width);
  const tableT = transpose(table.points, table.count, table.dim).map((v) => v * inv);
  const halfNorms = squaredNorms(table).map((v) => (v / 2) * inv);
  const dots = g.op('MatMul', [cond, g.constant(f32([table.dim, table.count], tableT), `${prefix}_table`)]);
  return g.op('Sub', [dots, g.constant(f32([table.count], halfNorms), `${prefix}_half_norms`)]);
}

export function buildDenoiserOnnx(spec: DenoiserSpec): Uint8Array {
  const { set } = spec;
  const size = spec.sampleShape.reduce((a, b) => a * b, 1);
  if (size !== set.dim) throw new Error(`toy denoiser: sample shape [${spec.sampleShape}] has ${size} values, training points have ${set.dim}`);
  const g = new OnnxGraphBuilder({ opset: OPSET, graphName: 'toy_posterior_denoiser', docString: spec.docString });
  const sampleDims: OnnxDim[] = ['batch', ...spec.sampleShape];
  const sample = g.input('sample', 'float32', sampleDims);
  const timestep = g.input('timestep', 'float32', ['timestep_batch']);
  const hidden = g.input('encoder_hidden_states', 'float32', ['batch', 'sequence', spec.textHiddenSize]);
  const priorLogits = spec.prior(g, hidden);

  // σ(t): log σ linearly interpolated in the training table, t clamped to [0, 999].
  const t = g.op('Clip', [
    g.op('Reshape', [timestep, g.constant(i64([-1, 1]), 'shape_col')]),
    g.constant(f32([], [0]), 't_min'),
    g.constant(f32([], [TRAIN_TIMESTEPS - 1]), 't_max'),
  ]);
  const lo = g.op('Floor', [t]);
  const hi = g.op('Min', [g.op('Add', [lo, g.constant(f32([], [1]), 'one')]), g.constant(f32([], [TRAIN_TIMESTEPS - 1]), 't_last')]);
  const frac = g.op('Sub', [t, lo]);
  const table = g.constant(f32([TRAIN_TIMESTEPS], logSigmaTable()), 'log_sigma_table');
  const logLo = g.op('Gather', [table, g.op('Cast', [lo], { to: 7 })], { axis: 0 });
  const logHi = g.op('Gather', [table, g.op('Cast', [hi], { to: 7 })], { axis: 0 });
  const logSigma = g.op('Add', [logLo, g.op('Mul', [frac, g.op('Sub', [logHi, logLo])])]); // [T,1]
  const sigma = g.op('Exp', [logSigma]);
  const invVar = g.op('Exp', [g.op('Mul', [logSigma, g.constant(f32([], [-2]), 'minus_two')])]);
  const inputScale = g.op('Sqrt', [g.op('Add', [g.op('Mul', [sigma, sigma]), g.constant(f32([], [1]), 'one_b')])]);

  // Posterior over training points and the ε it implies, on x/a = x·√(1+σ²).
  const flat = g.op('Reshape', [sample, g.constant(i64([0, -1]), 'shape_flat')]);
  const scaled = g.op('Mul', [flat, inputScale]);
  const points = g.constant(f32([set.count, set.dim], set.points), 'training_points');
  const halfNorms = g.constant(f32([set.count], squaredNorms(set).map((v) => v / 2)), 'half_norms');
  // Gemm with transB reads the same stored points as the final MatMul: one copy of the weights.
  const dots = g.op('Gemm', [scaled, points], { transB: 1 });
  const fit = g.op('Mul', [g.op('Sub', [dots, halfNorms]), invVar]);
  const weights = g.op('Softmax', [g.op('Add', [fit, priorLogits])], { axis: -1 });
  const x0 = g.op('MatMul', [weights, points]);
  const eps = g.op('Div', [g.op('Sub', [scaled, x0]), sigma]);
  const out = g.op('Reshape', [eps, g.op('Shape', [sample])]);
  g.output(out, 'out_sample', 'float32', sampleDims);
  return g.toBytes();
}
