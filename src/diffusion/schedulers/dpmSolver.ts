/**
 * DPMSolverMultistepScheduler (Lu et al. 2022, DPM-Solver and DPM-Solver++), diffusers-compatible:
 * orders 1-3, midpoint/heun second-order updates, Karras / Lu / exponential sigmas,
 * lower_order_final, euler_at_final and final_sigmas_type.
 */
import { Tensor, type TensorLike } from '../../tensor/tensor.ts';
import type { AnyFloatTensor, ResidentTensor, TensorDevice } from '../../tensor/resident.ts';
import { deviceInput, devicePrediction, ownValue, thresholdedX0OnDevice, type DeviceStepResult } from './onDevice.ts';
import {
  f32,
  interpOnIndexGrid,
  karrasSigmas,
  logF32,
  logUniformSigmas,
  numpyLinspace,
  roundHalfEven,
  sigmaToT,
  sigmasFromAlphasCumprod,
} from '../schedules.ts';
import {
  SchedulerBase,
  checkSameShape,
  checkedSigmaTable,
  floatData,
  stepResult,
  thresholdSample,
  toTensor,
  type StepOptions,
  type StepResult,
} from './base.ts';
import type { SchedulerConfig } from './config.ts';
import { predictFromAlphaSigma } from './predictOriginal.ts';
import { kernels } from '../kernels/index.ts';
import {
  alphaSigmaLambda,
  firstOrderCoefficients,
  firstOrderUpdate,
  secondOrderCoefficients,
  secondOrderUpdate,
  thirdOrderCoefficients,
  thirdOrderUpdate,
} from './dpmSolverUpdates.ts';

export class DPMSolverMultistepScheduler extends SchedulerBase {
  readonly trainSigmas: Float32Array;
  readonly logSigmas: Float32Array;

  constructor(config: SchedulerConfig) {
    super('DPMSolverMultistepScheduler', config);
    if (config.rescale_betas_zero_snr) this.alphasCumprod[this.alphasCumprod.length - 1] = 2 ** -24;
    if (config.solver_order < 1 || config.solver_order > 3) {
      throw new Error(`${this.name} config: "solver_order" must be 1, 2 or 3, got ${config.solver_order}`);
    }
    if (config.algorithm_type === 'dpmsolver' && config.final_sigmas_type === 'zero') {
      throw new Error(`${this.name}: final_sigmas_type "zero" needs algorithm_type "dpmsolver++" (as in diffusers)`);
    }
    this.trainSigmas = sigmasFromAlphasCumprod(this.alphasCumprod);
    this.logSigmas = logF32(this.trainSigmas);
    this.sigmas = this.trainSigmas;
  }

  /**
   * How many of the last training timesteps lambda_min_clipped cuts off: diffusers'
   * searchsorted(flip(lambda_t), lambda_min_clipped) with lambda_t = log alpha_t - log sigma_t.
   */
  private clippedCount(): number {
    const clip = this.config.lambda_min_clipped;
    if (clip === -Infinity) return 0;
    let count = 0;
    for (const acp of this.alphasCumprod) {
      const lambda = f32(f32(Math.log(f32(Math.sqrt(acp)))) - f32(Math.log(f32(Math.sqrt(f32(1 - acp))))));
      if (lambda < clip) count++;
    }
    return count;
  }

  setTimesteps(numInferenceSteps: number): void {
    this.checkSteps(numInferenceSteps);
    const c = this.config;
    const n = numInferenceSteps;
    const last = c.num_train_timesteps - this.clippedCount();
    let timesteps: number[];
    if (c.timestep_spacing === 'linspace') {
      timesteps = Array.from(numpyLinspace(0, last - 1, n + 1), roundHalfEven).reverse().slice(0, -1);
    } else if (c.timestep_spacing === 'leading') {
      const ratio = Math.floor(last / (n + 1));
      timesteps = [];
      for (let i = n; i >= 1; i--) timesteps.push(i * ratio + c.steps_offset);
    } else {
      const ratio = c.num_train_timesteps / n;
      const count = Math.ceil(last / ratio);
      timesteps = Array.from({ length: count }, (_, i) => roundHalfEven(last - i * ratio) - 1);
    }
    let sigmas64: Float64Array;
    if (c.use_karras_sigmas) {
      const sigmaMin = c.sigma_min ?? this.trainSigmas[0];
      const sigmaMax = c.sigma_max ?? this.trainSigmas[this.trainSigmas.length - 1];
      sigmas64 = karrasSigmas(sigmaMin, sigmaMax, n);
      timesteps = Array.from(sigmas64, (s) => roundHalfEven(sigmaToT(s, this.logSigmas)));
    } else if (c.use_lu_lambdas) {
      // Lu et al.'s uniform-lambda spacing: linear in log-sigma between the table's ends.
      const lambdaMax = this.logSigmas[this.logSigmas.length - 1];
      const lambdaMin = this.logSigmas[0];
      const ramp = numpyLinspace(0, 1, n);
      sigmas64 = ramp.map((r) => Math.exp(lambdaMax + r * (lambdaMin - lambdaMax)));
      timesteps = Array.from(sigmas64, (s) => roundHalfEven(sigmaToT(s, this.logSigmas)));
    } else if (c.use_exponential_sigmas) {
      sigmas64 = logUniformSigmas(this.trainSigmas[0], this.trainSigmas[this.trainSigmas.length - 1], n);
      timesteps = Array.from(sigmas64, (s) => roundHalfEven(sigmaToT(s, this.logSigmas)));
    } else {
      sigmas64 = interpOnIndexGrid(timesteps, this.trainSigmas);
    }
    // diffusers: sigma_min is the table's first sigma, whatever the spacing.
    const finalSigma = c.final_sigmas_type === 'zero' ? 0 : this.trainSigmas[0];
    const sigmas = new Float32Array(sigmas64.length + 1);
    sigmas.set(sigmas64);
    sigmas[sigmas64.length] = finalSigma;
    this.applySchedule(timesteps, sigmas);
  }

  /** Install a schedule and restart the solver (empty history, first order first). */
  private applySchedule(timesteps: number[], sigmas: Float32Array): void {
    this.sigmas = sigmas;
    this.timesteps = timesteps;
    this.numInferenceSteps = timesteps.length;
    this.state = {
      ...this.state,
      history: new Array<Float32Array | null>(this.config.solver_order).fill(null),
      lowerOrderNums: 0,
      stepIndex: null,
      beginIndex: null,
    };
  }

  /**
   * Use an explicit sigma list (steps + 1 values, e.g. a ComfyUI schedule); each step's timestep
   * is the rounded training timestep of its sigma.
   */
  setSigmas(sigmas: ArrayLike<number>): void {
    const table = checkedSigmaTable(this.name, sigmas);
    this.applySchedule(
      Array.from(table.subarray(0, table.length - 1), (s) => roundHalfEven(sigmaToT(s, this.logSigmas))),
      table,
    );
  }

  /** alpha_t * x0 + sigma_t * noise at the timestep's sigma. */
  override addNoise(original: TensorLike<'float32'>, noise: TensorLike<'float32'>, timestep: number): Tensor<'float32'> {
    this.requireTimesteps('addNoise');
    const x = floatData(original, `${this.name}.addNoise: original`);
    const e = floatData(noise, `${this.name}.addNoise: noise`);
    checkSameShape(original, noise, 'original', 'noise');
    const index =
      this.state.beginIndex === null ? this.indexForTimestep(timestep) : (this.state.stepIndex ?? this.state.beginIndex);
    const { alpha, sigma } = alphaSigmaLambda((this.sigmas as Float32Array)[index]);
    return toTensor(original.shape, kernels().linearCombination(alpha, x, sigma, e));
  }

  /** The model output as the solver's variable: x0 for dpmsolver++, epsilon for dpmsolver. */
  private convertModelOutput(m: Float32Array, s: Float32Array, shape: readonly number[], index: number): Float32Array {
    const { alpha, sigma } = alphaSigmaLambda((this.sigmas as Float32Array)[index]);
    const c = this.config;
    const who = this.name;
    if (c.algorithm_type === 'dpmsolver++') {
      const x0 = predictFromAlphaSigma(c.prediction_type, m, s, alpha, sigma, who, true, false).x0 as Float32Array;
      return c.thresholding ? thresholdSample(x0, shape, c.dynamic_thresholding_ratio, c.sample_max_value) : x0;
    }
    const eps = predictFromAlphaSigma(c.prediction_type, m, s, alpha, sigma, who, false, true).eps as Float32Array;
    // The history keeps this array: never the caller's own buffer.
    if (!c.thresholding) return eps === m ? m.slice() : eps;
    // Threshold the implied x0, then turn it back into epsilon (as diffusers does).
    const x0 = predictFromAlphaSigma('epsilon', eps, s, alpha, sigma, who, true, false).x0 as Float32Array;
    const clipped = thresholdSample(x0, shape, c.dynamic_thresholding_ratio, c.sample_max_value);
    return predictFromAlphaSigma('sample', clipped, s, alpha, sigma, who, false, true).eps as Float32Array;
  }

  step(
    modelOutput: TensorLike<'float32'>,
    timestep: number,
    sample: TensorLike<'float32'>,
    _options?: StepOptions,
  ): StepResult {
    this.requireTimesteps('step');
    const { who, m, s } = this.stepInputs(modelOutput, sample);
    const c = this.config;
    const index = this.ensureStepIndex(timestep);
    if (index + 1 >= (this.sigmas as Float32Array).length) {
      throw new Error(`${who}: step index ${index} is past the end of the schedule`);
    }
    const st = this.state;
    const order = this.stepOrder(index);
    const previous = this.previousOutputs();
    let converted: Float32Array;
    let out: Float32Array;
    if (order < 3 && c.algorithm_type === 'dpmsolver++' && c.prediction_type === 'epsilon' && !c.thresholding) {
      // Hot path (DPM-Solver++ 1S/2M on epsilon models): x0 and the update in one pass, the same
      // float32 ops as convertModelOutput followed by firstOrder / secondOrder (wasm SIMD or JS).
      const { alpha, sigma } = alphaSigmaLambda((this.sigmas as Float32Array)[index]);
      const previousX0 = previous[previous.length - 1] as Float32Array;
      let fused;
      if (order === 1) {
        const { cs, cd } = firstOrderCoefficients(this.sigmas as Float32Array, index, this.config.algorithm_type);
        fused = kernels().dpmFirstOrder(m, s, alpha, sigma, cs, cd);
      } else {
        fused = kernels().dpmSecondOrder(m, s, previousX0, { alpha, sigma, ...secondOrderCoefficients(this.sigmas as Float32Array, index, this.config.algorithm_type, this.config.solver_type) });
      }
      converted = fused.x0;
      out = fused.out;
    } else {
      converted = this.convertModelOutput(m, s, sample.shape, index);
      const [d2, d1] = previous.slice(-2) as Float32Array[];
      if (order === 1) out = firstOrderUpdate(s, converted, firstOrderCoefficients(this.sigmas as Float32Array, index, this.config.algorithm_type));
      else if (order === 2) out = secondOrderUpdate(s, converted, d1, secondOrderCoefficients(this.sigmas as Float32Array, index, this.config.algorithm_type, this.config.solver_type));
      else out = thirdOrderUpdate(s, [d2, d1, converted], thirdOrderCoefficients(this.sigmas as Float32Array, index, this.config.algorithm_type));
    }
    this.advance(index, previous, converted);
    return stepResult(sample.shape, out, c.algorithm_type === 'dpmsolver++' ? converted : undefined);
  }

  /** The solver order of the step from position `index` (lower near the end, and while history builds up). */
  private stepOrder(index: number): 1 | 2 | 3 {
    const c = this.config;
    const count = this.timesteps.length;
    const lowerOrderFinal =
      index === count - 1 &&
      (c.euler_at_final || (c.lower_order_final && count < 15) || c.final_sigmas_type === 'zero');
    const lowerOrderSecond = index === count - 2 && c.lower_order_final && count < 15;
    const st = this.state;
    return c.solver_order === 1 || st.lowerOrderNums < 1 || lowerOrderFinal
      ? 1
      : c.solver_order === 2 || st.lowerOrderNums < 2 || lowerOrderSecond
        ? 2
        : 3;
  }

  private previousOutputs(): (Float32Array | ResidentTensor | null)[] {
    const n = this.config.solver_order;
    return this.state.history.length === n ? this.state.history : new Array(n).fill(null);
  }

  /** Pushes this step's converted output into the history and moves to the next position. */
  private advance(index: number, previous: (Float32Array | ResidentTensor | null)[], converted: Float32Array | ResidentTensor): void {
    const st = this.state;
    const history = [...previous];
    history.shift();
    history.push(converted);
    st.history = history;
    if (st.lowerOrderNums < this.config.solver_order) st.lowerOrderNums += 1;
    st.stepIndex = index + 1;
  }

  /**
   * DPM-Solver++ 1S/2M/3M on epsilon and v-prediction models on a device, thresholded or not (the
   * history then keeps resident x0 predictions), and DPM-Solver (algorithm_type dpmsolver,
   * unthresholded: the history keeps epsilon). DPM-Solver thresholded steps on the host.
   */
  stepOnDevice(device: TensorDevice, modelOutput: AnyFloatTensor, timestep: number, sample: AnyFloatTensor): Promise<DeviceStepResult> | undefined {
    const c = this.config;
    const prediction = devicePrediction(c.prediction_type);
    const plus = c.algorithm_type === 'dpmsolver++';
    if (!prediction || (!plus && c.thresholding) || this.timesteps.length === 0) return undefined;
    checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    const index = this.ensureStepIndex(timestep);
    if (index + 1 >= (this.sigmas as Float32Array).length) throw new Error(`${this.name}.step: step index ${index} is past the end of the schedule`);
    const order = this.stepOrder(index);
    const { alpha, sigma } = alphaSigmaLambda((this.sigmas as Float32Array)[index]);
    const previous = this.previousOutputs();
    const update = this.deviceUpdate(order, index, previous, sample.shape);
    const finish = (prevSample: ResidentTensor, x0: ResidentTensor): DeviceStepResult => {
      this.advance(index, previous, x0);
      return { prevSample, predOriginalSample: x0 };
    };
    if (!plus) {
      // DPM-Solver's variable is epsilon: the model output itself (a value, kept as it is), or
      // alpha·m + sigma·s on a v-prediction; the updates are the same formulas on it.
      const eps = prediction === 'epsilon' ? Promise.resolve(ownValue(modelOutput)) : device.run('eps-v', [modelOutput, sample], [alpha, sigma]).then(([e]) => e);
      return eps.then(async (e) => {
        const [prevSample] = await device.run(`dpm-${update.order}-order-from-x0`, [deviceInput(sample.shape, e), sample, ...update.older], update.scalars);
        this.advance(index, previous, e);
        return { prevSample };
      });
    }
    if (c.thresholding) {
      return thresholdedX0OnDevice(device, prediction, modelOutput, sample, [alpha, sigma], c).then(async (x0) => {
        const [prevSample] = await device.run(`dpm-${update.order}-order-from-x0`, [x0, sample, ...update.older], update.scalars);
        return finish(prevSample, x0);
      });
    }
    const op = `dpm-${update.order}-order${prediction === 'v' ? '-v' : ''}` as const;
    return device.run(op, [modelOutput, sample, ...update.older], [alpha, sigma, ...update.scalars]).then(([prevSample, x0]) => finish(prevSample, x0));
  }

  /** The update of a device step of `order`: its name, the older solver variables (x0 or epsilon) it reads, newest first, and its coefficients. */
  private deviceUpdate(order: 1 | 2 | 3, index: number, previous: (Float32Array | ResidentTensor | null)[], shape: readonly number[]) {
    const sigmas = this.sigmas as Float32Array;
    const algorithm = this.config.algorithm_type;
    // The solver variable k steps back (1: the newest in the history).
    const earlier = (k: number) => deviceInput(shape, previous[previous.length - k]!);
    if (order === 1) {
      const { cs, cd } = firstOrderCoefficients(sigmas, index, algorithm);
      return { order: 'first' as const, older: [], scalars: [cs, cd] };
    }
    if (order === 2) {
      const k = secondOrderCoefficients(sigmas, index, algorithm, this.config.solver_type);
      return { order: 'second' as const, older: [earlier(1)], scalars: [k.cs, k.c0, k.c1, k.invR0] };
    }
    const k = thirdOrderCoefficients(sigmas, index, algorithm);
    return { order: 'third' as const, older: [earlier(1), earlier(2)], scalars: [k.cs, k.c0, k.c1, k.c2, k.invR0, k.invR1, k.w, k.invR01] };
  }
}
