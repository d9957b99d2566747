/**
 * EulerDiscreteScheduler and EulerAncestralDiscreteScheduler (Karras et al. 2022, Algorithm 2 /
 * k-diffusion's sample_euler_ancestral), diffusers-compatible.
 */
import type { TensorLike } from '../../tensor/tensor.ts';
import { f32 } from '../schedules.ts';
import { kernels } from '../kernels/index.ts';
import { checkSameShape, drawNoise, type StepOptions, type StepResult } from './base.ts';
import type { AnyFloatTensor, TensorDevice } from '../../tensor/resident.ts';
import { deviceNoise, sigmaPredictionScalars, type DeviceStepResult } from './onDevice.ts';
import type { SchedulerConfig } from './config.ts';
import { sigmaPredictX0 } from './predictOriginal.ts';
import { SigmaSchedulerBase } from './sigmaBase.ts';

/** One Euler move from sigma by dt; ancestral steps add `noise * sigmaUp` (noise null: none). */
interface EulerMove {
  sigma: number;
  dt: number;
  noise: Float32Array | null;
  sigmaUp: number;
}

/**
 * x + (x - x0) / sigma * dt into `out`, plus noise * sigmaUp when ancestral noise is given (then
 * the Euler part is rounded to float32 first, as torch stores it).
 */
function eulerUpdate(s: Float32Array, x0: Float32Array, move: EulerMove, out: Float32Array): void {
  const { sigma, dt, noise, sigmaUp } = move;
  const n = out.length;
  if (noise === null) {
    for (let i = 0; i < n; i++) out[i] = s[i] + f32(f32(f32(s[i] - x0[i]) / sigma) * dt);
  } else {
    for (let i = 0; i < n; i++) out[i] = f32(s[i] + f32(f32(f32(s[i] - x0[i]) / sigma) * dt)) + f32(noise[i] * sigmaUp);
  }
}

/** x0 and the next sample of an Euler (ancestral when the move has noise) step. */
function eulerStep(
  predictionType: string,
  who: string,
  m: Float32Array,
  s: Float32Array,
  move: EulerMove,
): { out: Float32Array; x0: Float32Array } {
  if (predictionType === 'epsilon') {
    // The hot path: x0 = x - sigma * eps and the update in one pass (wasm SIMD or JS kernel).
    const { sigma, dt, noise, sigmaUp } = move;
    return noise === null
      ? kernels().eulerEpsilon(m, s, sigma, dt)
      : kernels().eulerAncestralEpsilon(m, s, noise, sigma, dt, sigmaUp);
  }
  const out = new Float32Array(s.length);
  const x0 = sigmaPredictX0(predictionType, m, s, move.sigma, who, move.noise === null);
  eulerUpdate(s, x0, move, out);
  return { out, x0 };
}

/**
 * An Euler (ancestral when `noise` is among the tensors and `sigmaUp` given) step on a device: the
 * same float32 operations as eulerStep, x0 from an epsilon or a v-prediction.
 */
function deviceEulerStep(
  device: TensorDevice,
  prediction: 'epsilon' | 'v_prediction',
  tensors: AnyFloatTensor[],
  sigma: number,
  dt: number,
  sigmaUp?: number,
): Promise<DeviceStepResult> {
  const ancestral = sigmaUp !== undefined;
  const noiseScale = ancestral ? [sigmaUp] : [];
  const p = prediction === 'epsilon' ? 'epsilon' : 'v';
  return device
    .run(ancestral ? `euler-ancestral-${p}` : `euler-${p}`, tensors, [...sigmaPredictionScalars(p, sigma), sigma, dt, ...noiseScale])
    .then(([prevSample, predOriginalSample]) => ({ prevSample, predOriginalSample }));
}

export class EulerDiscreteScheduler extends SigmaSchedulerBase {
  constructor(config: SchedulerConfig) {
    super('EulerDiscreteScheduler', config);
  }

  setTimesteps(numInferenceSteps: number): void {
    this.buildSigmaSchedule(numInferenceSteps, this.config.final_sigmas_type);
    if (this.config.timestep_type === 'continuous' && this.config.prediction_type === 'v_prediction') {
      // diffusers: the model takes 0.25 * log(sigma) (EDM-style conditioning) as its timestep.
      const sigmas = this.sigmas as Float32Array;
      this.timesteps = Array.from(sigmas.subarray(0, sigmas.length - 1), (s) => f32(0.25 * f32(Math.log(s))));
    }
  }

  /** One Euler step of the probability-flow ODE (s_churn = 0, so the generator is not needed). */
  step(
    modelOutput: TensorLike<'float32'>,
    timestep: number,
    sample: TensorLike<'float32'>,
    _options?: StepOptions,
  ): StepResult {
    const { m, s } = this.stepInputs(modelOutput, sample);
    const index = this.ensureStepIndex(timestep);
    const sigma = this.sigmaAt(index);
    const sigmaNext = this.sigmaAt(index + 1);
    const dt = f32(sigmaNext - sigma);
    const { out, x0 } = eulerStep(this.config.prediction_type, this.name, m, s, { sigma, dt, noise: null, sigmaUp: 0 });
    return this.finishStep(index, sample.shape, out, x0);
  }

  /** The epsilon and v-prediction steps on a device (prediction type "sample" steps on the host). */
  stepOnDevice(device: TensorDevice, modelOutput: AnyFloatTensor, timestep: number, sample: AnyFloatTensor): Promise<DeviceStepResult> | undefined {
    const prediction = this.config.prediction_type;
    if (prediction !== 'epsilon' && prediction !== 'v_prediction') return undefined;
    checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    const index = this.ensureStepIndex(timestep);
    const sigma = this.sigmaAt(index);
    const dt = f32(this.sigmaAt(index + 1) - sigma);
    this.state.stepIndex = index + 1;
    return deviceEulerStep(device, prediction, [modelOutput, sample], sigma, dt);
  }
}

export class EulerAncestralDiscreteScheduler extends SigmaSchedulerBase {
  constructor(config: SchedulerConfig) {
    super('EulerAncestralDiscreteScheduler', config);
  }

  setTimesteps(numInferenceSteps: number): void {
    this.buildSigmaSchedule(numInferenceSteps, 'zero');
  }

  /** Euler step down to sigma_down, then fresh noise scaled by sigma_up (drawn every step). */
  step(
    modelOutput: TensorLike<'float32'>,
    timestep: number,
    sample: TensorLike<'float32'>,
    options?: StepOptions,
  ): StepResult {
    const { who, m, s } = this.stepInputs(modelOutput, sample);
    if (this.config.prediction_type === 'sample') {
      throw new Error(`${who}: prediction_type "sample" is not implemented for EulerAncestralDiscreteScheduler (as in diffusers)`);
    }
    const index = this.ensureStepIndex(timestep);
    const { sigma, dt, sigmaUp } = this.ancestralMove(index);
    const noise = drawNoise(options, sample.shape, who);
    const { out, x0 } = eulerStep(this.config.prediction_type, this.name, m, s, { sigma, dt, noise, sigmaUp });
    return this.finishStep(index, sample.shape, out, x0);
  }

  /** Euler down to sigma_down from position `index`, then noise × sigma_up. */
  private ancestralMove(index: number): { sigma: number; dt: number; sigmaUp: number } {
    const sigma = this.sigmaAt(index);
    const sigmaTo = this.sigmaAt(index + 1);
    const toSq = f32(sigmaTo * sigmaTo);
    const fromSq = f32(sigma * sigma);
    const sigmaUp = f32(Math.sqrt(f32(f32(toSq * f32(fromSq - toSq)) / fromSq)));
    const sigmaDown = f32(Math.sqrt(f32(toSq - f32(sigmaUp * sigmaUp))));
    return { sigma, dt: f32(sigmaDown - sigma), sigmaUp };
  }

  /** The epsilon and v-prediction steps on a device; the noise is drawn on the host (the generator's stream) and uploaded. */
  stepOnDevice(device: TensorDevice, modelOutput: AnyFloatTensor, timestep: number, sample: AnyFloatTensor, options?: StepOptions): Promise<DeviceStepResult> | undefined {
    const prediction = this.config.prediction_type;
    if (prediction !== 'epsilon' && prediction !== 'v_prediction') return undefined;
    checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    const index = this.ensureStepIndex(timestep);
    const { sigma, dt, sigmaUp } = this.ancestralMove(index);
    const noise = deviceNoise(options, sample.shape, `${this.name}.step`);
    this.state.stepIndex = index + 1;
    return deviceEulerStep(device, prediction, [modelOutput, sample, noise], sigma, dt, sigmaUp);
  }
}
