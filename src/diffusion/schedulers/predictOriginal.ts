/**
 * What a denoiser's output says about the clean sample x0 and the noise epsilon, and the small
 * float32 kernels the scheduler steps are built from. One place for each formula, so every
 * scheduler rounds it identically (Math.fround after each op, in torch's evaluation order; the
 * final op is rounded by the store into a Float32Array).
 */
import { f32 } from '../schedules.ts';

export interface Predictions {
  /** The clean-sample estimate (a fresh array), when asked for. */
  x0: Float32Array | null;
  /** The noise estimate; the model output itself for epsilon prediction (not a copy). */
  eps: Float32Array | null;
}

/**
 * x0 and/or epsilon from a model output `m` at sample `s`, where x_t = alpha_t * x0 + sigma_t * eps
 * (alpha_t = sqrt(acp), sigma_t = sqrt(1 - acp) for DDPM-family schedulers; DPM-Solver's
 * alpha_t, sigma_t from its sigma table). Unknown prediction types throw, naming `who`.
 */
export function predictFromAlphaSigma(
  predictionType: string,
  m: Float32Array,
  s: Float32Array,
  alphaT: number,
  sigmaT: number,
  who: string,
  needX0: boolean,
  needEps: boolean,
): Predictions {
  const n = s.length;
  let x0: Float32Array | null = null;
  let eps: Float32Array | null = null;
  if (predictionType === 'epsilon') {
    if (needX0) {
      x0 = new Float32Array(n);
      for (let i = 0; i < n; i++) x0[i] = f32(s[i] - f32(sigmaT * m[i])) / alphaT;
    }
    eps = m;
  } else if (predictionType === 'sample') {
    if (needX0) x0 = m.slice();
    if (needEps) {
      eps = new Float32Array(n);
      for (let i = 0; i < n; i++) eps[i] = f32(s[i] - f32(alphaT * m[i])) / sigmaT;
    }
  } else if (predictionType === 'v_prediction') {
    if (needX0) x0 = linearCombination(alphaT, s, -sigmaT, m);
    if (needEps) eps = linearCombination(alphaT, m, sigmaT, s);
  } else {
    throw new Error(`${who}: prediction_type "${predictionType}" is not supported`);
  }
  return { x0, eps };
}

/**
 * sqrt(ᾱ) and sqrt(1 − ᾱ) in float32, the signal and noise scales of x_t = √ᾱ·x0 + √(1−ᾱ)·ε at
 * alphas_cumprod = `alphaProd`, rounded as diffusers' float32 tensors round them.
 */
export function alphaSigma(alphaProd: number): [number, number] {
  return [f32(Math.sqrt(alphaProd)), f32(Math.sqrt(f32(1 - alphaProd)))];
}

/**
 * The scalars of the fused alpha-epsilon step (DDPM, unCLIP, LCM; the `alpha-epsilon` device ops):
 * √ᾱ and √(1 − ᾱ) to predict x0, the clip range (±Infinity when unclipped), then the two
 * coefficients of x0 and of the sample.
 */
export function alphaEpsilonScalars(alphaProd: number, clip: number, x0Coeff: number, sampleCoeff: number): number[] {
  return [...alphaSigma(alphaProd), f32(-clip), f32(clip), x0Coeff, sampleCoeff];
}

/**
 * x0 (always) and epsilon (when `needEpsilon`) for alpha-parameterised schedulers (DDIM, DDPM,
 * LCM, unCLIP) at alphas_cumprod[t] = `alphaProdT`.
 */
export function alphaPredictions(
  predictionType: string,
  m: Float32Array,
  s: Float32Array,
  alphaProdT: number,
  who: string,
  needEpsilon: boolean,
): { x0: Float32Array; eps: Float32Array | null } {
  const [sa, sb] = alphaSigma(alphaProdT);
  const { x0, eps } = predictFromAlphaSigma(predictionType, m, s, sa, sb, who, true, needEpsilon);
  return { x0: x0 as Float32Array, eps };
}

/**
 * The v-prediction scalings of the sigma-parameterised schedulers: x0 = m·cOut + s / sq1 with
 * sq1 = σ² + 1 and cOut = −σ / √(σ² + 1), in float32 as diffusers' tensors round them.
 */
export function sigmaVScalings(sigma: number): { cOut: number; sq1: number } {
  const sq1 = f32(f32(sigma * sigma) + 1);
  return { cOut: f32(-sigma / f32(Math.sqrt(sq1))), sq1 };
}

/**
 * x0 for sigma-parameterised (k-diffusion style) schedulers, x_t = x0 + sigma * eps, with
 * diffusers' v-prediction scalings. `allowSample` false rejects prediction type "sample".
 */
export function sigmaPredictX0(
  predictionType: string,
  m: Float32Array,
  s: Float32Array,
  sigma: number,
  who: string,
  allowSample = true,
): Float32Array {
  const n = s.length;
  const out = new Float32Array(n);
  if (predictionType === 'epsilon') {
    for (let i = 0; i < n; i++) out[i] = s[i] - f32(sigma * m[i]);
  } else if (predictionType === 'v_prediction') {
    const { cOut, sq1 } = sigmaVScalings(sigma);
    for (let i = 0; i < n; i++) out[i] = f32(m[i] * cOut) + f32(s[i] / sq1);
  } else if (predictionType === 'sample' && allowSample) {
    out.set(m);
  } else {
    throw new Error(`${who}: prediction_type "${predictionType}" is not supported`);
  }
  return out;
}

/** The ODE derivative (x - x0) / sigma of the sigma-parameterised schedulers, into a fresh array. */
export function sigmaDerivative(s: Float32Array, x0: Float32Array, sigma: number): Float32Array {
  const n = s.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f32(s[i] - x0[i]) / sigma;
  return out;
}

/** a * x + b * y as torch evaluates it on float32 tensors, into a fresh array. */
export function linearCombination(a: number, x: Float32Array, b: number, y: Float32Array): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f32(a * x[i]) + f32(b * y[i]);
  return out;
}

/** out += scale * noise in place (the stochastic part of a step: variance or ancestral noise). */
export function addScaledNoise(out: Float32Array, scale: number, noise: Float32Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = out[i] + f32(scale * noise[i]);
}
