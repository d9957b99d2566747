/**
 * Shared machinery of the sigma-parameterised (k-diffusion style) schedulers: Euler, Euler
 * ancestral, LMS, Heun. Sigma tables follow diffusers: the float32 training sigmas, np.interp at
 * the inference timesteps in float64, optional Karras spacing, then cast to float32.
 */
import type { Tensor, TensorLike } from '../../tensor/tensor.ts';
import {
  f32,
  interpOnIndexGrid,
  karrasSigmas,
  logF32,
  logUniformSigmas,
  sigmaToT,
  sigmasFromAlphasCumprod,
  spacedTimesteps,
} from '../schedules.ts';
import { SchedulerBase, checkSameShape, checkedSigmaTable, floatData, toTensor } from './base.ts';
import type { SchedulerConfig, SchedulerName } from './config.ts';
import { sigmaPredictX0 } from './predictOriginal.ts';
import { kernels } from '../kernels/index.ts';
import type { AnyFloatTensor, TensorDevice } from '../../tensor/resident.ts';

export abstract class SigmaSchedulerBase extends SchedulerBase {
  /** sqrt((1 - acp) / acp) per training timestep, ascending with t (float32). */
  readonly trainSigmas: Float32Array;
  readonly logSigmas: Float32Array;

  constructor(name: SchedulerName, config: SchedulerConfig) {
    super(name, config);
    if (config.rescale_betas_zero_snr) {
      // diffusers keeps the terminal sigma finite this way.
      this.alphasCumprod[this.alphasCumprod.length - 1] = 2 ** -24;
    }
    this.trainSigmas = sigmasFromAlphasCumprod(this.alphasCumprod);
    this.logSigmas = logF32(this.trainSigmas);
    const n = config.num_train_timesteps;
    const sigmas = new Float32Array(n + 1);
    for (let i = 0; i < n; i++) sigmas[i] = this.trainSigmas[n - 1 - i];
    this.sigmas = sigmas;
    this.timesteps = Array.from({ length: n }, (_, i) => n - 1 - i);
  }

  /** Set by setSigmas: an explicit (ComfyUI) schedule starts from noise × its first sigma. */
  protected explicitSigmas = false;

  /**
   * diffusers: the largest sigma for linspace/trailing spacing, sqrt(max^2 + 1) for leading.
   * Explicit (ComfyUI) sigmas follow ComfyUI's noise_scaling: a schedule that starts at the
   * model's sigma_max (a full denoise) scales the noise by sqrt(1 + sigma^2), a shorter one (a
   * denoise below 1, a later start) by its first sigma.
   */
  override get initNoiseSigma(): number {
    let max = 0;
    for (const s of this.sigmas as Float32Array) if (s > max) max = s;
    if (this.explicitSigmas) {
      const sigmaMax = this.trainSigmas[this.trainSigmas.length - 1];
      const first = (this.sigmas as Float32Array)[0];
      const fullDenoise = first > sigmaMax || Math.abs(first - sigmaMax) <= 1e-5 * Math.max(Math.abs(first), Math.abs(sigmaMax));
      return fullDenoise ? f32(Math.sqrt(f32(f32(first * first) + 1))) : first;
    }
    if (this.config.timestep_spacing === 'linspace' || this.config.timestep_spacing === 'trailing') return max;
    return f32(Math.sqrt(f32(f32(max * max) + 1)));
  }

  /** Build `timesteps` and `sigmas` for n steps; `finalSigma` is appended after the last step. */
  protected buildSigmaSchedule(n: number, finalSigma: 'zero' | 'sigma_min'): void {
    this.checkSteps(n);
    const c = this.config;
    const grid = spacedTimesteps(c.timestep_spacing, c.num_train_timesteps, n, c.steps_offset, false);
    const timesteps = grid.map((v) => f32(v));
    let sigmas64: Float64Array = interpOnIndexGrid(timesteps, this.trainSigmas);
    let finalTimesteps: number[] = timesteps;
    if (c.use_karras_sigmas) {
      const sigmaMin = c.sigma_min ?? sigmas64[sigmas64.length - 1];
      const sigmaMax = c.sigma_max ?? sigmas64[0];
      sigmas64 = karrasSigmas(sigmaMin, sigmaMax, n);
      finalTimesteps = Array.from(sigmas64, (s) => f32(sigmaToT(s, this.logSigmas)));
    } else if (c.use_exponential_sigmas) {
      const sigmaMin = c.sigma_min ?? sigmas64[sigmas64.length - 1];
      const sigmaMax = c.sigma_max ?? sigmas64[0];
      sigmas64 = logUniformSigmas(sigmaMin, sigmaMax, n);
      finalTimesteps = Array.from(sigmas64, (s) => f32(sigmaToT(s, this.logSigmas)));
    }
    const sigmas = new Float32Array(sigmas64.length + 1);
    sigmas.set(sigmas64);
    sigmas[sigmas64.length] = finalSigma === 'sigma_min' ? this.trainSigmas[0] : 0;
    this.applySchedule(finalTimesteps, sigmas);
    this.numInferenceSteps = n;
    this.explicitSigmas = false;
  }

  /**
   * Use an explicit sigma list (length steps + 1, e.g. a ComfyUI schedule); timesteps are the
   * fractional training timesteps of each sigma, as diffusers does for custom sigmas.
   */
  setSigmas(sigmas: ArrayLike<number>): void {
    const table = checkedSigmaTable(this.name, sigmas);
    const timesteps = Array.from(table.subarray(0, table.length - 1), (s) => f32(sigmaToT(s, this.logSigmas)));
    this.applySchedule(timesteps, table);
    this.numInferenceSteps = timesteps.length;
    this.explicitSigmas = true;
  }

  /** Hook for schedulers that reshape the schedule (Heun doubles its interior points). */
  protected applySchedule(timesteps: number[], sigmas: Float32Array): void {
    this.timesteps = timesteps;
    this.sigmas = sigmas;
    this.state = { ...this.state, stepIndex: null, beginIndex: null, history: [] };
  }

  /** sample / sqrt(sigma^2 + 1) with sigma at the current step (initialising the step index). */
  override scaleModelInput(sample: TensorLike<'float32'>, timestep: number): Tensor<'float32'> {
    floatData(sample, `${this.name}.scaleModelInput: sample`);
    return this.scaleModelInputAt(sample, this.ensureStepIndex(timestep));
  }

  /** sample / sqrt(sigma^2 + 1) with sigma at position `index` of the schedule; the state is left alone. */
  override scaleModelInputAt(sample: TensorLike<'float32'>, index: number): Tensor<'float32'> {
    const s = floatData(sample, `${this.name}.scaleModelInputAt: sample`);
    this.checkPosition(index, 'scaleModelInputAt');
    const sigma = (this.sigmas as Float32Array)[index];
    const denom = f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
    return toTensor(sample.shape, kernels().divide(s, denom));
  }

  /** scaleModelInputAt on a device: the same division by sqrt(sigma² + 1), there. */
  override async scaleModelInputAtOnDevice(device: TensorDevice, sample: AnyFloatTensor, index: number): Promise<AnyFloatTensor> {
    this.checkPosition(index, 'scaleModelInputAt');
    const sigma = (this.sigmas as Float32Array)[index];
    const [scaled] = await device.run('divide', [sample], [f32(Math.sqrt(f32(f32(sigma * sigma) + 1)))]);
    return scaled;
  }

  /** original + noise * sigma(t). */
  override addNoise(original: TensorLike<'float32'>, noise: TensorLike<'float32'>, timestep: number): Tensor<'float32'> {
    const x = floatData(original, `${this.name}.addNoise: original`);
    const e = floatData(noise, `${this.name}.addNoise: noise`);
    checkSameShape(original, noise, 'original', 'noise');
    const index =
      this.state.beginIndex === null
        ? this.indexForTimestep(timestep)
        : (this.state.stepIndex ?? this.state.beginIndex);
    const sigma = (this.sigmas as Float32Array)[index];
    return toTensor(original.shape, kernels().addScaled(x, e, sigma));
  }

  /** x0 from the model output at `sigma` (epsilon, v_prediction or sample). */
  protected predictX0(m: Float32Array, s: Float32Array, sigma: number, allowSample = true): Float32Array {
    return sigmaPredictX0(this.config.prediction_type, m, s, sigma, this.name, allowSample);
  }

  protected sigmaAt(index: number): number {
    const sigmas = this.sigmas as Float32Array;
    if (index < 0 || index >= sigmas.length) {
      throw new Error(`${this.name}.step: step index ${index} is past the end of the schedule (${sigmas.length - 1} steps)`);
    }
    return sigmas[index];
  }
}
