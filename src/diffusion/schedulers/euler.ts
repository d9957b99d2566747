/**
 * EulerDiscreteScheduler and EulerAncestralDiscreteScheduler (Karras et al. 2022, Algorithm 2 /
 * k-diffusion's sample_euler_ancestral), diffusers-compatible.
 */
import type { TensorLike } from '../../tensor/tensor.ts';
import { f32 } from '../schedules.ts';
import { checkSameShape, drawNoise, floatData, toTensor, type StepOptions, type StepResult } from './base.ts';
import type { SchedulerConfig } from './config.ts';
import { SigmaSchedulerBase } from './sigmaBase.ts';

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
    const who = `${this.name}.step`;
    const m = floatData(modelOutput, `${who}: modelOutput`);
    const s = floatData(sample, `${who}: sample`);
    checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    const index = this.ensureStepIndex(timestep);
    const sigma = this.sigmaAt(index);
    const sigmaNext = this.sigmaAt(index + 1);
    const dt = f32(sigmaNext - sigma);
    const out = new Float32Array(s.length);
    let x0: Float32Array;
    if (this.config.prediction_type === 'epsilon') {
      // Fused fast path (one pass): the same float32 ops as the general path below.
      x0 = new Float32Array(s.length);
      for (let i = 0; i < s.length; i++) {
        const si = s[i];
        const x = f32(si - f32(sigma * m[i]));
        x0[i] = x;
        out[i] = si + f32(f32(f32(si - x) / sigma) * dt);
      }
    } else {
      x0 = this.predictX0(m, s, sigma, true);
      for (let i = 0; i < s.length; i++) out[i] = s[i] + f32(f32(f32(s[i] - x0[i]) / sigma) * dt);
    }
    this.state.stepIndex = index + 1;
    return { prevSample: toTensor(sample.shape, out), predOriginalSample: toTensor(sample.shape, x0) };
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
    const who = `${this.name}.step`;
    const m = floatData(modelOutput, `${who}: modelOutput`);
    const s = floatData(sample, `${who}: sample`);
    checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    if (this.config.prediction_type === 'sample') {
      throw new Error(`${who}: prediction_type "sample" is not implemented for EulerAncestralDiscreteScheduler (as in diffusers)`);
    }
    const index = this.ensureStepIndex(timestep);
    const sigma = this.sigmaAt(index);
    const sigmaTo = this.sigmaAt(index + 1);
    const toSq = f32(sigmaTo * sigmaTo);
    const fromSq = f32(sigma * sigma);
    const sigmaUp = f32(Math.sqrt(f32(f32(toSq * f32(fromSq - toSq)) / fromSq)));
    const sigmaDown = f32(Math.sqrt(f32(toSq - f32(sigmaUp * sigmaUp))));
    const dt = f32(sigmaDown - sigma);
    const noise = drawNoise(options, sample.shape, who);
    const out = new Float32Array(s.length);
    let x0: Float32Array;
    if (this.config.prediction_type === 'epsilon') {
      // Fused fast path (one pass): the same float32 ops as the general path below.
      x0 = new Float32Array(s.length);
      for (let i = 0; i < s.length; i++) {
        const si = s[i];
        const x = f32(si - f32(sigma * m[i]));
        x0[i] = x;
        out[i] = f32(si + f32(f32(f32(si - x) / sigma) * dt)) + f32(noise[i] * sigmaUp);
      }
    } else {
      x0 = this.predictX0(m, s, sigma, false);
      for (let i = 0; i < s.length; i++) {
        const euler = f32(s[i] + f32(f32(f32(s[i] - x0[i]) / sigma) * dt));
        out[i] = euler + f32(noise[i] * sigmaUp);
      }
    }
    this.state.stepIndex = index + 1;
    return { prevSample: toTensor(sample.shape, out), predOriginalSample: toTensor(sample.shape, x0) };
  }
}
