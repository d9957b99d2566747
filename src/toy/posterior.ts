/**
 * The exact minimum-error denoiser for a finite training set, in plain TypeScript. It is the
 * reference the ONNX exports are checked against, and what the tests sample with directly.
 *
 * With x_t = a·x0 + s·ε (a = √ᾱ, s = √(1-ᾱ), σ = s/a) and training points y_n with prior weights
 * π_n (from the conditioning), the posterior over which point was noised is
 *     p(n | x_t) ∝ π_n · exp(-‖x_t/a − y_n‖² / 2σ²),
 * the minimum-error estimate of x0 is x̂0 = Σ p(n|x_t)·y_n, and the matching noise prediction is
 * ε̂ = (x_t/a − x̂0)/σ.
 */
export interface TrainingSet {
  /** Training points, row-major [count, dim]. */
  points: Float32Array;
  count: number;
  dim: number;
}

export function squaredNorms(set: TrainingSet): Float32Array {
  const out = new Float32Array(set.count);
  for (let n = 0; n < set.count; n++) {
    let s = 0;
    for (let i = 0; i < set.dim; i++) s += set.points[n * set.dim + i] ** 2;
    out[n] = s;
  }
  return out;
}

/** Posterior over training points for one noisy sample; `priorLogits` is log π_n (+ any constant). */
export function posteriorWeights(set: TrainingSet, x: ArrayLike<number>, sigma: number, priorLogits: ArrayLike<number>): Float64Array {
  const scale = Math.sqrt(1 + sigma * sigma); // 1/a
  const logits = new Float64Array(set.count);
  let max = -Infinity;
  for (let n = 0; n < set.count; n++) {
    let dot = 0;
    let norm = 0;
    for (let i = 0; i < set.dim; i++) {
      const y = set.points[n * set.dim + i];
      dot += x[i] * scale * y;
      norm += y * y;
    }
    logits[n] = (dot - norm / 2) / (sigma * sigma) + priorLogits[n];
    if (logits[n] > max) max = logits[n];
  }
  let total = 0;
  for (let n = 0; n < set.count; n++) {
    logits[n] = Math.exp(logits[n] - max);
    total += logits[n];
  }
  for (let n = 0; n < set.count; n++) logits[n] /= total;
  return logits;
}

/** ε prediction for one sample x (length dim) at noise level σ. */
export function predictNoise(set: TrainingSet, x: ArrayLike<number>, sigma: number, priorLogits: ArrayLike<number>): Float32Array {
  const p = posteriorWeights(set, x, sigma, priorLogits);
  const scale = Math.sqrt(1 + sigma * sigma);
  const eps = new Float32Array(set.dim);
  for (let i = 0; i < set.dim; i++) {
    let x0 = 0;
    for (let n = 0; n < set.count; n++) x0 += p[n] * set.points[n * set.dim + i];
    eps[i] = (x[i] * scale - x0) / sigma;
  }
  return eps;
}
