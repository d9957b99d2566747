/**
 * Dense symmetric linear algebra for the image metrics, in float64: the cyclic Jacobi eigenvalue
 * algorithm, and what FID builds on it (the square root of a positive semi-definite matrix).
 * Matrices are row-major Float64Arrays of n×n values.
 *
 * Jacobi is O(n³) per sweep and needs 6–10 sweeps: instant for the toy features (n = 16),
 * seconds for a few hundred dimensions, and slow (minutes) for InceptionV3's 2048.
 */

export interface SymmetricEigenDecomposition {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Eigenvectors as columns: vectors[i*n + k] is entry i of the vector of values[k]. */
  vectors: Float64Array;
  /** Sweeps used. */
  sweeps: number;
}

export interface JacobiOptions {
  /** Stop when the off-diagonal Frobenius norm falls below tolerance × the matrix norm (default 1e-15). */
  tolerance?: number;
  maxSweeps?: number;
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations. Only the upper triangle's symmetry is assumed; the input is not changed. */
export function jacobiEigenSymmetric(matrix: ArrayLike<number>, n: number, options: JacobiOptions = {}): SymmetricEigenDecomposition {
  if (matrix.length !== n * n) throw new Error(`jacobiEigenSymmetric: expected ${n}×${n} = ${n * n} values, got ${matrix.length}`);
  const tolerance = options.tolerance ?? 1e-15;
  const maxSweeps = options.maxSweeps ?? 100;
  const a = new Float64Array(n * n);
  // Symmetrise exactly, so round-off in the caller's product cannot bias the result.
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = (matrix[i * n + j] + matrix[j * n + i]) / 2;
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  const threshold = tolerance * tolerance * total;
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    if (2 * off <= threshold || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        // Rotation angle that zeroes a[p][q] (Golub & Van Loan, the smaller of the two roots).
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i] || i - j);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((col, k) => {
    values[k] = a[col * n + col];
    for (let i = 0; i < n; i++) vectors[i * n + k] = v[i * n + col];
  });
  return { values, vectors, sweeps };
}

/** C = A·B for n×n row-major matrices. */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

/**
 * Eigenvalues of a PSD matrix with round-off removed: values below n·ε·λ_max (numpy's
 * numerical-rank tolerance) are zero. Without this, the √ of a round-off eigenvalue of 1e-16
 * would add 1e-8 per null direction to a trace of square roots.
 */
export function psdEigenvalues(values: Float64Array, n: number): Float64Array {
  let max = 0;
  for (const l of values) max = Math.max(max, l);
  const cutoff = n * Number.EPSILON * max;
  return values.map((l) => (l > cutoff ? l : 0));
}

/**
 * The principal square root of a symmetric positive semi-definite matrix, V·diag(√λ)·Vᵀ, with
 * eigenvalues within round-off of zero (or below it) taken as zero (psdEigenvalues).
 */
export function sqrtmPsd(matrix: ArrayLike<number>, n: number, options?: JacobiOptions): Float64Array {
  const { values, vectors } = jacobiEigenSymmetric(matrix, n, options);
  const root = psdEigenvalues(values, n).map(Math.sqrt);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[i * n + k] * root[k] * vectors[j * n + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}
