/**
 * LMSDiscreteScheduler (k-diffusion's linear multistep, order 4) and HeunDiscreteScheduler
 * (Karras et al. 2022, Algorithm 1 with s_churn = 0), diffusers-compatible.
 */
import type { TensorLike } from '../../tensor/tensor.ts';
import type { AnyFloatTensor, ResidentTensor, TensorDevice } from '../../tensor/resident.ts';
import { f32 } from '../schedules.ts';
import { checkSameShape, clampInPlace, type StepOptions, type StepResult } from './base.ts';
import { deviceInput, devicePrediction, ownValue, sigmaPredictionScalars, type DeviceStepResult } from './onDevice.ts';
import type { SchedulerConfig } from './config.ts';
import { sigmaDerivative } from './predictOriginal.ts';
import { kernels } from '../kernels/index.ts';
import { SigmaSchedulerBase } from './sigmaBase.ts';

// QUADPACK's 21-point Gauss-Kronrod rule (qk21), which scipy.integrate.quad applies first and, for
// these smooth cubics, returns. Nodes and weights are the published QUADPACK constants; the
// 10-point Gauss weights belong to the odd-indexed nodes.
const XGK = [
  0.995657163025808080735527280689003, 0.973906528517171720077964012084452, 0.930157491355708226001207180059508,
  0.865063366688984510732096688423493, 0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
  0.562757134668604683339000099272694, 0.433395394129247190799265943165784, 0.29439286270146019813112660310386,
  0.14887433898163121088482600112972, 0,
];
const WGK = [
  0.011694638867371874278064396062192, 0.03255816230796472747881897245939, 0.05475589657435199603138130024458,
  0.07503967481091995276704314091619, 0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
  0.123491976262065851077958109831074, 0.134709217311473325928054001771707, 0.142775938577060080797094273138717,
  0.147739104901338491374841515972068, 0.149445554002916905664936468389821,
];

/** qk21 over [a, b] with QUADPACK's accumulation order. */
function gaussKronrod21(f: (x: number) => number, a: number, b: number): number {
  const centre = 0.5 * (a + b);
  const half = 0.5 * (b - a);
  let resk = WGK[10] * f(centre);
  for (let j = 1; j < 10; j += 2) {
    const absc = half * XGK[j];
    resk += WGK[j] * (f(centre - absc) + f(centre + absc));
  }
  for (let j = 0; j < 10; j += 2) {
    const absc = half * XGK[j];
    resk += WGK[j] * (f(centre - absc) + f(centre + absc));
  }
  return resk * half;
}

/** sample + sum(c_k * d_k) over the derivatives newest first, each op rounded as torch does. */
function lmsSum(s: Float32Array, derivatives: Float32Array[], coeffs: number[]): Float32Array {
  const terms = coeffs.length;
  const [d0, d1 = d0, d2 = d0, d3 = d0] = derivatives;
  const [c0, c1 = 0, c2 = 0, c3 = 0] = coeffs;
  const out = new Float32Array(s.length);
  for (let i = 0; i < s.length; i++) {
    let acc = f32(c0 * d0[i]);
    if (terms > 1) acc = f32(acc + f32(c1 * d1[i]));
    if (terms > 2) acc = f32(acc + f32(c2 * d2[i]));
    if (terms > 3) acc = f32(acc + f32(c3 * d3[i]));
    out[i] = s[i] + acc;
  }
  return out;
}

export class LMSDiscreteScheduler extends SigmaSchedulerBase {
  static readonly DEFAULT_ORDER = 4;

  constructor(config: SchedulerConfig) {
    super('LMSDiscreteScheduler', config);
  }

  setTimesteps(numInferenceSteps: number): void {
    this.buildSigmaSchedule(numInferenceSteps, 'zero');
  }

  /**
   * Integral over [sigma_t, sigma_{t+1}] of the Lagrange basis polynomial for `currentOrder`.
   * diffusers evaluates the polynomial on float32 tensors and integrates it with scipy's quad;
   * the same float32 evaluation and QUADPACK's 21-point rule are used here.
   */
  lmsCoefficient(order: number, t: number, currentOrder: number): number {
    const sigmas = this.sigmas as Float32Array;
    const basis = (tau: number): number => {
      let prod = 1;
      const tau32 = f32(tau);
      for (let k = 0; k < order; k++) {
        if (k === currentOrder) continue;
        prod = f32(prod * f32(f32(tau32 - sigmas[t - k]) / f32(sigmas[t - currentOrder] - sigmas[t - k])));
      }
      return prod;
    };
    return gaussKronrod21(basis, sigmas[t], sigmas[t + 1]);
  }

  step(
    modelOutput: TensorLike<'float32'>,
    timestep: number,
    sample: TensorLike<'float32'>,
    options?: StepOptions & { order?: number },
  ): StepResult {
    const { who, m, s } = this.stepInputs(modelOutput, sample);
    const maxOrder = options?.order ?? LMSDiscreteScheduler.DEFAULT_ORDER;
    if (!Number.isInteger(maxOrder) || maxOrder < 1 || maxOrder > 4) {
      throw new Error(`${who}: order must be 1, 2, 3 or 4, got ${maxOrder}`);
    }
    const index = this.ensureStepIndex(timestep);
    const sigma = this.sigmaAt(index);
    this.sigmaAt(index + 1);
    const previous = this.state.history;
    const coeffs = this.stepCoefficients(index, previous, maxOrder);
    const order = coeffs.length;
    // Older derivatives, newest first: d1, d2, d3.
    const older = previous.slice(previous.length - (order - 1)).reverse() as Float32Array[];
    let out: Float32Array;
    let x0: Float32Array;
    let derivative: Float32Array;
    if (this.config.prediction_type === 'epsilon') {
      // x0, this step's derivative and sample + sum(c_k * d_k) in one pass (wasm SIMD or JS).
      ({ out, x0, derivative } = kernels().lmsEpsilon(m, s, older, sigma, coeffs));
    } else {
      x0 = this.predictX0(m, s, sigma, true);
      derivative = sigmaDerivative(s, x0, sigma);
      out = lmsSum(s, [derivative, ...older], coeffs);
    }
    this.state.history = appendDerivative(previous, derivative, maxOrder);
    return this.finishStep(index, sample.shape, out, x0);
  }

  /** The order and Lagrange coefficients of the step at `index` (host and device alike). */
  private stepCoefficients(index: number, previous: readonly unknown[], maxOrder: number): number[] {
    // diffusers takes order = min(step_index + 1, 4) and zips those coefficients with the
    // derivatives it has; a run started mid-schedule (img2img) has fewer at first, and a
    // truncated order-4 sum is no integration rule at all (the picture keeps noise). The order
    // here is capped by the stored derivatives too (this step's included): the same as diffusers
    // for a run from step 0, and a proper lower-order step (Euler first) for a mid-schedule start.
    const order = Math.min(index + 1, maxOrder, previous.length + 1);
    const coeffs: number[] = [];
    for (let k = 0; k < order; k++) coeffs.push(f32(this.lmsCoefficient(order, index, k)));
    return coeffs;
  }

  /**
   * The epsilon or v-prediction step on a device at the default order; the derivative history
   * stays resident in the state (host derivatives left by earlier host steps are uploaded).
   */
  stepOnDevice(device: TensorDevice, modelOutput: AnyFloatTensor, timestep: number, sample: AnyFloatTensor): Promise<DeviceStepResult> | undefined {
    const prediction = devicePrediction(this.config.prediction_type);
    if (!prediction) return undefined;
    checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    const maxOrder = LMSDiscreteScheduler.DEFAULT_ORDER;
    const index = this.ensureStepIndex(timestep);
    const sigma = this.sigmaAt(index);
    this.sigmaAt(index + 1);
    const previous = this.state.history as (Float32Array | ResidentTensor)[];
    const coeffs = this.stepCoefficients(index, previous, maxOrder);
    const older = previous.slice(previous.length - (coeffs.length - 1)).reverse().map((d) => deviceInput(sample.shape, d));
    const op = `lms-${prediction}-${coeffs.length as 1 | 2 | 3 | 4}` as const;
    return device.run(op, [modelOutput, sample, ...older], [...sigmaPredictionScalars(prediction, sigma), sigma, ...coeffs]).then(([prevSample, predOriginalSample, derivative]) => {
      this.state.history = appendDerivative(previous, derivative, maxOrder);
      this.state.stepIndex = index + 1;
      return { prevSample, predOriginalSample };
    });
  }
}

/** The derivative history after a step: this step's appended, the oldest dropped past `maxOrder`. */
function appendDerivative<T>(previous: readonly (T | null)[], derivative: T, maxOrder: number): (T | null)[] {
  const history = [...previous, derivative];
  if (history.length > maxOrder) history.shift();
  return history;
}

export class HeunDiscreteScheduler extends SigmaSchedulerBase {
  constructor(config: SchedulerConfig) {
    super('HeunDiscreteScheduler', config);
    this.order = 2;
  }

  setTimesteps(numInferenceSteps: number): void {
    this.buildSigmaSchedule(numInferenceSteps, 'zero');
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

  /** x0 at `sigma`, clipped when the config says so. */
  private clippedX0(m: Float32Array, s: Float32Array, sigma: number): Float32Array {
    const x0 = this.predictX0(m, s, sigma, true);
    return this.config.clip_sample ? clampInPlace(x0, this.config.clip_sample_range) : x0;
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
    const { m, s } = this.stepInputs(modelOutput, sample);
    const index = this.ensureStepIndex(timestep);
    const first = this.stateInFirstOrder;
    const sigma = first ? this.sigmaAt(index) : this.sigmaAt(index - 1);
    const sigmaNext = first ? this.sigmaAt(index + 1) : this.sigmaAt(index);
    const sigmaInput = first ? sigma : sigmaNext;
    const st = this.state;
    // epsilon without clipping: x0 and the half step in one pass (wasm SIMD or JS kernel).
    const fused = this.config.prediction_type === 'epsilon' && !this.config.clip_sample;
    let x0: Float32Array;
    let out: Float32Array;
    if (first) {
      const dt = f32(sigmaNext - sigma);
      let derivative: Float32Array;
      if (fused) ({ out, x0, derivative } = kernels().heunFirstEpsilon(m, s, sigma, dt));
      else {
        x0 = this.clippedX0(m, s, sigmaInput);
        derivative = sigmaDerivative(s, x0, sigma);
        out = new Float32Array(s.length);
        for (let i = 0; i < s.length; i++) out[i] = s[i] + f32(derivative[i] * dt);
      }
      st.prevDerivative = derivative;
      st.dt = dt;
      // A copy, since the caller may reuse its buffer; a kernel result is never written again.
      st.savedSample = kernels().isResult(s) ? s : s.slice();
    } else {
      const prevDerivative = st.prevDerivative as Float32Array;
      const dt = st.dt as number;
      const base = st.savedSample as Float32Array;
      if (fused) ({ out, x0 } = kernels().heunSecondEpsilon(m, s, prevDerivative, base, sigmaNext, dt));
      else {
        x0 = this.clippedX0(m, s, sigmaInput);
        out = new Float32Array(s.length);
        for (let i = 0; i < s.length; i++) {
          const d2 = f32(f32(s[i] - x0[i]) / sigmaNext);
          const d = f32(f32(prevDerivative[i] + d2) / 2);
          out[i] = base[i] + f32(d * dt);
        }
      }
      st.prevDerivative = null;
      st.dt = null;
      st.savedSample = null;
    }
    return this.finishStep(index, sample.shape, out, x0);
  }

  /**
   * Either half of an epsilon or v-prediction Heun step, clipped (clip_sample) or not, on a
   * device; the first half's derivative and sample stay resident in the state.
   */
  stepOnDevice(device: TensorDevice, modelOutput: AnyFloatTensor, timestep: number, sample: AnyFloatTensor): Promise<DeviceStepResult> | undefined {
    const prediction = devicePrediction(this.config.prediction_type);
    if (!prediction) return undefined;
    checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    const index = this.ensureStepIndex(timestep);
    const st = this.state;
    const c = this.config;
    const clip = c.clip_sample ? [f32(-c.clip_sample_range), f32(c.clip_sample_range)] : [];
    const variant = `${prediction}${c.clip_sample ? '-clip' : ''}` as const;
    if (this.stateInFirstOrder) {
      const sigma = this.sigmaAt(index);
      const dt = f32(this.sigmaAt(index + 1) - sigma);
      return device.run(`heun-first-${variant}`, [modelOutput, sample], [...sigmaPredictionScalars(prediction, sigma), sigma, dt, ...clip]).then(([prevSample, predOriginalSample, derivative]) => {
        st.prevDerivative = derivative;
        st.dt = dt;
        st.savedSample = ownValue(sample);
        st.stepIndex = index + 1;
        return { prevSample, predOriginalSample };
      });
    }
    const sigmaNext = this.sigmaAt(index);
    const dt = st.dt as number;
    const inputs = [modelOutput, sample, deviceInput(sample.shape, st.prevDerivative!), deviceInput(sample.shape, st.savedSample!)];
    return device.run(`heun-second-${variant}`, inputs, [...sigmaPredictionScalars(prediction, sigmaNext), sigmaNext, dt, 2, ...clip]).then(([prevSample, predOriginalSample]) => {
      st.prevDerivative = null;
      st.dt = null;
      st.savedSample = null;
      st.stepIndex = index + 1;
      return { prevSample, predOriginalSample };
    });
  }
}
