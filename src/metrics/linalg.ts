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
  /** Eigenvectors as columns: vectors[i*n + k] is entry i of the vector of values[k] (empty when not asked for). */
  vectors: Float64Array;
  /** Sweeps used. */
  sweeps: number;
}

export interface JacobiOptions {
  /** Stop when the off-diagonal Frobenius norm falls below tolerance × the matrix norm (default 1e-15). */
  tolerance?: number;
  maxSweeps?: number;
  /** Accumulate the eigenvectors (default true); eigenvalues alone cost about half as much. */
  vectors?: boolean;
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (the input is symmetrised
 * as (A + Aᵀ)/2 first and not changed). Each rotation of rows/columns p, q updates the two rows
 * (contiguous in memory) and mirrors them into the two columns, so a sweep reads memory in order.
 */
export function jacobiEigenSymmetric(matrix: ArrayLike<number>, n: number, options: JacobiOptions = {}): SymmetricEigenDecomposition {
  if (matrix.length !== n * n) throw new Error(`jacobiEigenSymmetric: expected ${n}×${n} = ${n * n} values, got ${matrix.length}`);
  const tolerance = options.tolerance ?? 1e-15;
  const maxSweeps = options.maxSweeps ?? 100;
  const withVectors = options.vectors ?? true;
  const a = new Float64Array(n * n);
  // Symmetrise exactly, so round-off in the caller's product cannot bias the result.
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = (matrix[i * n + j] + matrix[j * n + i]) / 2;
  // Eigenvectors as rows (w = Vᵀ), so rotations touch contiguous memory.
  const w = new Float64Array(withVectors ? n * n : 0);
  if (withVectors) for (let i = 0; i < n; i++) w[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  const threshold = tolerance * tolerance * total;
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    if (2 * off <= threshold || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      const rp = p * n;
      for (let q = p + 1; q < n; q++) {
        const rq = q * n;
        const apq = a[rp + q];
        if (apq === 0) continue;
        const app = a[rp + p];
        const aqq = a[rq + q];
        // After a few sweeps, an element too small to change either diagonal entry is zeroed
        // without a rotation (as Numerical Recipes' jacobi does): late sweeps get cheap.
        const g = 100 * Math.abs(apq);
        if (sweeps > 3 && Math.abs(app) + g === Math.abs(app) && Math.abs(aqq) + g === Math.abs(aqq)) {
          a[rp + q] = 0;
          a[rq + p] = 0;
          continue;
        }
        // Rotation angle that zeroes a[p][q] (the smaller of the two roots, for stability).
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[rp + k];
          const akq = a[rq + k];
          const np = c * akp - s * akq;
          const nq = s * akp + c * akq;
          a[rp + k] = np;
          a[rq + k] = nq;
          a[k * n + p] = np;
          a[k * n + q] = nq;
        }
        a[rp + p] = app - t * apq;
        a[rq + q] = aqq + t * apq;
        a[rp + q] = 0;
        a[rq + p] = 0;
        if (withVectors) {
          for (let k = 0; k < n; k++) {
            const vp = w[rp + k];
            const vq = w[rq + k];
            w[rp + k] = c * vp - s * vq;
            w[rq + k] = s * vp + c * vq;
          }
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i] || i - j);
  const values = new Float64Array(n);
  const vectors = new Float64Array(withVectors ? n * n : 0);
  order.forEach((col, k) => {
    values[k] = a[col * n + col];
    if (withVectors) for (let i = 0; i < n; i++) vectors[i * n + k] = w[col * n + i];
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
