/**
 * DPM-Solver's float32 arithmetic, shared by the host and device steps of
 * DPMSolverMultistepScheduler: the (alpha, sigma, lambda) of a sigma, the multistep coefficients
 * of each order, and the host updates that apply them (the device ops in src/runtime/deviceOps.ts
 * spell out the same operations).
 */
import { f32 } from '../schedules.ts';
import { kernels } from '../kernels/index.ts';

export interface AlphaSigma {
  alpha: number;
  sigma: number;
  lambda: number;
}

/** alpha_t = 1 / sqrt(sigma^2 + 1), sigma_t = sigma * alpha_t, lambda = log alpha_t - log sigma_t (float32). */
export function alphaSigmaLambda(sigma: number): AlphaSigma {
  const alpha = f32(1 / f32(Math.sqrt(f32(f32(sigma * sigma) + 1))));
  const sigmaT = f32(sigma * alpha);
  return { alpha, sigma: sigmaT, lambda: f32(f32(Math.log(alpha)) - f32(Math.log(sigmaT))) };
}

export interface FirstOrderCoefficients {
  cs: number;
  cd: number;
}

export interface SecondOrderCoefficients {
  cs: number;
  c0: number;
  c1: number;
  invR0: number;
}

export interface ThirdOrderCoefficients {
  cs: number;
  c0: number;
  c1: number;
  c2: number;
  invR0: number;
  invR1: number;
  w: number;
  invR01: number;
}

export function firstOrderUpdate(s: Float32Array, d0: Float32Array, k: FirstOrderCoefficients): Float32Array {
  return kernels().linearCombination(k.cs, s, -k.cd, d0);
}

export function secondOrderUpdate(s: Float32Array, m0: Float32Array, m1: Float32Array, k: SecondOrderCoefficients): Float32Array {
  const { cs, c0, c1, invR0 } = k;
  const n = s.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const d1 = f32(invR0 * f32(m0[i] - m1[i]));
    out[i] = f32(f32(cs * s[i]) - f32(c0 * m0[i])) - f32(c1 * d1);
  }
  return out;
}

/** out = cs * x - cd * D0 (first order: DDIM in the solver's variable). */
export function firstOrderCoefficients(sig: Float32Array, index: number, algorithm: string): FirstOrderCoefficients {
  const t = alphaSigmaLambda(sig[index + 1]);
  const s0 = alphaSigmaLambda(sig[index]);
  const h = f32(t.lambda - s0.lambda);
  if (algorithm === 'dpmsolver++') {
    return { cs: f32(t.sigma / s0.sigma), cd: f32(t.alpha * f32(f32(Math.exp(-h)) - 1)) };
  }
  return { cs: f32(t.alpha / s0.alpha), cd: f32(t.sigma * f32(f32(Math.exp(h)) - 1)) };
}

/** out = (cs * x - c0 * D0) - c1 * D1 with D1 = invR0 * (D0 - D_prev) (second order, multistep). */
export function secondOrderCoefficients(sig: Float32Array, index: number, algorithm: string, solverType: string): SecondOrderCoefficients {
  const t = alphaSigmaLambda(sig[index + 1]);
  const s0 = alphaSigmaLambda(sig[index]);
  const s1 = alphaSigmaLambda(sig[index - 1]);
  const h = f32(t.lambda - s0.lambda);
  const h0 = f32(s0.lambda - s1.lambda);
  const r0 = f32(h0 / h);
  const invR0 = f32(1 / r0);
  const midpoint = solverType === 'midpoint';
  if (algorithm === 'dpmsolver++') {
    const em1 = f32(f32(Math.exp(-h)) - 1);
    const c0 = f32(t.alpha * em1);
    // midpoint: - 0.5 * (alpha_t * (e^-h - 1)) * D1 ; heun: + (alpha_t * ((e^-h - 1) / h + 1)) * D1
    const c1 = midpoint ? f32(0.5 * c0) : -f32(t.alpha * f32(f32(em1 / h) + 1));
    return { cs: f32(t.sigma / s0.sigma), c0, c1, invR0 };
  }
  const ep1 = f32(f32(Math.exp(h)) - 1);
  const c0 = f32(t.sigma * ep1);
  const c1 = midpoint ? f32(0.5 * c0) : f32(t.sigma * f32(f32(ep1 / h) - 1));
  return { cs: f32(t.alpha / s0.alpha), c0, c1, invR0 };
}

/**
 * out = ((cs·x − c0·D0) + c1·D1) − c2·D2 (third order, multistep), with D1_0 = invR0·(D0 − D_1),
 * D1_1 = invR1·(D_1 − D_2), D1 = D1_0 + w·(D1_0 − D1_1), D2 = invR01·(D1_0 − D1_1); c1 signed
 * (added for dpmsolver++, subtracted for dpmsolver).
 */
export function thirdOrderCoefficients(sig: Float32Array, index: number, algorithm: string): ThirdOrderCoefficients {
  const t = alphaSigmaLambda(sig[index + 1]);
  const s0 = alphaSigmaLambda(sig[index]);
  const s1 = alphaSigmaLambda(sig[index - 1]);
  const s2 = alphaSigmaLambda(sig[index - 2]);
  const h = f32(t.lambda - s0.lambda);
  const h0 = f32(s0.lambda - s1.lambda);
  const h1 = f32(s1.lambda - s2.lambda);
  const r0 = f32(h0 / h);
  const r1 = f32(h1 / h);
  const r01 = f32(r0 + r1);
  const shape = { invR0: f32(1 / r0), invR1: f32(1 / r1), w: f32(r0 / r01), invR01: f32(1 / r01) };
  if (algorithm === 'dpmsolver++') {
    const em1 = f32(f32(Math.exp(-h)) - 1);
    return {
      cs: f32(t.sigma / s0.sigma),
      c0: f32(t.alpha * em1),
      c1: f32(t.alpha * f32(f32(em1 / h) + 1)),
      c2: f32(t.alpha * f32(f32(f32(em1 + h) / f32(h * h)) - 0.5)),
      ...shape,
    };
  }
  const ep1 = f32(f32(Math.exp(h)) - 1);
  return {
    cs: f32(t.alpha / s0.alpha),
    c0: f32(t.sigma * ep1),
    c1: -f32(t.sigma * f32(f32(ep1 / h) - 1)),
    c2: f32(t.sigma * f32(f32(f32(ep1 - h) / f32(h * h)) - 0.5)),
    ...shape,
  };
}

/** The third-order multistep update over the last three x0 predictions [m2, m1, m0] (oldest first). */
export function thirdOrderUpdate(s: Float32Array, history: Float32Array[], k: ThirdOrderCoefficients): Float32Array {
  const [m2, m1, m0] = history.slice(-3);
  const { cs, c0, c1, c2, invR0, invR1, w, invR01 } = k;
  const out = new Float32Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const d10 = f32(invR0 * f32(m0[i] - m1[i]));
    const d11 = f32(invR1 * f32(m1[i] - m2[i]));
    const diff = f32(d10 - d11);
    const d1 = f32(d10 + f32(w * diff));
    const d2 = f32(invR01 * diff);
    out[i] = f32(f32(f32(cs * s[i]) - f32(c0 * m0[i])) + f32(c1 * d1)) - f32(c2 * d2);
  }
  return out;
}
