/**
 * PNDMScheduler (Liu et al. 2022, pseudo numerical methods), diffusers-compatible: a Runge-Kutta
 * warm-up (PRK, 4 model calls per step over the first 3 steps) then linear multistep (PLMS),
 * or PLMS only with skip_prk_steps.
 */
import type { TensorLike } from '../../tensor/tensor.ts';
import type { AnyFloatTensor, ResidentTensor, TensorDevice } from '../../tensor/resident.ts';
import { f32, leadingStepsOffset, numpyLinspace, roundHalfEven } from '../schedules.ts';
import { SchedulerBase, checkSameShape, stepResult, type StepResult } from './base.ts';
import { deviceInput, devicePrediction, ownValue, type DeviceStepResult } from './onDevice.ts';
import type { SchedulerConfig } from './config.ts';
import { alphaSigma, linearCombination } from './predictOriginal.ts';
import { kernels } from '../kernels/index.ts';

const PNDM_ORDER = 4;

export class PNDMScheduler extends SchedulerBase {
  readonly finalAlphaCumprod: number;
  prkTimesteps: number[] = [];
  plmsTimesteps: number[] = [];
  /** The ascending grid the timesteps are laid over. */
  private base: number[] = [];
  /** skip_prk_steps, or a mid-schedule start with too few steps left for the Runge-Kutta warm-up. */
  private skipPrk = false;

  constructor(config: SchedulerConfig) {
    super('PNDMScheduler', config);
    this.finalAlphaCumprod = config.set_alpha_to_one ? 1 : this.alphasCumprod[0];
  }

  setTimesteps(numInferenceSteps: number): void {
    this.checkSteps(numInferenceSteps);
    const c = this.config;
    const N = c.num_train_timesteps;
    const n = numInferenceSteps;
    if (!c.skip_prk_steps && n < PNDM_ORDER) {
      throw new Error(`${this.name}.setTimesteps: \`num_inference_steps\` must be >= ${PNDM_ORDER} without skip_prk_steps, got ${n}`);
    }
    let base: number[]; // ascending
    if (c.timestep_spacing === 'leading') {
      const ratio = Math.floor(N / n);
      // The Runge-Kutta warm-up's t + ratio // 2 points all lie below the top timestep.
      const offset = leadingStepsOffset(N, n, c.steps_offset);
      base = Array.from({ length: n }, (_, i) => i * ratio + offset);
    } else if (c.timestep_spacing === 'linspace') {
      base = Array.from(numpyLinspace(0, N - 1, n), roundHalfEven);
    } else {
      const ratio = N / n;
      const count = Math.ceil(N / ratio);
      base = Array.from({ length: count }, (_, i) => roundHalfEven(N - i * ratio)).reverse().map((v) => v - 1);
    }
    this.base = base;
    const { prk, plms } = this.warmupAndMultistep(base, n, c.skip_prk_steps);
    this.skipPrk = c.skip_prk_steps;
    this.prkTimesteps = prk;
    this.plmsTimesteps = plms;
    this.timesteps = [...prk, ...plms];
    this.numInferenceSteps = n;
    this.state = { ...this.state, history: [], counter: 0, curModelOutput: null, curSample: null, stepIndex: null };
  }

  /**
   * The Runge-Kutta warm-up (unless skip_prk_steps) and the multistep timesteps over an ascending
   * base grid, as diffusers lays them out.
   */
  private warmupAndMultistep(base: readonly number[], n: number, skipPrk: boolean): { prk: number[]; plms: number[] } {
    const N = this.config.num_train_timesteps;
    if (skipPrk) {
      // [:-1] + [-2:-1] + [-1:], reversed: the second-to-last timestep is visited twice.
      const seq = [...base.slice(0, -1), ...base.slice(-2, -1), ...base.slice(-1)];
      return { prk: [], plms: seq.reverse() };
    }
    const last = base.slice(-PNDM_ORDER);
    const half = Math.floor(Math.floor(N / n) / 2);
    const prk: number[] = [];
    for (const t of last) prk.push(t, t + half);
    const doubled: number[] = [];
    for (const t of prk.slice(0, -1)) doubled.push(t, t);
    return { prk: doubled.slice(1, -1).reverse(), plms: base.slice(0, -3).reverse() };
  }

  /**
   * Image-to-image start at `index`: diffusers' pipelines slice the timesteps there, which drops
   * PNDM's warm-up (the Runge-Kutta steps, or the repeated timestep of skip_prk_steps) while its
   * counter starts at 0, so every later step takes the sample for one a stride further on and the
   * result keeps noise. Here the run from `index` gets its own warm-up over the base grid at and
   * below that timestep, the same stride, and a fresh counter and history: the schedule PNDM
   * would run had the noise schedule started there. Timesteps before `index` stay as they were.
   */
  override setBeginIndex(index: number): void {
    super.setBeginIndex(index);
    if (index === 0) return;
    // skip_prk_steps: the slice's first timestep, as diffusers. With the Runge-Kutta warm-up the
    // list's first entries are sub-steps, so `index` counts whole steps of the base grid there.
    const descending = [...this.base].reverse();
    const prefix = this.config.skip_prk_steps ? this.timesteps.slice(0, index) : descending.slice(0, index);
    const start = this.config.skip_prk_steps ? this.timesteps[index] : descending[Math.min(index, descending.length - 1)];
    const base = this.base.filter((t) => t <= start);
    // Too few steps left for the Runge-Kutta warm-up: the skip_prk_steps warm-up instead.
    this.skipPrk = this.config.skip_prk_steps || base.length < PNDM_ORDER;
    const fresh = this.warmupAndMultistep(base, this.numInferenceSteps as number, this.skipPrk);
    this.timesteps = [...prefix, ...fresh.prk, ...fresh.plms];
    this.prkTimesteps = fresh.prk;
    this.plmsTimesteps = fresh.plms;
    this.state = { ...this.state, history: [], counter: 0, curModelOutput: null, curSample: null, stepIndex: null, beginIndex: index };
  }

  step(modelOutput: TensorLike<'float32'>, timestep: number, sample: TensorLike<'float32'>): StepResult {
    this.requireTimesteps('step');
    const { m, s } = this.stepInputs(modelOutput, sample);
    const prev =
      this.state.counter < this.prkTimesteps.length && !this.skipPrk
        ? this.stepPrk(m, timestep, s)
        : this.stepPlms(m, timestep, s);
    this.state.stepIndex = (this.state.stepIndex ?? this.state.beginIndex ?? 0) + 1;
    return stepResult(sample.shape, prev);
  }

  /**
   * Where a Runge-Kutta sub-step stands, for the host and the device step alike: the timesteps of
   * equation (9) (the warm-up step's own t and the sub-step's target) and the phase, 0–3, of the
   * four sub-steps of one warm-up step.
   */
  private prkPlan(timestep: number): { t: number; prevTimestep: number; phase: 0 | 1 | 2 | 3 } {
    const counter = this.state.counter;
    const stride = Math.floor(this.config.num_train_timesteps / (this.numInferenceSteps as number));
    const diffToPrev = counter % 2 ? 0 : Math.floor(stride / 2);
    return { t: this.prkTimesteps[Math.floor(counter / 4) * 4], prevTimestep: timestep - diffToPrev, phase: (counter % 4) as 0 | 1 | 2 | 3 };
  }

  /** One Runge-Kutta sub-step (four per warm-up step). */
  private stepPrk(m: Float32Array, timestep: number, s: Float32Array): Float32Array {
    const st = this.state;
    const { t, prevTimestep, phase } = this.prkPlan(timestep);
    // Host steps see host values: the step node downloads a resident state first.
    const running = st.curModelOutput as Float32Array | null;
    let output = m;
    if (phase === 0) {
      st.curModelOutput = accumulate(running, m, 1 / 6);
      st.history = [...st.history, m.slice()]; // copies: the caller may reuse its buffers
      st.curSample = s.slice();
    } else if (phase === 1 || phase === 2) {
      st.curModelOutput = accumulate(running, m, 1 / 3);
    } else {
      output = accumulate(running, m, 1 / 6);
      st.curModelOutput = null;
    }
    const curSample = (st.curSample as Float32Array | null) ?? s;
    const prev = this.prevSample(curSample, t, prevTimestep, output);
    st.counter += 1;
    return prev;
  }

  /** One linear multistep step (Adams-Bashforth of growing order up to 4). */
  private stepPlms(m: Float32Array, timestep: number, s: Float32Array): Float32Array {
    const st = this.state;
    // A kernel result (the CFG kernel's) is a value: kept as it is; other arrays are copied.
    const plan = this.plmsPlan(timestep, kernels().isResult(m) ? m : m.slice());
    st.history = plan.history;
    const sample = plan.fromSaved ? (st.curSample as Float32Array) : s;
    if (plan.saveSample) st.curSample = s.slice();
    else if (plan.fromSaved) st.curSample = null;
    const older = plan.older as Float32Array[];
    let prev: Float32Array;
    if (this.config.prediction_type === 'epsilon') {
      // Fused (one pass, wasm SIMD or JS kernel): the same float32 ops as plmsOutput + prevSample.
      prev = kernels().plmsEpsilon(m, older, plan.order, sample, this.prevCoefficients(plan.t, plan.prevTimestep));
    } else {
      prev = this.prevSample(sample, plan.t, plan.prevTimestep, plmsOutput(m, older, plan.order));
    }
    st.counter += 1;
    return prev;
  }

  /**
   * What a PLMS step reads and how it moves the state, for the host and the device step alike:
   * the timesteps of equation (9), the model-output history after this step (`newest` is this
   * step's output as the history keeps it), the Adams-Bashforth order (0: the second warm-up
   * step's average) with the older outputs it reads, newest first, and whether the step starts
   * from the saved sample (`fromSaved`, then cleared) or saves its own (`saveSample`).
   */
  private plmsPlan<T extends Float32Array | ResidentTensor>(timestep: number, newest: T) {
    const st = this.state;
    if (!this.skipPrk && st.history.length < 3) {
      throw new Error(
        `${this.name}.step: PLMS needs 3 past model outputs from the Runge-Kutta warm-up; run the PRK steps first`,
      );
    }
    const stride = Math.floor(this.config.num_train_timesteps / (this.numInferenceSteps as number));
    let t = timestep;
    let prevTimestep = t - stride;
    let history = st.history as T[];
    if (st.counter !== 1) history = [...history.slice(-3), newest];
    else {
      prevTimestep = t;
      t = t + stride;
    }
    let order: 0 | 1 | 2 | 3 | 4;
    let fromSaved = false;
    let saveSample = false;
    if (history.length === 1 && st.counter === 0) {
      order = 1;
      saveSample = true;
    } else if (history.length === 1 && st.counter === 1) {
      order = 0;
      fromSaved = true;
    } else {
      order = Math.min(history.length, 4) as 2 | 3 | 4;
    }
    const older = order === 0 ? [history[0]] : history.slice(-order, -1).reverse();
    return { t, prevTimestep, history, order, older, fromSaved, saveSample };
  }

  /**
   * A step of an epsilon or v-prediction model on a device: the Runge-Kutta warm-up's sub-steps
   * and the multistep (PLMS) steps, the running sum, the model-output history and the saved
   * sample kept resident in the state; later device steps upload what host steps left there.
   */
  stepOnDevice(device: TensorDevice, modelOutput: AnyFloatTensor, timestep: number, sample: AnyFloatTensor): Promise<DeviceStepResult> | undefined {
    this.requireTimesteps('step');
    const st = this.state;
    const prediction = devicePrediction(this.config.prediction_type);
    if (!prediction) return undefined;
    if (!this.skipPrk && st.counter < this.prkTimesteps.length) return this.stepPrkOnDevice(device, prediction, modelOutput, timestep, sample);
    // Too short a history: the host step says what is wrong.
    if (!this.skipPrk && st.history.length < 3) return undefined;
    checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    const plan = this.plmsPlan<Float32Array | ResidentTensor>(timestep, ownValue(modelOutput));
    const current = plan.fromSaved ? deviceInput(sample.shape, st.curSample as Float32Array | ResidentTensor) : sample;
    const older = plan.older.map((p) => deviceInput(sample.shape, p));
    return device.run(`plms-${prediction}-${plan.order}`, [modelOutput, ...older, current], this.deviceScalars(prediction, plan.t, plan.prevTimestep)).then(([prevSample]) => {
      st.history = plan.history;
      if (plan.saveSample) st.curSample = ownValue(sample);
      else if (plan.fromSaved) st.curSample = null;
      return this.finishDeviceStep(prevSample);
    });
  }

  /**
   * Equation (9)'s scalars for a device op: on a v-prediction first the conversion's √ᾱ, √(1 − ᾱ)
   * at `t` (as prevSample converts), then cs, diff and denom.
   */
  private deviceScalars(prediction: 'epsilon' | 'v', t: number, prevT: number): number[] {
    const { cs, diff, denom } = this.prevCoefficients(t, prevT);
    return [...(prediction === 'v' ? alphaSigma(this.alphaProdAt(t, 'step')) : []), cs, diff, denom];
  }

  /** Counts a device step done (the host steps' counter and step index). */
  private finishDeviceStep(prevSample: ResidentTensor): DeviceStepResult {
    this.state.counter += 1;
    this.state.stepIndex = (this.state.stepIndex ?? this.state.beginIndex ?? 0) + 1;
    return { prevSample };
  }

  /** A Runge-Kutta sub-step on a device, as stepPrk; undefined (host) for a state without the running sum its phase needs. */
  private stepPrkOnDevice(device: TensorDevice, prediction: 'epsilon' | 'v', modelOutput: AnyFloatTensor, timestep: number, sample: AnyFloatTensor): Promise<DeviceStepResult> | undefined {
    const st = this.state;
    const { t, prevTimestep, phase } = this.prkPlan(timestep);
    const running = st.curModelOutput;
    if (phase !== 0 && (running === null || st.curSample === null)) return undefined;
    checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    const equation9 = this.deviceScalars(prediction, t, prevTimestep);
    const scalars = (weight: number) => [f32(weight), ...equation9];
    if (phase === 0) {
      return device.run(`prk-${prediction}-first`, [modelOutput, sample], scalars(1 / 6)).then(([prevSample, acc]) => {
        st.curModelOutput = acc;
        st.history = [...st.history, ownValue(modelOutput)];
        st.curSample = ownValue(sample);
        return this.finishDeviceStep(prevSample);
      });
    }
    const inputs = [modelOutput, deviceInput(sample.shape, running!), deviceInput(sample.shape, st.curSample!)];
    if (phase === 3) {
      return device.run(`prk-${prediction}-last`, inputs, scalars(1 / 6)).then(([prevSample]) => {
        st.curModelOutput = null;
        return this.finishDeviceStep(prevSample);
      });
    }
    return device.run(`prk-${prediction}-middle`, inputs, scalars(1 / 3)).then(([prevSample, acc]) => {
      st.curModelOutput = acc;
      return this.finishDeviceStep(prevSample);
    });
  }

  /** The coefficients of equation (9): out = cs * s - (diff * e) / denom. */
  private prevCoefficients(t: number, prevT: number): { cs: number; diff: number; denom: number } {
    const apt = this.alphaProdAt(t, 'step');
    const aptPrev = prevT >= 0 ? this.alphaProdAt(prevT, 'step') : this.finalAlphaCumprod;
    const bpt = f32(1 - apt);
    const bptPrev = f32(1 - aptPrev);
    const cs = f32(Math.sqrt(f32(aptPrev / apt)));
    const denom = f32(
      f32(apt * f32(Math.sqrt(bptPrev))) + f32(Math.sqrt(f32(f32(apt * bpt) * aptPrev))),
    );
    return { cs, diff: f32(aptPrev - apt), denom };
  }

  /** Equation (9) of the PNDM paper, with diffusers' v-prediction conversion. */
  private prevSample(s: Float32Array, t: number, prevT: number, m: Float32Array): Float32Array {
    let output = m;
    if (this.config.prediction_type === 'v_prediction') {
      const apt = this.alphaProdAt(t, 'step');
      const [a, b] = alphaSigma(apt);
      output = linearCombination(a, m, b, s);
    } else if (this.config.prediction_type !== 'epsilon') {
      throw new Error(`${this.name}: prediction_type must be epsilon or v_prediction, got "${this.config.prediction_type}"`);
    }
    const { cs, diff, denom } = this.prevCoefficients(t, prevT);
    const out = new Float32Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = f32(cs * s[i]) - f32(f32(diff * output[i]) / denom);
    return out;
  }
}

/**
 * The PLMS combination of the newest model output m and the older ones (newest first): `order`
 * 1..4 (Adams-Bashforth), 0 for the second warm-up step's average; m itself for order 1.
 */
function plmsOutput(m: Float32Array, older: Float32Array[], order: number): Float32Array {
  if (order === 1) return m;
  const n = m.length;
  const output = new Float32Array(n);
  const [p1, p2, p3] = older;
  if (order === 0) for (let i = 0; i < n; i++) output[i] = f32(m[i] + p1[i]) / 2;
  else if (order === 2) for (let i = 0; i < n; i++) output[i] = f32(f32(3 * m[i]) - p1[i]) / 2;
  else if (order === 3) {
    for (let i = 0; i < n; i++) output[i] = f32(f32(f32(23 * m[i]) - f32(16 * p1[i])) + f32(5 * p2[i])) / 12;
  } else {
    const k = f32(1 / 24);
    for (let i = 0; i < n; i++) {
      output[i] = k * f32(f32(f32(f32(55 * m[i]) - f32(59 * p1[i])) + f32(37 * p2[i])) - f32(9 * p3[i]));
    }
  }
  return output;
}

/** acc + w * x as torch evaluates `cur += w * x` (acc = 0 when absent), into a fresh array. */
function accumulate(acc: Float32Array | null, x: Float32Array, weight: number): Float32Array {
  const w = f32(weight);
  const out = new Float32Array(x.length);
  if (acc) for (let i = 0; i < x.length; i++) out[i] = acc[i] + f32(w * x[i]);
  else for (let i = 0; i < x.length; i++) out[i] = w * x[i];
  return out;
}
