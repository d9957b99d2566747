/**
 * The elementwise float32 kernels of the scheduler steps, CFG, add-noise and the latent preview.
 * Two implementations with bit-equal results: wasm SIMD (wasmKernels.ts) and plain JS
 * (scalarKernels.ts, the fallback where wasm SIMD is absent). Every result is a fresh array the
 * caller owns; inputs are read only. Scalars are used as float32 (both backends round them on
 * entry; the schedulers' are float32 already), except the preview factors (float64, as the JS
 * preview has always used them).
 */

/** The next sample and the x0 estimate of an epsilon-prediction step. */
export interface StepOutput {
  out: Float32Array;
  x0: Float32Array;
}

/** The same plus the ODE derivative (s - x0) / sigma the scheduler keeps (LMS, Heun). */
export interface StepOutputWithDerivative extends StepOutput {
  derivative: Float32Array;
}

export interface StepKernels {
  readonly backend: 'wasm' | 'js';
  /**
   * Whether `data` is a result of these kernels that they read in place when it comes back (so
   * keeping it, rather than a copy, costs nothing and it is never written again).
   */
  isResult(data: Float32Array): boolean;
  /** x0 = s - sigma * m; out = s + ((s - x0) / sigma) * dt. */
  eulerEpsilon(m: Float32Array, s: Float32Array, sigma: number, dt: number): StepOutput;
  /** The Euler step, then + noise * sigmaUp. */
  eulerAncestralEpsilon(
    m: Float32Array,
    s: Float32Array,
    noise: Float32Array,
    sigma: number,
    dt: number,
    sigmaUp: number,
  ): StepOutput;
  /** x0 = (s - b * m) / a; out = x0Coeff * x0 + dirCoeff * m. */
  ddimEpsilon(m: Float32Array, s: Float32Array, a: number, b: number, x0Coeff: number, dirCoeff: number): StepOutput;
  /**
   * DDPM: x0 = clamp((s - b * m) / a) to [-clip, clip] (no clamp for clip = Infinity, NaN kept);
   * out = c0 * x0 + cs * s.
   */
  ddpmEpsilon(m: Float32Array, s: Float32Array, a: number, b: number, clip: number, c0: number, cs: number): StepOutput;
  /** x0 = (s - sigma * m) / alpha; out = cs * s - cd * x0. */
  dpmFirstOrder(m: Float32Array, s: Float32Array, alpha: number, sigma: number, cs: number, cd: number): StepOutput;
  /** x0 as in the first order; out = (cs * s - c0 * x0) - c1 * (invR0 * (x0 - prevX0)). */
  dpmSecondOrder(
    m: Float32Array,
    s: Float32Array,
    prevX0: Float32Array,
    coefficients: { alpha: number; sigma: number; cs: number; c0: number; c1: number; invR0: number },
  ): StepOutput;
  /**
   * PLMS (PNDM): e from the newest model output m and the older ones (newest first) by `order`
   * (1: m; 2: (3m - p1) / 2; 3: (23m - 16p1 + 5p2) / 12; 4: (55m - 59p1 + 37p2 - 9p3) * fl(1/24);
   * 0, the second warm-up step: (m + p1) / 2); out = cs * s - (diff * e) / denom.
   */
  plmsEpsilon(
    m: Float32Array,
    older: Float32Array[],
    order: number,
    s: Float32Array,
    coefficients: { cs: number; diff: number; denom: number },
  ): Float32Array;
  /**
   * x0 = s - sigma * m; d0 = (s - x0) / sigma; out = s + (c0 * d0 + c1 * d1 + ...) summed left to
   * right over coefficients.length terms (1..4; `older` holds d1, d2, d3 as needed).
   */
  lmsEpsilon(m: Float32Array, s: Float32Array, older: Float32Array[], sigma: number, coefficients: number[]): StepOutputWithDerivative;
  /** x0 = s - sigma * m; d = (s - x0) / sigma; out = s + d * dt. */
  heunFirstEpsilon(m: Float32Array, s: Float32Array, sigma: number, dt: number): StepOutputWithDerivative;
  /** x0 = s - sigmaNext * m; out = base + ((prevDerivative + (s - x0) / sigmaNext) / 2) * dt. */
  heunSecondEpsilon(
    m: Float32Array,
    s: Float32Array,
    prevDerivative: Float32Array,
    base: Float32Array,
    sigmaNext: number,
    dt: number,
  ): StepOutput;
  /** a * x + b * y. */
  linearCombination(a: number, x: Float32Array, b: number, y: Float32Array): Float32Array;
  /** x + y * scale. */
  addScaled(x: Float32Array, y: Float32Array, scale: number): Float32Array;
  /** x / d. */
  divide(x: Float32Array, d: number): Float32Array;
  /** CFG: u + scale * (c - u). */
  guidance(u: Float32Array, c: Float32Array, scale: number): Float32Array;
  /**
   * [batch, 4, plane] latent → [batch, 3, plane] preview: per pixel a 4×3 linear map in float64,
   * then (v + 1) / 2 clamped to [0, 1]. `factors[c][k]`: latent channel c → R, G, B.
   */
  latentToRgb(latent: Float32Array, batch: number, plane: number, factors: readonly (readonly number[])[], bias?: readonly number[]): Float32Array;
}
