/**
 * Fréchet distance between two Gaussians fitted to feature sets (FID when the features are an
 * image model's, Heusel et al. 2017):
 *
 *     d² = ‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2·Tr((Σ₁Σ₂)^½)
 *
 * Σ₁Σ₂ is not symmetric, and pytorch-fid's `scipy.linalg.sqrtm` of it can return complex
 * round-off or fail on singular covariances. This uses the symmetric formulation instead:
 * (Σ₁Σ₂)^½ is similar to (Σ₁^½ Σ₂ Σ₁^½)^½, so
 *
 *     Tr((Σ₁Σ₂)^½) = Tr((Σ₁^½ Σ₂ Σ₁^½)^½) = Σ_k √λ_k(Σ₁^½ Σ₂ Σ₁^½),
 *
 * where Σ₁^½ comes from the eigen-decomposition of the symmetric PSD Σ₁ and the λ_k are the
 * eigenvalues of the symmetric PSD matrix Σ₁^½ Σ₂ Σ₁^½ (both by Jacobi, float64, src/metrics/linalg.ts).
 * Eigenvalues within round-off of zero (below n·ε·λ_max) count as zero, so singular covariances
 * (fewer samples than dimensions, features confined to a subspace) need no ε·I offset.
 */
import { jacobiEigenSymmetric, matMul, psdEigenvalues, sqrtmPsd } from './linalg.ts';
import type { FeatureStats } from './stats.ts';

export interface FrechetDistance {
  /** The distance d² (what FID reports). */
  fid: number;
  /** ‖μ₁ − μ₂‖². */
  meanTerm: number;
  /** Tr(Σ₁) + Tr(Σ₂) − 2·Tr((Σ₁Σ₂)^½). */
  covarianceTerm: number;
  /** Tr((Σ₁Σ₂)^½). */
  traceSqrtProduct: number;
}

/** Tr((Σ₁Σ₂)^½) for symmetric PSD n×n matrices, by the symmetric formulation above. */
export function traceSqrtProduct(cov1: ArrayLike<number>, cov2: ArrayLike<number>, n: number): number {
  const root1 = sqrtmPsd(cov1, n);
  const inner = matMul(matMul(root1, cov2, n), root1, n);
  const { values } = jacobiEigenSymmetric(inner, n, { vectors: false });
  let trace = 0;
  for (const l of psdEigenvalues(values, n)) trace += Math.sqrt(l);
  return trace;
}

export function frechetDistance(a: FeatureStats, b: FeatureStats): FrechetDistance {
  if (a.dim !== b.dim) {
    throw new Error(`FID: the statistics have different feature widths (${a.dim} and ${b.dim}); compute both with the same feature extractor and output`);
  }
  const n = a.dim;
  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += (a.mean[i] - b.mean[i]) ** 2;
  let traces = 0;
  for (let i = 0; i < n; i++) traces += a.cov[i * n + i] + b.cov[i * n + i];
  const cross = traceSqrtProduct(a.cov, b.cov, n);
  const covarianceTerm = traces - 2 * cross;
  return { fid: meanTerm + covarianceTerm, meanTerm, covarianceTerm, traceSqrtProduct: cross };
}
