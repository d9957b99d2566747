/**
 * The training noise schedule of the toy models: Stable Diffusion's ("scaled_linear", betas from
 * 0.00085 to 0.012 over 1000 steps), so SD scheduler configs work unchanged.
 */
export const TRAIN_TIMESTEPS = 1000;
export const BETA_START = 0.00085;
export const BETA_END = 0.012;

/** alphas_cumprod in float64, computed as diffusers does (betas = linspace(√start, √end)²). */
export function alphasCumprod(): Float64Array {
  const out = new Float64Array(TRAIN_TIMESTEPS);
  const a = Math.sqrt(BETA_START);
  const b = Math.sqrt(BETA_END);
  let prod = 1;
  for (let i = 0; i < TRAIN_TIMESTEPS; i++) {
    const root = a + ((b - a) * i) / (TRAIN_TIMESTEPS - 1);
    prod *= 1 - root * root;
    out[i] = prod;
  }
  return out;
}

/** log σ_t with σ_t = √((1-ᾱ_t)/ᾱ_t), the table the denoisers interpolate in. */
export function logSigmaTable(): Float64Array {
  return alphasCumprod().map((ac) => 0.5 * Math.log((1 - ac) / ac));
}

/**
 * σ at a possibly fractional timestep: log σ linearly interpolated between neighbouring table
 * entries — the exact inverse of the sigma→timestep mapping Euler-type schedulers use — and
 * clamped to [0, 999]. Integer timesteps give the table value.
 */
export function sigmaAt(logSigma: ArrayLike<number>, t: number): number {
  const tc = Math.min(Math.max(t, 0), TRAIN_TIMESTEPS - 1);
  const lo = Math.floor(tc);
  const hi = Math.min(lo + 1, TRAIN_TIMESTEPS - 1);
  const w = tc - lo;
  return Math.exp((1 - w) * logSigma[lo] + w * logSigma[hi]);
}
