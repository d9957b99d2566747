/**
 * What every scheduler shares: the public interface, the float32 tables, the loop-carried state
 * (kept in one plain object so nodes can clone it), tensor checks and the alpha-based helpers.
 *
 * Float32 parity: torch evaluates each op of a scheduler formula as its own float32 kernel, so
 * intermediate results are rounded with Math.fround in torch's evaluation order; the final op of
 * each formula is rounded by storing into a Float32Array.
 */
import { Tensor, shapeSize, type TensorLike } from '../../tensor/tensor.ts';
import { alphasFromBetas, f32, makeBetas, spacedTimesteps } from '../schedules.ts';
import type { SchedulerConfig, SchedulerName } from './config.ts';
import { kernels } from '../kernels/index.ts';
import type { AnyFloatTensor, ResidentTensor, TensorDevice } from '../../tensor/resident.ts';
import type { DeviceSteps } from './onDevice.ts';
import { alphaSigma } from './predictOriginal.ts';

/** A source of standard normal noise with torch.randn's stream (TorchGenerator fits). */
export interface NoiseGenerator {
  randn(shape: readonly number[]): TensorLike<'float32'> | Float32Array;
}

export interface StepOptions {
  /** Noise source for stochastic steps (DDPM, DDIM with eta > 0, ancestral, LCM, unCLIP). */
  generator?: NoiseGenerator;
  /** DDIM's eta (0 = deterministic DDIM, 1 = DDPM-like). */
  eta?: number;
  /** unCLIP: the timestep this step goes to (default t - 1). */
  prevTimestep?: number;
  /** Explicit noise for the stochastic part instead of drawing from `generator`. */
  varianceNoise?: TensorLike<'float32'>;
}

export interface StepResult {
  prevSample: Tensor<'float32'>;
  /** The model's estimate of the clean sample x0, where the scheduler computes one. */
  predOriginalSample?: Tensor<'float32'>;
}

/**
 * Loop-carried scheduler state. Arrays stored here are never mutated after being stored, so a
 * shallow copy of the lists is a full, independent copy.
 */
export interface SchedulerState {
  stepIndex: number | null;
  beginIndex: number | null;
  /** Past model outputs / derivatives (PNDM ets, DPM-Solver x0 history, LMS derivatives). */
  history: (Float32Array | ResidentTensor | null)[];
  counter: number;
  lowerOrderNums: number;
  /** PNDM: running Runge-Kutta sum (resident after a device warm-up step) and the sample the RK step started from. */
  curModelOutput: Float32Array | ResidentTensor | null;
  /** Resident after a device PLMS step saved it (a host copy for host steps, see the step node). */
  curSample: Float32Array | ResidentTensor | null;
  /** Heun: first-order derivative, dt and sample kept for the second-order half step. */
  prevDerivative: Float32Array | ResidentTensor | null;
  dt: number | null;
  savedSample: Float32Array | ResidentTensor | null;
}

export function initialState(): SchedulerState {
  return {
    stepIndex: null,
    beginIndex: null,
    history: [],
    counter: 0,
    lowerOrderNums: 0,
    curModelOutput: null,
    curSample: null,
    prevDerivative: null,
    dt: null,
    savedSample: null,
  };
}

/**
 * What a scheduler holds after `stepFrom` handed its state over: frozen, so a step that forgot to
 * be given a state fails loudly instead of writing into a state some value now owns.
 */
const RELEASED_STATE: SchedulerState = Object.freeze({ ...initialState(), history: Object.freeze([]) as unknown as SchedulerState['history'] });

export function cloneState(state: SchedulerState): SchedulerState {
  return { ...state, history: [...state.history] };
}

export interface Scheduler extends DeviceSteps {
  readonly name: SchedulerName;
  readonly config: Readonly<SchedulerConfig>;
  /** Model evaluations per solver step (2 for Heun). */
  readonly order: number;
  readonly betas: Float32Array;
  readonly alphasCumprod: Float32Array;
  /** Descending timesteps the loop visits (integers for discrete schedulers, float32 values otherwise). */
  timesteps: number[];
  /** Sigma per timestep plus the final one, for sigma-based schedulers. */
  sigmas: Float32Array | undefined;
  numInferenceSteps: number | null;
  readonly initNoiseSigma: number;
  setTimesteps(numInferenceSteps: number): void;
  /** Sigma-based schedulers only: run an explicit sigma schedule (steps + 1 values). */
  setSigmas?(sigmas: ArrayLike<number>): void;
  scaleModelInput(sample: TensorLike<'float32'>, timestep: number): Tensor<'float32'>;
  /**
   * scaleModelInput at position `index` of `timesteps`, without reading or changing the state: what
   * a graph node calls every step instead of cloning the scheduler to set its step index.
   */
  scaleModelInputAt(sample: TensorLike<'float32'>, index: number): Tensor<'float32'>;
  step(modelOutput: TensorLike<'float32'>, timestep: number, sample: TensorLike<'float32'>, options?: StepOptions): StepResult;
  addNoise(original: TensorLike<'float32'>, noise: TensorLike<'float32'>, timestep: number): Tensor<'float32'>;
  /** img2img: start the loop at this index of `timesteps` (diffusers' set_begin_index). */
  setBeginIndex(index: number): void;
  readonly stepIndex: number | null;
  getState(): SchedulerState;
  setState(state: SchedulerState): void;
  /**
   * One step from `state` at position `stepIndex`, the state read once and the next one handed
   * back without the copies `setState` and `getState` make (the step node's hot path): the
   * scheduler keeps no reference to either state afterwards.
   */
  stepFrom(state: SchedulerState, stepIndex: number, modelOutput: TensorLike<'float32'>, timestep: number, sample: TensorLike<'float32'>, options?: StepOptions): { result: StepResult; state: SchedulerState };
  /** A copy sharing the immutable tables, with its own state. */
  clone(): Scheduler;
}

/** Check a float32 tensor-like and return its data. */
export function floatData(t: TensorLike<'float32'> | undefined, what: string): Float32Array {
  if (!t || typeof t !== 'object') throw new Error(`${what}: expected a float32 tensor, got ${String(t)}`);
  if (t.dtype !== 'float32' || !(t.data instanceof Float32Array)) {
    throw new Error(`${what}: expected dtype float32 with Float32Array data, got ${String(t.dtype)}`);
  }
  if (!Array.isArray(t.shape)) throw new Error(`${what}: tensor has no shape array`);
  const n = shapeSize(t.shape);
  if (t.data.length !== n) {
    throw new Error(`${what}: data has ${t.data.length} elements but shape [${t.shape.join(', ')}] needs ${n}`);
  }
  return t.data;
}

export function checkSameShape(a: { shape: readonly number[] }, b: { shape: readonly number[] }, whatA: string, whatB: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${whatB} has shape [${b.shape.join(', ')}] but ${whatA} has shape [${a.shape.join(', ')}]`);
  }
}

export function toTensor(shape: readonly number[], data: Float32Array): Tensor<'float32'> {
  return new Tensor('float32', shape, data);
}

/** A step's result: the next sample and (where the scheduler has one) the x0 estimate. */
export function stepResult(shape: readonly number[], prev: Float32Array, x0?: Float32Array): StepResult {
  return { prevSample: toTensor(shape, prev), predOriginalSample: x0 && toTensor(shape, x0) };
}

/** An explicit sigma schedule (steps + 1 values, e.g. ComfyUI's) as float32, each finite and >= 0. */
export function checkedSigmaTable(who: string, sigmas: ArrayLike<number>): Float32Array {
  if (sigmas.length < 2) throw new Error(`${who}.setSigmas: need at least 2 sigmas (steps + 1), got ${sigmas.length}`);
  const table = Float32Array.from(sigmas);
  for (let i = 0; i < table.length; i++) {
    if (!Number.isFinite(table[i]) || table[i] < 0) {
      throw new Error(`${who}.setSigmas: sigma ${i} is ${sigmas[i]}, expected a finite number >= 0`);
    }
  }
  return table;
}

/** Draw noise shaped like `shape` from the options (explicit noise or generator). */
export function drawNoise(options: StepOptions | undefined, shape: readonly number[], who: string): Float32Array {
  if (options?.varianceNoise) {
    const data = floatData(options.varianceNoise, `${who}: varianceNoise`);
    if (data.length !== shapeSize(shape)) {
      throw new Error(`${who}: varianceNoise has ${data.length} elements, the sample has ${shapeSize(shape)}`);
    }
    return data;
  }
  const generator = options?.generator;
  if (!generator) throw new Error(`${who}: this step is stochastic and needs a generator (or varianceNoise)`);
  const drawn = generator.randn(shape);
  const data = drawn instanceof Float32Array ? drawn : floatData(drawn, `${who}: generator output`);
  if (data.length !== shapeSize(shape)) throw new Error(`${who}: generator returned ${data.length} values`);
  return data;
}

/** torch.clamp to [-range, range] in place (callers pass their own fresh x0); returns `x`. */
export function clampInPlace(x: Float32Array, range: number): Float32Array {
  const lo = f32(-range);
  const hi = f32(range);
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    x[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return x;
}

/**
 * diffusers' dynamic thresholding (Imagen): per batch item, s = quantile(|x|, ratio) clamped to
 * [1, max], then x = clamp(x, -s, s) / s. torch.quantile's linear interpolation in float32.
 */
export function thresholdSample(
  x: Float32Array,
  shape: readonly number[],
  ratio: number,
  maxValue: number,
): Float32Array {
  const batch = shape[0] ?? 1;
  const per = x.length / batch;
  const out = new Float32Array(x.length);
  const sorted = new Float32Array(per);
  for (let b = 0; b < batch; b++) {
    const off = b * per;
    for (let i = 0; i < per; i++) sorted[i] = Math.abs(x[off + i]);
    sorted.sort();
    const rank = f32(f32(ratio) * (per - 1));
    const below = Math.floor(rank);
    const above = Math.ceil(rank);
    const weight = f32(rank - below);
    const lo = sorted[below];
    const hi = sorted[above];
    // torch.lerp: weight < 0.5 ? lo + w * (hi - lo) : hi - (hi - lo) * (1 - w)
    const diff = f32(hi - lo);
    let s = weight < 0.5 ? f32(lo + f32(weight * diff)) : f32(hi - f32(diff * f32(1 - weight)));
    s = Math.min(Math.max(s, 1), f32(maxValue));
    for (let i = 0; i < per; i++) {
      const v = x[off + i];
      out[off + i] = (v < -s ? -s : v > s ? s : v) / s;
    }
  }
  return out;
}

/** The tables and state handling shared by all schedulers. */
export abstract class SchedulerBase implements Scheduler {
  readonly name: SchedulerName;
  readonly config: Readonly<SchedulerConfig>;
  readonly betas: Float32Array;
  readonly alphas: Float32Array;
  readonly alphasCumprod: Float32Array;
  order = 1;
  timesteps: number[];
  sigmas: Float32Array | undefined = undefined;
  numInferenceSteps: number | null = null;
  protected state: SchedulerState = initialState();

  constructor(name: SchedulerName, config: SchedulerConfig) {
    this.name = name;
    this.config = Object.freeze({ ...config });
    this.betas = makeBetas(config);
    const { alphas, alphasCumprod } = alphasFromBetas(this.betas);
    this.alphas = alphas;
    this.alphasCumprod = alphasCumprod;
    const n = config.num_train_timesteps;
    this.timesteps = Array.from({ length: n }, (_, i) => n - 1 - i);
  }

  get initNoiseSigma(): number {
    return 1;
  }

  get stepIndex(): number | null {
    return this.state.stepIndex;
  }

  abstract setTimesteps(numInferenceSteps: number): void;
  abstract step(
    modelOutput: TensorLike<'float32'>,
    timestep: number,
    sample: TensorLike<'float32'>,
    options?: StepOptions,
  ): StepResult;

  scaleModelInput(sample: TensorLike<'float32'>, _timestep: number): Tensor<'float32'> {
    floatData(sample, `${this.name}.scaleModelInput: sample`);
    return Tensor.from(sample) as Tensor<'float32'>;
  }

  scaleModelInputAt(sample: TensorLike<'float32'>, index: number): Tensor<'float32'> {
    floatData(sample, `${this.name}.scaleModelInputAt: sample`);
    this.checkPosition(index, 'scaleModelInputAt');
    return Tensor.from(sample) as Tensor<'float32'>;
  }

  async scaleModelInputAtOnDevice(_device: TensorDevice, sample: AnyFloatTensor, index: number): Promise<AnyFloatTensor> {
    this.checkPosition(index, 'scaleModelInputAt');
    return sample;
  }

  /** Throws unless `index` is a position in `timesteps`. */
  protected checkPosition(index: number, what: string): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.timesteps.length) {
      throw new Error(`${this.name}.${what}: step position ${index} is outside 0..${this.timesteps.length - 1} (were the timesteps set?)`);
    }
  }

  /** x_t = sqrt(acp[t]) * x0 + sqrt(1 - acp[t]) * noise (DDPM, DDIM, PNDM, LCM, unCLIP). */
  addNoise(original: TensorLike<'float32'>, noise: TensorLike<'float32'>, timestep: number): Tensor<'float32'> {
    const x = floatData(original, `${this.name}.addNoise: original`);
    const e = floatData(noise, `${this.name}.addNoise: noise`);
    checkSameShape(original, noise, 'original', 'noise');
    const acp = this.alphaProdAt(timestep, 'addNoise');
    const [a, b] = alphaSigma(acp);
    return toTensor(original.shape, kernels().linearCombination(a, x, b, e));
  }

  setBeginIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.timesteps.length) {
      throw new Error(`${this.name}.setBeginIndex: index ${index} is outside 0..${this.timesteps.length - 1}`);
    }
    this.state.beginIndex = index;
  }

  getState(): SchedulerState {
    return cloneState(this.state);
  }

  setState(state: SchedulerState): void {
    this.state = cloneState(state);
  }

  stepFrom(state: SchedulerState, stepIndex: number, modelOutput: TensorLike<'float32'>, timestep: number, sample: TensorLike<'float32'>, options?: StepOptions): { result: StepResult; state: SchedulerState } {
    // One copy: the step mutates it into the next state, which goes to the caller as it is.
    this.state = { ...state, history: [...state.history], stepIndex };
    try {
      const result = this.step(modelOutput, timestep, sample, options);
      return { result, state: this.state };
    } finally {
      this.state = RELEASED_STATE;
    }
  }

  clone(): Scheduler {
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    Object.assign(copy, this);
    copy.state = cloneState(this.state);
    return copy;
  }

  /**
   * The model output's and the sample's data for `step`, checked: float32, consistent shapes, the
   * same shape as each other (`sameShape` false leaves that check to a caller that splits a
   * learned variance off the model output).
   */
  protected stepInputs(
    modelOutput: TensorLike<'float32'>,
    sample: TensorLike<'float32'>,
    sameShape = true,
  ): { who: string; m: Float32Array; s: Float32Array } {
    const who = `${this.name}.step`;
    const m = floatData(modelOutput, `${who}: modelOutput`);
    const s = floatData(sample, `${who}: sample`);
    if (sameShape) checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    return { who, m, s };
  }

  /** Timesteps from diffusers' leading/linspace/trailing spacing (DDPM, DDIM). */
  protected setSpacedTimesteps(numInferenceSteps: number): void {
    this.checkSteps(numInferenceSteps);
    const c = this.config;
    this.timesteps = spacedTimesteps(c.timestep_spacing, c.num_train_timesteps, numInferenceSteps, c.steps_offset, true);
    this.numInferenceSteps = numInferenceSteps;
    this.state.stepIndex = null;
  }

  /** Record that the step at `index` is done and build its result. */
  protected finishStep(index: number, shape: readonly number[], prev: Float32Array, x0?: Float32Array): StepResult {
    this.state.stepIndex = index + 1;
    return stepResult(shape, prev, x0);
  }

  /** alphas_cumprod[t] with a clear error for a timestep outside the training range. */
  protected alphaProdAt(t: number, where: string): number {
    if (!Number.isInteger(t) || t < 0 || t >= this.alphasCumprod.length) {
      throw new Error(
        `${this.name}.${where}: timestep ${t} is not an integer in 0..${this.alphasCumprod.length - 1}`,
      );
    }
    return this.alphasCumprod[t];
  }

  protected requireTimesteps(where: string): void {
    if (this.numInferenceSteps === null) {
      throw new Error(`${this.name}.${where}: call setTimesteps(n) first`);
    }
  }

  protected checkSteps(n: number): void {
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`${this.name}.setTimesteps: number of steps must be a positive integer, got ${n}`);
    }
    if (n > this.config.num_train_timesteps) {
      throw new Error(
        `${this.name}.setTimesteps: ${n} steps exceed num_train_timesteps (${this.config.num_train_timesteps})`,
      );
    }
  }

  /** diffusers' index_for_timestep: the second match when the timestep repeats (img2img). */
  protected indexForTimestep(t: number): number {
    const hits: number[] = [];
    for (let i = 0; i < this.timesteps.length; i++) if (this.timesteps[i] === t) hits.push(i);
    if (hits.length === 0) {
      throw new Error(`${this.name}.step: timestep ${t} is not in this scheduler's timesteps`);
    }
    return hits.length > 1 ? hits[1] : hits[0];
  }

  /** diffusers' _init_step_index. */
  protected ensureStepIndex(t: number): number {
    if (this.state.stepIndex === null) {
      this.state.stepIndex = this.state.beginIndex ?? this.indexForTimestep(t);
    }
    return this.state.stepIndex;
  }

  /** Predicted x0 clipped (in place: `x0` must be the caller's fresh array) or thresholded as configured. */
  protected clipOrThreshold(x0: Float32Array, shape: readonly number[]): Float32Array {
    if (this.config.thresholding) {
      return thresholdSample(x0, shape, this.config.dynamic_thresholding_ratio, this.config.sample_max_value);
    }
    if (this.config.clip_sample) return clampInPlace(x0, this.config.clip_sample_range);
    return x0;
  }
}
