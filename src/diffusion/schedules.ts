/**
 * Beta schedules, timestep spacing and sigma tables, computed the way diffusers computes them.
 *
 * Parity notes (why the arithmetic looks the way it does):
 * - diffusers keeps betas / alphas / alphas_cumprod as torch float32 tensors, so every op on them
 *   is rounded to float32 (`Math.fround` after each op, in torch's order).
 * - torch's CPU cumprod accumulates float32 in double (acc_type<float> is double on CPU) and
 *   rounds each partial product to float32.
 * - Timestep grids come from numpy in float64; sigma interpolation is np.interp in float64 on the
 *   float32 table, cast to float32 at the end.
 */
import { roundHalfEven } from '../tensor/ops.ts';

/** numpy's round (half to even): the tensor layer's one implementation. */
export { roundHalfEven };

export const f32 = Math.fround;

export const BETA_SCHEDULES = ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const;
export type BetaSchedule = (typeof BETA_SCHEDULES)[number];
export const TIMESTEP_SPACINGS = ['leading', 'linspace', 'trailing'] as const;
export type TimestepSpacing = (typeof TIMESTEP_SPACINGS)[number];

/**
 * torch.linspace(start, end, steps, dtype=float32) as current PyTorch's CPU kernel evaluates it
 * (serial: start + step * i for the first half, end - step * (steps - 1 - i) for the rest).
 */
export function torchLinspaceF32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 0) return out;
  const s = f32(start);
  const e = f32(end);
  if (steps === 1) {
    out[0] = s;
    return out;
  }
  // torch computes the step in the output dtype and fills from both ends towards the middle.
  const step = f32(f32(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    out[i] = i < halfway ? f32(s + f32(step * i)) : f32(e - f32(step * (steps - i - 1)));
  }
  return out;
}

/** numpy.linspace in float64 (arange * step + start, last element set to stop). */
export function numpyLinspace(start: number, stop: number, num: number, endpoint = true): Float64Array {
  const out = new Float64Array(num);
  const div = endpoint ? num - 1 : num;
  const delta = stop - start;
  if (div > 0) {
    const step = delta / div;
    for (let i = 0; i < num; i++) out[i] = step === 0 ? (i / div) * delta + start : i * step + start;
  } else {
    for (let i = 0; i < num; i++) out[i] = i * delta + start;
  }
  if (endpoint && num > 1) out[num - 1] = stop;
  return out;
}

/** numpy.interp(x, arange(len(fp)), fp) in float64 (numpy's compiled formula). */
export function interpOnIndexGrid(x: ArrayLike<number>, fp: ArrayLike<number>): Float64Array {
  const n = fp.length;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xv = x[i];
    if (Number.isNaN(xv)) out[i] = xv;
    else if (xv >= n - 1) out[i] = fp[n - 1];
    else if (xv < 0) out[i] = fp[0];
    else {
      const j = Math.floor(xv);
      if (j === xv) out[i] = fp[j];
      else {
        const slope = (fp[j + 1] - fp[j]) / 1;
        let r = slope * (xv - j) + fp[j];
        if (Number.isNaN(r)) r = slope * (xv - (j + 1)) + fp[j + 1];
        out[i] = r;
      }
    }
  }
  return out;
}

/** diffusers' betas_for_alpha_bar with the cosine (Nichol & Dhariwal) transform, as float32. */
export function cosineBetas(numTrainTimesteps: number, maxBeta = 0.999): Float32Array {
  const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * Math.PI / 2) ** 2;
  const betas = new Float32Array(numTrainTimesteps);
  for (let i = 0; i < numTrainTimesteps; i++) {
    const t1 = i / numTrainTimesteps;
    const t2 = (i + 1) / numTrainTimesteps;
    betas[i] = Math.min(1 - alphaBar(t2) / alphaBar(t1), maxBeta);
  }
  return betas;
}

export interface BetaConfig {
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: string;
  trained_betas?: readonly number[] | null;
  rescale_betas_zero_snr?: boolean;
}

/** Betas as diffusers builds them (float32). Throws naming the schedule when it is unknown. */
export function makeBetas(config: BetaConfig): Float32Array {
  const n = config.num_train_timesteps;
  let betas: Float32Array;
  if (config.trained_betas && config.trained_betas.length > 0) {
    betas = Float32Array.from(config.trained_betas);
  } else if (config.beta_schedule === 'linear') {
    betas = torchLinspaceF32(config.beta_start, config.beta_end, n);
  } else if (config.beta_schedule === 'scaled_linear') {
    const roots = torchLinspaceF32(Math.sqrt(config.beta_start), Math.sqrt(config.beta_end), n);
    betas = new Float32Array(n);
    for (let i = 0; i < n; i++) betas[i] = roots[i] * roots[i];
  } else if (config.beta_schedule === 'squaredcos_cap_v2') {
    betas = cosineBetas(n);
  } else {
    throw new Error(
      `Unknown beta_schedule "${config.beta_schedule}" (expected linear, scaled_linear or squaredcos_cap_v2)`,
    );
  }
  return config.rescale_betas_zero_snr ? rescaleZeroTerminalSnr(betas) : betas;
}

/** torch.cumprod on a float32 tensor (double accumulator, float32 results). */
export function cumprodF32(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  let acc = 1;
  for (let i = 0; i < values.length; i++) {
    acc *= values[i];
    out[i] = acc;
  }
  return out;
}

/** alphas = 1 - betas; alphas_cumprod = cumprod(alphas), both float32. */
export function alphasFromBetas(betas: Float32Array): { alphas: Float32Array; alphasCumprod: Float32Array } {
  const alphas = new Float32Array(betas.length);
  for (let i = 0; i < betas.length; i++) alphas[i] = 1 - betas[i];
  return { alphas, alphasCumprod: cumprodF32(alphas) };
}

/** diffusers' rescale_zero_terminal_snr (Lin et al. 2023, Algorithm 1), float32. */
export function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const { alphasCumprod } = alphasFromBetas(betas);
  const n = betas.length;
  const sqrtBar = new Float32Array(n);
  for (let i = 0; i < n; i++) sqrtBar[i] = Math.sqrt(alphasCumprod[i]);
  const first = sqrtBar[0];
  const last = sqrtBar[n - 1];
  const scale = f32(first / f32(first - last));
  for (let i = 0; i < n; i++) sqrtBar[i] = f32(sqrtBar[i] - last) * scale;
  const bar = new Float32Array(n);
  for (let i = 0; i < n; i++) bar[i] = sqrtBar[i] * sqrtBar[i];
  const out = new Float32Array(n);
  out[0] = 1 - bar[0];
  for (let i = 1; i < n; i++) out[i] = 1 - f32(bar[i] / bar[i - 1]);
  return out;
}

/** ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5 in float32, ascending with t. */
export function sigmasFromAlphasCumprod(alphasCumprod: Float32Array): Float32Array {
  const out = new Float32Array(alphasCumprod.length);
  for (let i = 0; i < out.length; i++) {
    const a = alphasCumprod[i];
    out[i] = Math.sqrt(f32(f32(1 - a) / a));
  }
  return out;
}

/** np.log of a float32 array (float32 results). */
export function logF32(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.log(values[i]);
  return out;
}

/** Karras et al. (2022) rho-schedule between sigmaMax and sigmaMin, float64 like diffusers. */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, n: number, rho = 7): Float64Array {
  const ramp = numpyLinspace(0, 1, n);
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (maxInv + ramp[i] * (minInv - maxInv)) ** rho;
  return out;
}

/** Sigmas evenly spaced in log-sigma from sigmaMax down to sigmaMin (float64, diffusers' formula). */
export function logUniformSigmas(sigmaMin: number, sigmaMax: number, n: number): Float64Array {
  const logs = numpyLinspace(Math.log(sigmaMax), Math.log(sigmaMin), n);
  return logs.map((v) => Math.exp(v));
}

/** diffusers' _sigma_to_t: fractional timestep whose log-sigma interpolates to `sigma`. */
export function sigmaToT(sigma: number, logSigmas: Float32Array): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  // log_sigmas ascend with t, so the count of entries <= logSigma locates the lower neighbour.
  let low = 0;
  for (let i = 0; i < logSigmas.length; i++) if (logSigma - logSigmas[i] >= 0) low = i;
  low = Math.min(low, logSigmas.length - 2);
  const high = low + 1;
  const lo = logSigmas[low];
  const hi = logSigmas[high];
  let w = (lo - logSigma) / (lo - hi);
  w = Math.min(Math.max(w, 0), 1);
  return (1 - w) * low + w * high;
}

/**
 * diffusers' steps_offset for leading spacing, lowered just enough that the largest timestep
 * (n - 1) * (N // n) + offset stays inside the N-entry alphas_cumprod table. diffusers itself
 * indexes past the table there (e.g. 1000 steps with steps_offset = 1, its issue #10003); every
 * grid that fits is left exactly as diffusers makes it.
 */
export function leadingStepsOffset(numTrainTimesteps: number, numInferenceSteps: number, stepsOffset: number): number {
  const top = (numInferenceSteps - 1) * Math.floor(numTrainTimesteps / numInferenceSteps);
  return Math.max(0, Math.min(stepsOffset, numTrainTimesteps - 1 - top));
}

/**
 * Inference timesteps (descending, float64 values) for the spacings diffusers supports.
 * `rounded` = the integer schedulers (DDPM, DDIM, …) that round the linspace grid.
 */
export function spacedTimesteps(
  spacing: string,
  numTrainTimesteps: number,
  numInferenceSteps: number,
  stepsOffset: number,
  rounded: boolean,
): number[] {
  const n = numInferenceSteps;
  const N = numTrainTimesteps;
  let ts: number[];
  if (spacing === 'linspace') {
    const grid = numpyLinspace(0, N - 1, n);
    ts = Array.from(grid, (v) => (rounded ? roundHalfEven(v) : f32(v))).reverse();
  } else if (spacing === 'leading') {
    const ratio = Math.floor(N / n);
    // The integer schedulers index alphas_cumprod with these timesteps: keep them in the table.
    const offset = rounded ? leadingStepsOffset(N, n, stepsOffset) : stepsOffset;
    ts = [];
    for (let i = n - 1; i >= 0; i--) ts.push(i * ratio + offset);
  } else if (spacing === 'trailing') {
    const ratio = N / n;
    // np.arange(N, 0, -ratio): ceil(N / ratio) elements, each start + i * step.
    const count = Math.ceil(N / ratio);
    ts = [];
    for (let i = 0; i < count; i++) ts.push(roundHalfEven(N - i * ratio) - 1);
  } else {
    throw new Error(`Unknown timestep_spacing "${spacing}" (expected leading, linspace or trailing)`);
  }
  return ts;
}
