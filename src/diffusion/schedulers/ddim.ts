/**
 * DDIMScheduler (Song et al. 2020), diffusers-compatible: deterministic for eta = 0, stochastic
 * with a generator for eta > 0; clip_sample, thresholding and set_alpha_to_one as in diffusers.
 */
import type { TensorLike } from '../../tensor/tensor.ts';
import { f32 } from '../schedules.ts';
import { SchedulerBase, checkSameShape, drawNoise, stepResult, type StepOptions, type StepResult } from './base.ts';
import type { AnyFloatTensor, TensorDevice } from '../../tensor/resident.ts';
import { deviceNoise, devicePrediction, thresholdedX0OnDevice, type DeviceStepResult } from './onDevice.ts';
import type { SchedulerConfig } from './config.ts';
import { alphaPredictions, alphaSigma, linearCombination } from './predictOriginal.ts';
import { kernels } from '../kernels/index.ts';

export class DDIMScheduler extends SchedulerBase {
  /** alphas_cumprod used past the last step: 1 with set_alpha_to_one, else alphas_cumprod[0]. */
  readonly finalAlphaCumprod: number;

  constructor(config: SchedulerConfig) {
    super('DDIMScheduler', config);
    this.finalAlphaCumprod = config.set_alpha_to_one ? 1 : this.alphasCumprod[0];
  }

  setTimesteps(numInferenceSteps: number): void {
    this.setSpacedTimesteps(numInferenceSteps);
  }

  /** t minus the stride num_train_timesteps // num_inference_steps, as diffusers' DDIM does. */
  previousTimestep(t: number): number {
    this.requireTimesteps('step');
    return t - Math.floor(this.config.num_train_timesteps / (this.numInferenceSteps as number));
  }

  /** sigma_t^2 / eta^2 of DDIM's equation (16). */
  getVariance(t: number, prevT: number): number {
    const apt = this.alphaProdAt(t, 'getVariance');
    const aptPrev = prevT >= 0 ? this.alphaProdAt(prevT, 'getVariance') : this.finalAlphaCumprod;
    const bpt = f32(1 - apt);
    const bptPrev = f32(1 - aptPrev);
    return f32(f32(bptPrev / bpt) * f32(1 - f32(apt / aptPrev)));
  }

  step(
    modelOutput: TensorLike<'float32'>,
    timestep: number,
    sample: TensorLike<'float32'>,
    options?: StepOptions,
  ): StepResult {
    const { who, m, s } = this.stepInputs(modelOutput, sample);
    const eta = options?.eta ?? 0;
    if (!Number.isFinite(eta) || eta < 0) throw new Error(`${who}: eta must be a number >= 0, got ${eta}`);
    const { apt, stdDev, dirCoeff, x0Coeff } = this.stepCoefficients(timestep, eta);
    let out: Float32Array;
    let x0: Float32Array;
    const c = this.config;
    if (this.hasFusedEpsilonStep()) {
      // Fused fast path (one pass, wasm SIMD or JS kernel): the same float32 ops as the general path.
      const [sa, sb] = alphaSigma(apt);
      ({ out, x0 } = kernels().ddimEpsilon(m, s, sa, sb, x0Coeff, dirCoeff));
    } else {
      const pred = alphaPredictions(c.prediction_type, m, s, apt, who, true);
      x0 = this.clipOrThreshold(pred.x0, sample.shape);
      out = linearCombination(x0Coeff, x0, dirCoeff, pred.eps as Float32Array);
    }
    if (eta > 0) out = kernels().addScaled(out, drawNoise(options, sample.shape, who), stdDev);
    return stepResult(sample.shape, out, x0);
  }

  /** ᾱ_t, the noise's std (DDIM's σ_t) and the x0 and direction coefficients of the step from `timestep`. */
  private stepCoefficients(timestep: number, eta: number) {
    const prevT = this.previousTimestep(timestep);
    const apt = this.alphaProdAt(timestep, 'step');
    const aptPrev = prevT >= 0 ? this.alphaProdAt(prevT, 'step') : this.finalAlphaCumprod;
    const variance = this.getVariance(timestep, prevT);
    const stdDev = f32(f32(eta) * f32(Math.sqrt(variance)));
    const dirCoeff = f32(Math.sqrt(f32(f32(1 - aptPrev) - f32(stdDev * stdDev))));
    const x0Coeff = f32(Math.sqrt(aptPrev));
    return { apt, stdDev, dirCoeff, x0Coeff };
  }

  private hasFusedEpsilonStep(): boolean {
    const c = this.config;
    return c.prediction_type === 'epsilon' && !c.clip_sample && !c.thresholding;
  }

  /**
   * The epsilon (the fused kernel's operations) and v-prediction steps on a device, clipped
   * (clip_sample), thresholded or neither; with eta > 0 the noise is drawn on the host (the
   * carried generator's stream) and uploaded. DDIM keeps no state.
   */
  stepOnDevice(device: TensorDevice, modelOutput: AnyFloatTensor, timestep: number, sample: AnyFloatTensor, options?: StepOptions): Promise<DeviceStepResult> | undefined {
    const eta = options?.eta ?? 0;
    const c = this.config;
    const prediction = devicePrediction(c.prediction_type);
    // A bad eta steps on the host, which says what is wrong with it.
    if (!prediction || !Number.isFinite(eta) || eta < 0) return undefined;
    checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    const { apt, stdDev, dirCoeff, x0Coeff } = this.stepCoefficients(timestep, eta);
    if (c.thresholding) {
      const noise = eta > 0 ? deviceNoise(options, sample.shape, `${this.name}.step`) : undefined;
      const ab = alphaSigma(apt);
      return thresholdedX0OnDevice(device, prediction, modelOutput, sample, ab, c).then(async (x0) => {
        const scalars = [...ab, x0Coeff, dirCoeff];
        const [prevSample] = noise
          ? await device.run(`ddim-${prediction}-from-x0-noise`, [x0, modelOutput, sample, noise], [...scalars, stdDev])
          : await device.run(`ddim-${prediction}-from-x0`, [x0, modelOutput, sample], scalars);
        return { prevSample, predOriginalSample: x0 };
      });
    }
    const clip = c.clip_sample ? [f32(-c.clip_sample_range), f32(c.clip_sample_range)] : [];
    const scalars = [...alphaSigma(apt), x0Coeff, dirCoeff, ...clip];
    const op = `ddim-${prediction}${c.clip_sample ? '-clip' : ''}` as const;
    const run =
      eta > 0
        ? device.run(`${op}-noise`, [modelOutput, sample, deviceNoise(options, sample.shape, `${this.name}.step`)], [...scalars, stdDev])
        : device.run(op, [modelOutput, sample], scalars);
    return run.then(([prevSample, predOriginalSample]) => ({ prevSample, predOriginalSample }));
  }
}
