/** FID math: Jacobi eigen-decomposition, the symmetric matrix square root, feature statistics, Fréchet distance. */
import { describe, expect, it } from 'vitest';
import { jacobiEigenSymmetric, matMul, sqrtmPsd } from '../../src/metrics/linalg.ts';
import { featureStats, statsFromJson, statsFromMoments, statsToJson } from '../../src/metrics/stats.ts';
import { frechetDistance, traceSqrtProduct } from '../../src/metrics/fid.ts';
import { mulberry32 } from '../../src/toy/rng.ts';

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** A random symmetric positive-definite n×n matrix A·Aᵀ + δI. */
function randomSpd(n: number, seed: number, delta = 0.1): Float64Array {
  const rand = mulberry32(seed);
  const a = Float64Array.from({ length: n * n }, () => gaussian(rand));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * a[j * n + k];
    out[i * n + j] = s + (i === j ? delta : 0);
  }
  return out;
}

function diag(values: readonly number[]): Float64Array {
  const n = values.length;
  const out = new Float64Array(n * n);
  values.forEach((v, i) => (out[i * n + i] = v));
  return out;
}

/** Inverse by Gauss–Jordan elimination with partial pivoting (general matrices). */
function inverse(m: ArrayLike<number>, n: number): Float64Array {
  const a = Float64Array.from(m);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
    for (let k = 0; k < n; k++) {
      [a[col * n + k], a[pivot * n + k]] = [a[pivot * n + k], a[col * n + k]];
      [inv[col * n + k], inv[pivot * n + k]] = [inv[pivot * n + k], inv[col * n + k]];
    }
    const p = a[col * n + col];
    for (let k = 0; k < n; k++) {
      a[col * n + k] /= p;
      inv[col * n + k] /= p;
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r * n + col];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        a[r * n + k] -= f * a[col * n + k];
        inv[r * n + k] -= f * inv[col * n + k];
      }
    }
  }
  return inv;
}

/**
 * Tr((Σ₁Σ₂)^½) the other way: the Denman–Beavers iteration for the square root of the
 * non-symmetric product Σ₁Σ₂ itself (Y → A^½, Z → A^-½), no eigen-decomposition involved.
 */
function traceSqrtByDenmanBeavers(cov1: Float64Array, cov2: Float64Array, n: number): number {
  let y = matMul(cov1, cov2, n);
  let z = diag(Array(n).fill(1));
  for (let k = 0; k < 60; k++) {
    const yi = inverse(y, n);
    const zi = inverse(z, n);
    y = y.map((v, i) => (v + zi[i]) / 2);
    z = z.map((v, i) => (v + yi[i]) / 2);
  }
  let trace = 0;
  for (let i = 0; i < n; i++) trace += y[i * n + i];
  return trace;
}

describe('Jacobi eigen-decomposition (float64)', () => {
  it('reconstructs a random symmetric matrix: V·diag(λ)·Vᵀ = A, VᵀV = I, eigenvalues sorted', () => {
    const n = 12;
    const a = randomSpd(n, 7);
    const { values, vectors, sweeps } = jacobiEigenSymmetric(a, n);
    expect(sweeps).toBeLessThan(20);
    for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
    let worst = 0;
    let worstOrtho = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let r = 0;
      let o = 0;
      for (let k = 0; k < n; k++) {
        r += vectors[i * n + k] * values[k] * vectors[j * n + k];
        o += vectors[k * n + i] * vectors[k * n + j];
      }
      worst = Math.max(worst, Math.abs(r - a[i * n + j]));
      worstOrtho = Math.max(worstOrtho, Math.abs(o - (i === j ? 1 : 0)));
    }
    expect(worst).toBeLessThan(1e-11);
    expect(worstOrtho).toBeLessThan(1e-13);
  });

  it('sqrtm of a PSD matrix squares back to it; a singular one keeps its null space', () => {
    const n = 8;
    const a = randomSpd(n, 3);
    const r = sqrtmPsd(a, n);
    const back = matMul(r, r, n);
    for (let i = 0; i < n * n; i++) expect(back[i]).toBeCloseTo(a[i], 10);
    // Rank 2 in 4 dimensions.
    const u = [1, 2, 0, -1];
    const w = [0, 1, 1, 1];
    const s = Float64Array.from({ length: 16 }, (_, k) => u[Math.floor(k / 4)] * u[k % 4] + w[Math.floor(k / 4)] * w[k % 4]);
    const rs = sqrtmPsd(s, 4);
    const sq = matMul(rs, rs, 4);
    for (let i = 0; i < 16; i++) expect(sq[i]).toBeCloseTo(s[i], 12);
  });
});

describe('Fréchet distance', () => {
  it('diagonal covariances: Σ(√a − √b)² + ‖Δμ‖² to 1e-9', () => {
    const a = [4, 1, 0.25, 9, 2.5];
    const b = [1, 1, 4, 0.5, 7];
    const mu1 = [0, 1, 2, 3, 4];
    const mu2 = [0.5, -1, 2, 3.25, 0];
    const s1 = statsFromMoments(mu1, diag(a));
    const s2 = statsFromMoments(mu2, diag(b));
    let expected = 0;
    for (let i = 0; i < a.length; i++) expected += (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2 + (mu1[i] - mu2[i]) ** 2;
    const d = frechetDistance(s1, s2);
    expect(Math.abs(d.fid - expected)).toBeLessThan(1e-9);
    expect(Math.abs(frechetDistance(s2, s1).fid - expected)).toBeLessThan(1e-9);
  });

  it('commuting (same eigenvectors, rotated) covariances: the same closed form to 1e-9', () => {
    const n = 6;
    // An orthogonal basis from the eigenvectors of a random symmetric matrix.
    const q = jacobiEigenSymmetric(randomSpd(n, 11), n).vectors;
    const a = [3, 0.5, 2, 8, 0.1, 1];
    const b = [1, 4, 2, 0.2, 0.1, 6];
    const rotate = (d: number[]) => {
      const out = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += q[i * n + k] * d[k] * q[j * n + k];
        out[i * n + j] = s;
      }
      return out;
    };
    const mu = Array(n).fill(0);
    const shift = [1, 0, 0, 0, 0, 2];
    const d = frechetDistance(statsFromMoments(mu, rotate(a)), statsFromMoments(shift, rotate(b)));
    let expected = 5;
    for (let i = 0; i < n; i++) expected += (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2;
    expect(Math.abs(d.fid - expected)).toBeLessThan(1e-9);
  });

  it('random non-commuting covariances: Tr((Σ₁Σ₂)^½) agrees with a Denman–Beavers square root of Σ₁Σ₂ and the 2×2 closed form', () => {
    for (const [n, seed] of [[2, 1], [5, 2], [9, 3]] as const) {
      const s1 = randomSpd(n, seed * 10);
      const s2 = randomSpd(n, seed * 10 + 1);
      const ours = traceSqrtProduct(s1, s2, n);
      const reference = traceSqrtByDenmanBeavers(s1, s2, n);
      expect(Math.abs(ours - reference) / reference, `n=${n}`).toBeLessThan(1e-11);
      if (n === 2) {
        // A 2×2 matrix with positive eigenvalues: Tr(√M) = √(Tr M + 2√det M).
        const m = matMul(s1, s2, 2);
        const closed = Math.sqrt(m[0] + m[3] + 2 * Math.sqrt(m[0] * m[3] - m[1] * m[2]));
        expect(Math.abs(ours - closed)).toBeLessThan(1e-12);
      }
      const d = frechetDistance(statsFromMoments(Array(n).fill(0), s1), statsFromMoments(Array(n).fill(1), s2));
      let traces = 0;
      for (let i = 0; i < n; i++) traces += s1[i * n + i] + s2[i * n + i];
      expect(Math.abs(d.fid - (n + traces - 2 * reference))).toBeLessThan(1e-9 * Math.max(1, traces));
      expect(d.fid).toBeGreaterThan(0);
    }
  });

  it('a sample set against itself is 0; statistics match np.cov (ddof 1) and survive a JSON round trip exactly', () => {
    const rand = mulberry32(5);
    const rows = 300;
    const dim = 10;
    const data = Float64Array.from({ length: rows * dim }, () => gaussian(rand));
    const stats = featureStats(data, rows, dim);
    // Two-pass reference covariance.
    const mean = new Float64Array(dim);
    for (let r = 0; r < rows; r++) for (let i = 0; i < dim; i++) mean[i] += data[r * dim + i] / rows;
    for (let i = 0; i < dim; i++) expect(stats.mean[i]).toBeCloseTo(mean[i], 13);
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += (data[r * dim + i] - mean[i]) * (data[r * dim + j] - mean[j]);
      expect(stats.cov[i * dim + j]).toBeCloseTo(s / (rows - 1), 12);
    }
    expect(Math.abs(frechetDistance(stats, stats).fid)).toBeLessThan(1e-10);
    const back = statsFromJson(statsToJson(stats));
    expect(back.count).toBe(rows);
    expect(Array.from(back.mean)).toEqual(Array.from(stats.mean));
    expect(Array.from(back.cov)).toEqual(Array.from(stats.cov));
    // Fewer samples than dimensions: a singular covariance, still ≈ 0 against itself.
    const few = featureStats(data.subarray(0, 4 * dim), 4, dim);
    expect(Math.abs(frechetDistance(few, few).fid)).toBeLessThan(1e-9);
  });

  it('refuses mismatched widths and malformed files with a reason', () => {
    expect(() => frechetDistance(statsFromMoments([0], [1]), statsFromMoments([0, 0], [1, 0, 0, 1]))).toThrow(/different feature widths/);
    expect(() => statsFromJson('{"format":"latentloom.feature-stats","version":1,"dim":2,"mean":[0],"cov":[1,0,0,1]}')).toThrow(/mean must be 2/);
    expect(() => statsFromJson('nope')).toThrow(/not JSON/);
  });
});
