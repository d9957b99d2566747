/**
 * DDPMScheduler (Ho et al. 2020), diffusers-compatible: ancestral sampling with the posterior
 * variance (fixed_small, fixed_small_log, fixed_large, fixed_large_log, learned, learned_range).
 */
import type { Tensor, TensorLike } from '../../tensor/tensor.ts';
import type { AnyFloatTensor, ResidentTensor, TensorDevice } from '../../tensor/resident.ts';
import { f32 } from '../schedules.ts';
import { deviceNoise, devicePrediction, isLearnedVarianceOutput, learnedVarianceStepOnDevice, thresholdedX0OnDevice, type DeviceStepResult } from './onDevice.ts';
import { SchedulerBase, checkSameShape, drawNoise, stepResult, type StepOptions, type StepResult } from './base.ts';
import type { SchedulerConfig } from './config.ts';
import { alphaEpsilonScalars, alphaPredictions, alphaSigma, linearCombination } from './predictOriginal.ts';
import { kernels } from '../kernels/index.ts';

/** Split a [B, 2C, …] output into the prediction and the predicted variance (learned types). */
export function splitLearnedVariance(
  m: Float32Array,
  outShape: readonly number[],
  sampleShape: readonly number[],
): { prediction: Float32Array; variance: Float32Array } {
  const batch = sampleShape[0];
  const channels = sampleShape[1];
  const inner = m.length / (batch * channels * 2);
  const prediction = new Float32Array(batch * channels * inner);
  const variance = new Float32Array(batch * channels * inner);
  for (let b = 0; b < batch; b++) {
    const src = b * channels * 2 * inner;
    const dst = b * channels * inner;
    prediction.set(m.subarray(src, src + channels * inner), dst);
    variance.set(m.subarray(src + channels * inner, src + 2 * channels * inner), dst);
  }
  void outShape;
  return { prediction, variance };
}

/**
 * For schedulers that may learn their variance: a model output with twice the sample's channels
 * (and `learned` set) is split into prediction and variance; otherwise it must match the sample.
 */
export function withLearnedVariance(
  modelOutput: TensorLike<'float32'>,
  sample: TensorLike<'float32'>,
  m: Float32Array,
  s: Float32Array,
  learned: boolean,
): { prediction: Float32Array; predictedVariance: Float32Array | null } {
  if (learned && m.length === s.length * 2) {
    const split = splitLearnedVariance(m, modelOutput.shape, sample.shape);
    return { prediction: split.prediction, predictedVariance: split.variance };
  }
  checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
  return { prediction: m, predictedVariance: null };
}

export class DDPMScheduler extends SchedulerBase {
  constructor(config: SchedulerConfig) {
    super('DDPMScheduler', config);
  }

  setTimesteps(numInferenceSteps: number): void {
    this.setSpacedTimesteps(numInferenceSteps);
  }

  /** diffusers' previous_timestep: the next entry of `timesteps`, or t - 1 before setTimesteps. */
  previousTimestep(t: number): number {
    if (this.numInferenceSteps === null) return t - 1;
    const index = this.timesteps.indexOf(t);
    if (index < 0) throw new Error(`${this.name}.step: timestep ${t} is not in this scheduler's timesteps`);
    return index === this.timesteps.length - 1 ? -1 : this.timesteps[index + 1];
  }

  /** Posterior variance at t (before the square root the step applies), per variance_type. */
  getVariance(t: number): number {
    const prevT = this.previousTimestep(t);
    const apt = this.alphaProdAt(t, 'getVariance');
    const aptPrev = prevT >= 0 ? this.alphaProdAt(prevT, 'getVariance') : 1;
    const currentBeta = f32(1 - f32(apt / aptPrev));
    let variance = f32(f32(f32(1 - aptPrev) / f32(1 - apt)) * currentBeta);
    variance = Math.max(variance, f32(1e-20));
    switch (this.config.variance_type) {
      case 'fixed_small':
        return variance;
      case 'fixed_small_log':
        return f32(Math.exp(f32(0.5 * f32(Math.log(variance)))));
      case 'fixed_large':
        return currentBeta;
      case 'fixed_large_log':
        return f32(Math.log(currentBeta));
      default:
        return variance;
    }
  }

  step(
    modelOutput: TensorLike<'float32'>,
    timestep: number,
    sample: TensorLike<'float32'>,
    options?: StepOptions,
  ): StepResult {
    const { who, m: output, s } = this.stepInputs(modelOutput, sample, false);
    const vt = this.config.variance_type ?? 'fixed_small';
    const learned = vt === 'learned' || vt === 'learned_range';
    const { prediction: m, predictedVariance } = withLearnedVariance(modelOutput, sample, output, s, learned);
    const t = timestep;
    const { apt, bpt, bptPrev, currentBeta, c0, cs } = this.stepCoefficients(t);
    const c = this.config;
    let out: Float32Array;
    let x0: Float32Array;
    if (c.prediction_type === 'epsilon' && !c.thresholding && !predictedVariance) {
      // Fused fast path (one pass, wasm SIMD or JS kernel): the same float32 ops as the general path.
      const [sa, sb] = alphaSigma(apt);
      ({ out, x0 } = kernels().ddpmEpsilon(m, s, sa, sb, c.clip_sample ? c.clip_sample_range : Infinity, c0, cs));
    } else {
      const { x0: rawX0 } = alphaPredictions(c.prediction_type, m, s, apt, who, false);
      x0 = this.clipOrThreshold(rawX0, sample.shape);
      out = linearCombination(c0, x0, cs, s);
    }

    if (t > 0) {
      const noise = drawNoise(options, sample.shape, who);
      if (vt === 'learned_range' && predictedVariance) {
        const { minLog, maxLog } = learnedRangeLogs(bpt, bptPrev, currentBeta);
        for (let i = 0; i < out.length; i++) {
          const frac = f32(f32(predictedVariance[i] + 1) / 2);
          const logVar = f32(f32(frac * maxLog) + f32(f32(1 - frac) * minLog));
          out[i] = out[i] + f32(f32(Math.exp(f32(0.5 * logVar))) * noise[i]);
        }
      } else if (vt === 'learned' && predictedVariance) {
        for (let i = 0; i < out.length; i++) out[i] = out[i] + f32(f32(Math.sqrt(predictedVariance[i])) * noise[i]);
      } else {
        const v = this.getVariance(t);
        // A kernel result is a value (the kernels may read it back in place): a new array, not +=.
        out = kernels().addScaled(out, noise, vt === 'fixed_small_log' ? v : f32(Math.sqrt(v)));
      }
    }
    return stepResult(sample.shape, out, x0);
  }

  /** ᾱ_t and the posterior mean's coefficients of the step from `t` (host and device alike). */
  private stepCoefficients(t: number) {
    const prevT = this.previousTimestep(t);
    const apt = this.alphaProdAt(t, 'step');
    const aptPrev = prevT >= 0 ? this.alphaProdAt(prevT, 'step') : 1;
    const bpt = f32(1 - apt);
    const bptPrev = f32(1 - aptPrev);
    const currentAlpha = f32(apt / aptPrev);
    const currentBeta = f32(1 - currentAlpha);
    const c0 = f32(f32(f32(Math.sqrt(aptPrev)) * currentBeta) / bpt);
    const cs = f32(f32(f32(Math.sqrt(currentAlpha)) * bptPrev) / bpt);
    return { apt, bpt, bptPrev, currentBeta, c0, cs };
  }

  /**
   * The epsilon or v-prediction step on a device, clipped, thresholded or neither, with a fixed
   * or a learned variance (the model output's second half of channels; learned_range's Exp is
   * the device's, see docs/numerics.md); the noise is drawn on the host from the carried
   * generator and uploaded.
   */
  stepOnDevice(device: TensorDevice, modelOutput: AnyFloatTensor, timestep: number, sample: AnyFloatTensor, options?: StepOptions): Promise<DeviceStepResult> | undefined {
    const c = this.config;
    const vt = c.variance_type ?? 'fixed_small';
    const prediction = devicePrediction(c.prediction_type);
    if (!prediction) return undefined;
    const learned = vt === 'learned' || vt === 'learned_range';
    // A learned variance the output does not carry steps on the host, which says what is wrong.
    if (learned && !isLearnedVarianceOutput(modelOutput, sample)) return undefined;
    if (!learned) checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    const k = this.stepCoefficients(timestep);
    const noise = timestep > 0 ? deviceNoise(options, sample.shape, `${this.name}.step`) : undefined;
    if (learned) {
      const range = vt === 'learned_range' ? learnedRangeLogs(k.bpt, k.bptPrev, k.currentBeta) : undefined;
      return learnedVarianceStepOnDevice(device, modelOutput, (m) => this.alphaStepOnDevice(device, prediction, m, sample, k), noise, range);
    }
    if (!noise) return this.alphaStepOnDevice(device, prediction, modelOutput, sample, k);
    const variance = this.getVariance(timestep);
    return this.alphaStepOnDevice(device, prediction, modelOutput, sample, k, { noise, scale: vt === 'fixed_small_log' ? variance : f32(Math.sqrt(variance)) });
  }

  /**
   * The posterior mean c0·x0 + cs·s and x0 on a device, x0 clipped or thresholded as configured,
   * plus noise·scale when `fixedNoise` is given (a fixed variance's noise, fused into the op).
   */
  private async alphaStepOnDevice(
    device: TensorDevice,
    prediction: 'epsilon' | 'v',
    m: AnyFloatTensor,
    sample: AnyFloatTensor,
    k: { apt: number; c0: number; cs: number },
    fixedNoise?: { noise: Tensor<'float32'>; scale: number },
  ): Promise<DeviceStepResult & { predOriginalSample: ResidentTensor }> {
    const c = this.config;
    const noisy = fixedNoise ? [fixedNoise.noise] : [];
    const scale = fixedNoise ? [fixedNoise.scale] : [];
    if (c.thresholding) {
      const x0 = await thresholdedX0OnDevice(device, prediction, m, sample, alphaSigma(k.apt), c);
      const [prevSample] = await device.run(fixedNoise ? 'alpha-from-x0-noise' : 'alpha-from-x0', [x0, sample, ...noisy], [k.c0, k.cs, ...scale]);
      return { prevSample, predOriginalSample: x0 };
    }
    const scalars = alphaEpsilonScalars(k.apt, c.clip_sample ? c.clip_sample_range : Infinity, k.c0, k.cs);
    const [prevSample, predOriginalSample] = await device.run(fixedNoise ? `alpha-${prediction}-noise` : `alpha-${prediction}`, [m, sample, ...noisy], [...scalars, ...scale]);
    return { prevSample, predOriginalSample };
  }
}

/** learned_range's log-variance bounds: the posterior variance's log (floored at 1e-20) and β_t's. */
function learnedRangeLogs(bpt: number, bptPrev: number, currentBeta: number): { minLog: number; maxLog: number } {
  return { minLog: f32(Math.log(Math.max(f32(f32(bptPrev / bpt) * currentBeta), f32(1e-20)))), maxLog: f32(Math.log(currentBeta)) };
}
