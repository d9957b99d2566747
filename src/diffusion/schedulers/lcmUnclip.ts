/**
 * LCMScheduler (Luo et al. 2023, latent consistency models) and UnCLIPScheduler (DALL·E 2's
 * DDPM variant with fixed_small_log variance), diffusers-compatible.
 */
import type { TensorLike } from '../../tensor/tensor.ts';
import type { AnyFloatTensor, ResidentTensor, TensorDevice } from '../../tensor/resident.ts';
import { f32, numpyLinspace, roundHalfEven } from '../schedules.ts';
import { SchedulerBase, checkSameShape, clampInPlace, drawNoise, stepResult, type StepOptions, type StepResult } from './base.ts';
import { deviceNoise, devicePrediction, isLearnedVarianceOutput, learnedVarianceStepOnDevice, thresholdedX0OnDevice, type DeviceStepResult } from './onDevice.ts';
import type { SchedulerConfig } from './config.ts';
import { withLearnedVariance } from './ddpm.ts';
import { addScaledNoise, alphaEpsilonScalars, alphaPredictions, alphaSigma, linearCombination } from './predictOriginal.ts';

const SIGMA_DATA = 0.5;

export class LCMScheduler extends SchedulerBase {
  readonly finalAlphaCumprod: number;

  constructor(config: SchedulerConfig) {
    super('LCMScheduler', config);
    this.finalAlphaCumprod = config.set_alpha_to_one ? 1 : this.alphasCumprod[0];
  }

  /** Evenly skip through the original (distillation) schedule; `strength` < 1 for img2img. */
  setTimesteps(numInferenceSteps: number, strength = 1): void {
    this.checkSteps(numInferenceSteps);
    const c = this.config;
    const original = c.original_inference_steps;
    const k = Math.floor(c.num_train_timesteps / original);
    const count = Math.floor(original * strength);
    const origin: number[] = [];
    for (let i = 1; i <= count; i++) origin.push(i * k - 1);
    if (Math.floor(origin.length / numInferenceSteps) < 1) {
      throw new Error(
        `${this.name}.setTimesteps: ${numInferenceSteps} steps need at least as many original steps, ` +
          `but original_inference_steps * strength = ${origin.length}`,
      );
    }
    if (numInferenceSteps > original) {
      throw new Error(`${this.name}.setTimesteps: ${numInferenceSteps} steps exceed original_inference_steps (${original})`);
    }
    origin.reverse();
    const indices = numpyLinspace(0, origin.length, numInferenceSteps, false);
    this.timesteps = Array.from(indices, (v) => origin[Math.floor(v)]);
    this.numInferenceSteps = numInferenceSteps;
    this.state = { ...this.state, stepIndex: null, beginIndex: null };
  }

  /** Consistency-model boundary scalings c_skip, c_out at timestep t. */
  scalings(t: number): { cSkip: number; cOut: number } {
    const scaled = f32(t * f32(this.config.timestep_scaling));
    const denom = f32(f32(scaled * scaled) + f32(SIGMA_DATA ** 2));
    return { cSkip: f32(f32(SIGMA_DATA ** 2) / denom), cOut: f32(scaled / f32(Math.sqrt(denom))) };
  }

  /** The step's position, ᾱ at it and at the next timestep, and the boundary scalings (host and device alike). */
  private stepAt(timestep: number) {
    const index = this.ensureStepIndex(timestep);
    const prevIndex = index + 1;
    const prevT = prevIndex < this.timesteps.length ? this.timesteps[prevIndex] : timestep;
    const apt = this.alphaProdAt(timestep, 'step');
    const aptPrev = prevT >= 0 ? this.alphaProdAt(prevT, 'step') : this.finalAlphaCumprod;
    return { index, apt, aptPrev, ...this.scalings(timestep) };
  }

  step(
    modelOutput: TensorLike<'float32'>,
    timestep: number,
    sample: TensorLike<'float32'>,
    options?: StepOptions,
  ): StepResult {
    this.requireTimesteps('step');
    const { who, m, s } = this.stepInputs(modelOutput, sample);
    const { index, apt, aptPrev, cSkip, cOut } = this.stepAt(timestep);
    const { x0: rawX0 } = alphaPredictions(this.config.prediction_type, m, s, apt, who, false);
    const x0 = this.clipOrThreshold(rawX0, sample.shape);
    const denoised = linearCombination(cOut, x0, cSkip, s);
    let out = denoised;
    if (index !== (this.numInferenceSteps as number) - 1) {
      // Renoise to the next timestep: sqrt(acp_prev) * denoised + sqrt(1 - acp_prev) * noise.
      const noise = drawNoise(options, sample.shape, who);
      const [signal, noiseScale] = alphaSigma(aptPrev);
      out = linearCombination(signal, denoised, noiseScale, noise);
    }
    return this.finishStep(index, sample.shape, out, denoised);
  }

  /**
   * The epsilon or v-prediction step on a device, clipped, thresholded or neither; the renoising
   * noise is drawn on the host from the carried generator and uploaded.
   */
  stepOnDevice(device: TensorDevice, modelOutput: AnyFloatTensor, timestep: number, sample: AnyFloatTensor, options?: StepOptions): Promise<DeviceStepResult> | undefined {
    const c = this.config;
    const prediction = devicePrediction(c.prediction_type);
    if (!prediction) return undefined;
    this.requireTimesteps('step');
    checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    const { index, apt, aptPrev, cSkip, cOut } = this.stepAt(timestep);
    const clip = c.clip_sample ? c.clip_sample_range : Infinity;
    const scalars = alphaEpsilonScalars(apt, clip, cOut, cSkip);
    const last = index === (this.numInferenceSteps as number) - 1;
    const noise = last ? undefined : deviceNoise(options, sample.shape, `${this.name}.step`);
    this.state.stepIndex = index + 1;
    if (c.thresholding) {
      return thresholdedX0OnDevice(device, prediction, modelOutput, sample, alphaSigma(apt), c).then(async (x0) => {
        // The step returns the denoised sample as its x0 (as on the host): the thresholded x0 goes.
        const [prevSample, denoised] = noise
          ? await device.run('lcm-renoise-from-x0', [x0, sample, noise], [cOut, cSkip, ...alphaSigma(aptPrev)])
          : await device.run('alpha-from-x0', [x0, sample], [cOut, cSkip]);
        x0.dispose();
        return { prevSample, predOriginalSample: denoised ?? prevSample };
      });
    }
    if (!noise) {
      // The last step returns the denoised sample itself; the raw x0 is not needed.
      return device.run(`alpha-${prediction}`, [modelOutput, sample], scalars).then(([denoised, x0]) => {
        x0.dispose();
        return { prevSample: denoised, predOriginalSample: denoised };
      });
    }
    const renoise = alphaSigma(aptPrev);
    return device
      .run(`lcm-${prediction}-renoise`, [modelOutput, sample, noise], [...scalars, ...renoise])
      .then(([prevSample, predOriginalSample]) => ({ prevSample, predOriginalSample }));
  }
}

export class UnCLIPScheduler extends SchedulerBase {
  constructor(config: SchedulerConfig) {
    super('UnCLIPScheduler', config);
  }

  /** (N - 1) / (n - 1)-spaced timesteps from N - 1 down to 0. */
  setTimesteps(numInferenceSteps: number): void {
    this.checkSteps(numInferenceSteps);
    const N = this.config.num_train_timesteps;
    const ratio = numInferenceSteps > 1 ? (N - 1) / (numInferenceSteps - 1) : 0;
    const ts: number[] = [];
    for (let i = numInferenceSteps - 1; i >= 0; i--) ts.push(roundHalfEven(i * ratio));
    this.timesteps = ts;
    this.numInferenceSteps = numInferenceSteps;
  }

  /** learned_range's log-variance bounds at `t` → `prevT`: the posterior variance's log and β's. */
  private learnedRangeLogs(t: number, prevT: number): { minLog: number; maxLog: number } {
    const apt = this.alphaProdAt(t, 'getVariance');
    const aptPrev = prevT >= 0 ? this.alphaProdAt(prevT, 'getVariance') : 1;
    const beta = prevT === t - 1 ? this.betas[t] : f32(1 - f32(apt / aptPrev));
    const variance = f32(f32(f32(1 - aptPrev) / f32(1 - apt)) * beta);
    return { minLog: f32(Math.log(variance)), maxLog: f32(Math.log(beta)) };
  }

  /** Posterior variance term of DALL·E 2's sampler; for fixed_small_log it is already a std. */
  getVariance(t: number, prevTimestep?: number, predictedVariance?: number): number {
    const prevT = prevTimestep ?? t - 1;
    const apt = this.alphaProdAt(t, 'getVariance');
    const aptPrev = prevT >= 0 ? this.alphaProdAt(prevT, 'getVariance') : 1;
    const bpt = f32(1 - apt);
    const bptPrev = f32(1 - aptPrev);
    const beta = prevT === t - 1 ? this.betas[t] : f32(1 - f32(apt / aptPrev));
    const variance = f32(f32(bptPrev / bpt) * beta);
    if (this.config.variance_type === 'learned_range') {
      const frac = f32(f32((predictedVariance ?? 0) + 1) / 2);
      const { minLog, maxLog } = this.learnedRangeLogs(t, prevT);
      return f32(f32(frac * maxLog) + f32(f32(1 - frac) * minLog));
    }
    const logVar = f32(Math.log(Math.max(variance, f32(1e-20))));
    return f32(Math.exp(f32(0.5 * logVar)));
  }

  step(
    modelOutput: TensorLike<'float32'>,
    timestep: number,
    sample: TensorLike<'float32'>,
    options?: StepOptions,
  ): StepResult {
    const { who, m: output, s } = this.stepInputs(modelOutput, sample, false);
    const learned = this.config.variance_type === 'learned_range';
    const { prediction: m, predictedVariance } = withLearnedVariance(modelOutput, sample, output, s, learned);
    const t = timestep;
    const prevT = options?.prevTimestep ?? t - 1;
    if (!Number.isInteger(prevT) || prevT >= t) {
      throw new Error(`${who}: prevTimestep must be an integer below the timestep ${t}, got ${prevT}`);
    }
    const { apt, c0, cs } = this.stepCoefficients(t, prevT);
    if (this.config.prediction_type === 'v_prediction') {
      throw new Error(`${who}: prediction_type must be epsilon or sample for UnCLIPScheduler`);
    }
    const { x0: rawX0 } = alphaPredictions(this.config.prediction_type, m, s, apt, who, false);
    const x0 = this.config.clip_sample ? clampInPlace(rawX0, this.config.clip_sample_range) : rawX0;
    const out = linearCombination(c0, x0, cs, s);
    if (t > 0) {
      const noise = drawNoise(options, sample.shape, who);
      if (predictedVariance) {
        for (let i = 0; i < out.length; i++) {
          const v = this.getVariance(t, prevT, predictedVariance[i]);
          out[i] = out[i] + f32(f32(Math.exp(f32(0.5 * v))) * noise[i]);
        }
      } else {
        addScaledNoise(out, this.getVariance(t, prevT), noise);
      }
    }
    return stepResult(sample.shape, out, x0);
  }

  /** ᾱ_t and the posterior mean's coefficients of the step from `t` to `prevT` (host and device alike). */
  private stepCoefficients(t: number, prevT: number) {
    const apt = this.alphaProdAt(t, 'step');
    const aptPrev = prevT >= 0 ? this.alphaProdAt(prevT, 'step') : 1;
    const bpt = f32(1 - apt);
    const bptPrev = f32(1 - aptPrev);
    const beta = prevT === t - 1 ? this.betas[t] : f32(1 - f32(apt / aptPrev));
    const alpha = prevT === t - 1 ? this.alphas[t] : f32(1 - beta);
    const c0 = f32(f32(f32(Math.sqrt(aptPrev)) * beta) / bpt);
    const cs = f32(f32(f32(Math.sqrt(alpha)) * bptPrev) / bpt);
    return { apt, c0, cs };
  }

  /**
   * The epsilon step with the fixed_small_log or the learned_range variance (the model output's
   * second half of channels; its Exp is the device's, see docs/numerics.md) on a device, the
   * noise drawn on the host from the carried generator and uploaded; sample prediction steps on
   * the host.
   */
  stepOnDevice(device: TensorDevice, modelOutput: AnyFloatTensor, timestep: number, sample: AnyFloatTensor, options?: StepOptions): Promise<DeviceStepResult> | undefined {
    const c = this.config;
    const t = timestep;
    const prevT = options?.prevTimestep ?? t - 1;
    // A bad prevTimestep steps on the host, which says what is wrong with it.
    if (c.prediction_type !== 'epsilon' || !Number.isInteger(prevT) || prevT >= t) return undefined;
    const learned = c.variance_type === 'learned_range';
    // A learned variance the output does not carry steps on the host, which says what is wrong.
    if (learned && !isLearnedVarianceOutput(modelOutput, sample)) return undefined;
    if (!learned) checkSameShape(sample, modelOutput, 'sample', 'modelOutput');
    const { apt, c0, cs } = this.stepCoefficients(t, prevT);
    const clip = c.clip_sample ? c.clip_sample_range : Infinity;
    const scalars = alphaEpsilonScalars(apt, clip, c0, cs);
    if (learned) {
      const noise = t > 0 ? deviceNoise(options, sample.shape, `${this.name}.step`) : undefined;
      const mean = (m: ResidentTensor) => device.run('alpha-epsilon', [m, sample], scalars).then(([prevSample, predOriginalSample]) => ({ prevSample, predOriginalSample }));
      return learnedVarianceStepOnDevice(device, modelOutput, mean, noise, this.learnedRangeLogs(t, prevT));
    }
    const run =
      t > 0
        ? device.run(
            'alpha-epsilon-noise',
            [modelOutput, sample, deviceNoise(options, sample.shape, `${this.name}.step`)],
            [...scalars, this.getVariance(t, prevT)],
          )
        : device.run('alpha-epsilon', [modelOutput, sample], scalars);
    return run.then(([prevSample, predOriginalSample]) => ({ prevSample, predOriginalSample }));
  }
}
