/**
 * LMSDiscreteScheduler (k-diffusion's linear multistep, order 4) and HeunDiscreteScheduler
 * (Karras et al. 2022, Algorithm 1 with s_churn = 0), diffusers-compatible.
 */
import type { TensorLike } from '../../tensor/tensor.ts';
import { f32 } from '../schedules.ts';
import { checkSameShape, clampInto, floatData, toTensor, type StepOptions, type StepResult } from './base.ts';
import type { SchedulerConfig } from './config.ts';
import { SigmaSchedulerBase } from './sigmaBase.ts';

// 3-point Gauss-Legendre rule: exact for the cubic Lagrange polynomials LMS integrates.
const GL_NODES = [-Math.sqrt(3 / 5), 0, Math.sqrt(3 / 5)];
const GL_WEIGHTS = [5 / 9, 8 / 9, 5 / 9];

export class LMSDiscreteScheduler extends SigmaSchedulerBase {
  static readonly DEFAULT_ORDER = 4;

  constructor(config: SchedulerConfig) {
    super('LMSDiscreteScheduler', config);
  }

  setTimesteps(numInferenceSteps: number): void {
    this.buildSigmaSchedule(numInferenceSteps, 'zero', true);
  }

  /** Integral over [sigma_t, sigma_{t+1}] of the Lagrange basis polynomial for `currentOrder`. */
  lmsCoefficient(order: number, t: number, currentOrder: number): number {
    const sigmas = this.sigmas as Float32Array;
    const basis = (tau: number): number => {
      let prod = 1;
      for (let k = 0; k < order; k++) {
        if (k === currentOrder) continue;
        prod *= (tau - sigmas[t - k]) / (sigmas[t - currentOrder] - sigmas[t - k]);
      }
      return prod;
    };
    const a = sigmas[t];
    const b = sigmas[t + 1];
    const half = (b - a) / 2;
    const mid = (a + b) / 2;
    let sum = 0;
    for (let i = 0; i < GL_NODES.length; i++) sum += GL_WEIGHTS[i] * basis(mid + half * GL_NODES[i]);
    return sum * half;
  }

  step(
    modelOutput: TensorLike<'float32'>,
    timestep: number,
    sample: TensorLike<'float32'>,
    options?: StepOptions & { order?: number },
  ): StepResult {
    const who = `${this.name}.step`;
    const m = floatData(modelOutput, `${who}: modelOutput`);
    const s = floatData(sample, `${who}: sample`);
    checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    const maxOrder = options?.order ?? LMSDiscreteScheduler.DEFAULT_ORDER;
    const index = this.ensureStepIndex(timestep);
    const sigma = this.sigmaAt(index);
    this.sigmaAt(index + 1);
    const x0 = this.predictX0(m, s, sigma, true);
    const derivative = new Float32Array(s.length);
    for (let i = 0; i < s.length; i++) derivative[i] = f32(s[i] - x0[i]) / sigma;
    const history = [...this.state.history, derivative];
    if (history.length > maxOrder) history.shift();
    this.state.history = history;
    const order = Math.min(index + 1, maxOrder);
    const coeffs: number[] = [];
    for (let k = 0; k < order; k++) coeffs.push(f32(this.lmsCoefficient(order, index, k)));
    const acc = new Float32Array(s.length);
    for (let k = 0; k < order; k++) {
      const d = history[history.length - 1 - k] as Float32Array;
      const c = coeffs[k];
      if (k === 0) for (let i = 0; i < s.length; i++) acc[i] = c * d[i];
      else for (let i = 0; i < s.length; i++) acc[i] = acc[i] + f32(c * d[i]);
    }
    const out = new Float32Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s[i] + acc[i];
    this.state.stepIndex = index + 1;
    return { prevSample: toTensor(sample.shape, out), predOriginalSample: toTensor(sample.shape, x0) };
  }
}

export class HeunDiscreteScheduler extends SigmaSchedulerBase {
  constructor(config: SchedulerConfig) {
    super('HeunDiscreteScheduler', config);
    this.order = 2;
  }

  setTimesteps(numInferenceSteps: number): void {
    this.buildSigmaSchedule(numInferenceSteps, 'zero', true);
  }

  /** Every interior sigma and timestep is visited twice: once per half of the Heun step. */
  protected override applySchedule(timesteps: number[], sigmas: Float32Array): void {
    const doubledSigmas = new Float32Array(2 * sigmas.length - 2);
    doubledSigmas[0] = sigmas[0];
    for (let i = 1; i < sigmas.length - 1; i++) {
      doubledSigmas[2 * i - 1] = sigmas[i];
      doubledSigmas[2 * i] = sigmas[i];
    }
    doubledSigmas[doubledSigmas.length - 1] = sigmas[sigmas.length - 1];
    const doubledTimesteps = [timesteps[0]];
    for (let i = 1; i < timesteps.length; i++) doubledTimesteps.push(timesteps[i], timesteps[i]);
    super.applySchedule(doubledTimesteps, doubledSigmas);
    this.state = { ...this.state, prevDerivative: null, dt: null, savedSample: null };
  }

  /** True when the next step is the first (Euler) half of a Heun step. */
  get stateInFirstOrder(): boolean {
    return this.state.dt === null;
  }

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
    const first = this.stateInFirstOrder;
    const sigma = first ? this.sigmaAt(index) : this.sigmaAt(index - 1);
    const sigmaNext = first ? this.sigmaAt(index + 1) : this.sigmaAt(index);
    const sigmaInput = first ? sigma : sigmaNext;
    let x0 = this.predictX0(m, s, sigmaInput, true);
    if (this.config.clip_sample) x0 = clampInto(x0, this.config.clip_sample_range);
    const out = new Float32Array(s.length);
    const st = this.state;
    if (first) {
      const derivative = new Float32Array(s.length);
      for (let i = 0; i < s.length; i++) derivative[i] = f32(s[i] - x0[i]) / sigma;
      const dt = f32(sigmaNext - sigma);
      st.prevDerivative = derivative;
      st.dt = dt;
      st.savedSample = s.slice(); // the caller may reuse its buffer
      for (let i = 0; i < s.length; i++) out[i] = s[i] + f32(derivative[i] * dt);
    } else {
      const prevDerivative = st.prevDerivative as Float32Array;
      const dt = st.dt as number;
      const base = st.savedSample as Float32Array;
      for (let i = 0; i < s.length; i++) {
        const d2 = f32(f32(s[i] - x0[i]) / sigmaNext);
        const d = f32(f32(prevDerivative[i] + d2) / 2);
        out[i] = base[i] + f32(d * dt);
      }
      st.prevDerivative = null;
      st.dt = null;
      st.savedSample = null;
    }
    st.stepIndex = index + 1;
    return { prevSample: toTensor(sample.shape, out), predOriginalSample: toTensor(sample.shape, x0) };
  }
}
