/**
 * What a scheduler offers for resident tensors (src/tensor/resident.ts): its scale and step on
 * the device the tensors live on (WebGPU), as element-wise device ops with its own coefficients.
 */
import { Tensor, shapeSize } from '../../tensor/tensor.ts';
import { f32 } from '../schedules.ts';
import { isResident, type AnyFloatTensor, type ResidentTensor, type TensorDevice } from '../../tensor/resident.ts';
import { drawNoise, type StepOptions } from './base.ts';
import { sigmaVScalings } from './predictOriginal.ts';

/**
 * The device ops' name for a prediction type (`epsilon` or `v`, as in `lms-v-4`); undefined for
 * the types no device op covers (sample), so the step runs on the host.
 */
export function devicePrediction(predictionType: string): 'epsilon' | 'v' | undefined {
  return predictionType === 'epsilon' ? 'epsilon' : predictionType === 'v_prediction' ? 'v' : undefined;
}

/**
 * The leading scalars of a sigma scheduler's device op at `sigma` (Euler, LMS, Heun): x0's v
 * scalings [cOut, σ² + 1] on a v-prediction, none for epsilon.
 */
export function sigmaPredictionScalars(prediction: 'epsilon' | 'v', sigma: number): number[] {
  if (prediction === 'epsilon') return [];
  const { cOut, sq1 } = sigmaVScalings(sigma);
  return [cOut, sq1];
}

/** A step input as a scheduler state keeps it: a resident as it is (a value), a host tensor's values copied (the caller may reuse its buffer). */
export function ownValue(x: AnyFloatTensor): Float32Array | ResidentTensor {
  return isResident(x) ? x : (x as Tensor<'float32'>).data.slice();
}

/** A state value as a device op input: resident as it is, a host array (left by a host step) as a tensor of `shape` to upload. */
export function deviceInput(shape: readonly number[], value: Float32Array | ResidentTensor): Tensor<'float32'> | ResidentTensor {
  return value instanceof Float32Array ? new Tensor('float32', shape, value) : value;
}

/** A stochastic device step's noise: drawn on the host from the options' generator (its stream, so seeds agree), to upload. */
export function deviceNoise(options: StepOptions | undefined, shape: readonly number[], who: string): Tensor<'float32'> {
  return new Tensor('float32', shape, drawNoise(options, shape, who));
}

/**
 * Dynamic thresholding of the resident x0 `x` on its device, as thresholdSample does it on the
 * host (the quantile's order statistics, weight and lerp formula worked out here from the shape);
 * `x` is disposed, the thresholded x0 returned.
 */
export async function thresholdOnDevice(device: TensorDevice, x: ResidentTensor, ratio: number, maxValue: number): Promise<ResidentTensor> {
  const batch = x.shape[0] ?? 1;
  const per = shapeSize(x.shape) / batch;
  const rank = f32(f32(ratio) * (per - 1));
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  const weight = f32(rank - below);
  const k = per - below;
  const [out] = await device.run('dynamic-threshold', [x], [k, k - 1, k - 1 - (above - below), weight, f32(1 - weight), weight < 0.5 ? 1 : 0, f32(maxValue)]);
  x.dispose();
  return out;
}

/**
 * The thresholded x0 of a thresholding config's step on a device: x0 from the model output with
 * the step's √ᾱ, √(1 − ᾱ) (or DPM-Solver's alpha_t, sigma_t) in `alphaSigma`, then thresholded.
 */
export async function thresholdedX0OnDevice(
  device: TensorDevice,
  prediction: 'epsilon' | 'v',
  modelOutput: AnyFloatTensor,
  sample: AnyFloatTensor,
  alphaSigma: readonly number[],
  config: { dynamic_thresholding_ratio: number; sample_max_value: number },
): Promise<ResidentTensor> {
  const [raw] = await device.run(`x0-${prediction}`, [modelOutput, sample], alphaSigma);
  return thresholdOnDevice(device, raw, config.dynamic_thresholding_ratio, config.sample_max_value);
}

/**
 * Whether `modelOutput` is a learned-variance output for `sample`: the same shape with twice the
 * channels (dim 1), the prediction's channels first.
 */
export function isLearnedVarianceOutput(modelOutput: AnyFloatTensor, sample: AnyFloatTensor): boolean {
  const [m, s] = [modelOutput.shape, sample.shape];
  return m.length === s.length && s.length >= 2 && m[1] === 2 * s[1] && m.every((d, i) => i === 1 || d === s[i]);
}

/**
 * A learned-variance step on a device: the model output's two halves of channels split, `mean`
 * makes the step's posterior mean and x0 from the prediction half, then (with noise) mean +
 * std·noise, std = exp(0.5·log-variance) interpolated between `range`'s logs (learned_range) or
 * sqrt of the variance half (learned, no range). The intermediates are disposed.
 */
export async function learnedVarianceStepOnDevice(
  device: TensorDevice,
  modelOutput: AnyFloatTensor,
  mean: (prediction: ResidentTensor) => Promise<DeviceStepResult>,
  noise: Tensor<'float32'> | undefined,
  range?: { maxLog: number; minLog: number },
): Promise<DeviceStepResult> {
  const [m, pv] = await device.run('split-channels', [modelOutput]);
  const { prevSample: posterior, predOriginalSample } = await mean(m);
  m.dispose();
  if (!noise) {
    pv.dispose();
    return { prevSample: posterior, predOriginalSample };
  }
  const [prevSample] = range
    ? await device.run('learned-range-noise', [posterior, pv, noise], [range.maxLog, range.minLog])
    : await device.run('learned-noise', [posterior, pv, noise]);
  posterior.dispose();
  pv.dispose();
  return { prevSample, predOriginalSample };
}

/** A step's result on a device (resident tensors); see DeviceSteps.stepOnDevice. */
export interface DeviceStepResult {
  prevSample: ResidentTensor;
  predOriginalSample?: ResidentTensor;
}

export interface DeviceSteps {
  /**
   * scaleModelInputAt on `device`, without reading or changing the state; a scheduler that does
   * not scale returns the sample itself.
   */
  scaleModelInputAtOnDevice(device: TensorDevice, sample: AnyFloatTensor, index: number): Promise<AnyFloatTensor>;
  /**
   * `step` on `device`, advancing the state as `step` does; undefined (nothing changed) where this
   * scheduler or its config has no device path, so the caller steps on the host instead.
   */
  stepOnDevice?(device: TensorDevice, modelOutput: AnyFloatTensor, timestep: number, sample: AnyFloatTensor, options?: StepOptions): Promise<DeviceStepResult> | undefined;
}
