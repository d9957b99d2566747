/**
 * Feature statistics (mean and covariance, float64) of a set of feature vectors — what FID
 * compares — and their file form.
 *
 * The covariance is the unbiased sample covariance (divided by count − 1), as numpy's
 * `np.cov(features, rowvar=False)` that pytorch-fid and clean-fid use. Accumulation is Welford's
 * one-pass update, so batches can be added one at a time without losing precision.
 */

export const FEATURE_STATS_FORMAT = 'latentloom.feature-stats';

export interface FeatureStats {
  readonly kind: 'feature-stats';
  /** Feature width D. */
  readonly dim: number;
  /** Number of feature vectors the statistics summarise. */
  readonly count: number;
  /** [D] */
  readonly mean: Float64Array;
  /** [D×D], row-major, symmetric. */
  readonly cov: Float64Array;
  /** Where the features came from (model file, output), for messages and files. */
  readonly source?: string;
}

export class FeatureStatsAccumulator {
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  private readonly delta: Float64Array;

  constructor(readonly dim: number) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`feature statistics: width must be a positive integer, got ${dim}`);
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(dim * dim);
    this.delta = new Float64Array(dim);
  }

  get count(): number {
    return this.n;
  }

  /** Adds one feature vector. */
  add(x: ArrayLike<number>, offset = 0): void {
    const d = this.dim;
    this.n++;
    for (let i = 0; i < d; i++) {
      const xi = x[offset + i];
      if (!Number.isFinite(xi)) throw new Error(`feature statistics: feature ${i} of vector ${this.n - 1} is ${xi}`);
      this.delta[i] = xi - this.mean[i];
      this.mean[i] += this.delta[i] / this.n;
    }
    for (let i = 0; i < d; i++) {
      const after = x[offset + i] - this.mean[i];
      for (let j = 0; j < d; j++) this.m2[i * d + j] += this.delta[j] * after;
    }
  }

  /** Adds `rows` vectors stored row-major [rows, dim]. */
  addRows(data: ArrayLike<number>, rows: number): void {
    if (data.length !== rows * this.dim) throw new Error(`feature statistics: expected ${rows}×${this.dim} values, got ${data.length}`);
    for (let r = 0; r < rows; r++) this.add(data, r * this.dim);
  }

  finish(source?: string): FeatureStats {
    if (this.n < 2) throw new Error(`feature statistics need at least 2 feature vectors, got ${this.n}`);
    const d = this.dim;
    const cov = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        // M2 is symmetric in exact arithmetic; average the two halves.
        const c = (this.m2[i * d + j] + this.m2[j * d + i]) / 2 / (this.n - 1);
        cov[i * d + j] = c;
        cov[j * d + i] = c;
      }
    }
    return { kind: 'feature-stats', dim: d, count: this.n, mean: Float64Array.from(this.mean), cov, source };
  }
}

/** Statistics of feature vectors given row-major [rows, dim]. */
export function featureStats(data: ArrayLike<number>, rows: number, dim: number, source?: string): FeatureStats {
  const acc = new FeatureStatsAccumulator(dim);
  acc.addRows(data, rows);
  return acc.finish(source);
}

/** Statistics from a known mean and covariance (e.g. a Gaussian), count as given. */
export function statsFromMoments(mean: ArrayLike<number>, cov: ArrayLike<number>, count = 0, source?: string): FeatureStats {
  const dim = mean.length;
  if (cov.length !== dim * dim) throw new Error(`feature statistics: covariance of a ${dim}-vector needs ${dim * dim} values, got ${cov.length}`);
  return { kind: 'feature-stats', dim, count, mean: Float64Array.from(mean), cov: Float64Array.from(cov), source };
}

export function isFeatureStats(value: unknown): value is FeatureStats {
  const v = value as FeatureStats | undefined;
  return !!v && v.kind === 'feature-stats' && v.mean instanceof Float64Array && v.cov instanceof Float64Array;
}

/**
 * The JSON file form: `{ format, version: 1, dim, count, source?, mean: number[], cov: number[] }`
 * (cov row-major). JavaScript prints the shortest decimal that reads back as the same float64,
 * so a save/load round trip is exact.
 */
export function statsToJson(stats: FeatureStats): string {
  return JSON.stringify({
    format: FEATURE_STATS_FORMAT,
    version: 1,
    dim: stats.dim,
    count: stats.count,
    ...(stats.source ? { source: stats.source } : {}),
    mean: Array.from(stats.mean),
    cov: Array.from(stats.cov),
  }) + '\n';
}

export function statsFromJson(text: string, where = 'feature statistics'): FeatureStats {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not JSON (${(error as Error).message})`);
  }
  const o = raw as Record<string, unknown>;
  if (!o || typeof o !== 'object' || o.format !== FEATURE_STATS_FORMAT) throw new Error(`${where}: not a ${FEATURE_STATS_FORMAT} file`);
  if (o.version !== 1) throw new Error(`${where}: version ${String(o.version)} is not supported (1 is)`);
  const dim = o.dim;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) throw new Error(`${where}: dim must be a positive integer`);
  const numbers = (v: unknown, length: number, name: string): Float64Array => {
    if (!Array.isArray(v) || v.length !== length || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new Error(`${where}: ${name} must be ${length} finite numbers`);
    }
    return Float64Array.from(v as number[]);
  };
  const count = typeof o.count === 'number' && Number.isInteger(o.count) && o.count >= 0 ? o.count : 0;
  return {
    kind: 'feature-stats',
    dim,
    count,
    mean: numbers(o.mean, dim, 'mean'),
    cov: numbers(o.cov, dim * dim, 'cov'),
    source: typeof o.source === 'string' ? o.source : undefined,
  };
}
