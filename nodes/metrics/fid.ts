/** `metrics/fid`: Fréchet distance between two feature statistics (FID). */
import { frechetDistance } from '../../src/metrics/fid.ts';
import { isFeatureStats } from '../../src/metrics/stats.ts';
import { defineNode } from '../define.ts';

export const metricsFid = defineNode({
  type: 'metrics/fid',
  version: 1,
  title: 'FID',
  category: 'metrics',
  isOutput: true,
  description:
    'Fréchet distance ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½) between two feature statistics, with Tr((Σ₁Σ₂)^½) computed ' +
    'stably as Tr((Σ₁^½ Σ₂ Σ₁^½)^½) by eigen-decompositions of symmetric matrices (float64 Jacobi; docs/metrics.md). ' +
    'Lower is closer; 0 for a set against itself.',
  inputs: {
    a: { type: 'FEATURE_STATS', description: 'e.g. the generated images (metrics/features).' },
    b: { type: 'FEATURE_STATS', description: 'e.g. the reference set (metrics/load-stats).' },
  },
  outputs: {
    fid: { type: 'FLOAT' },
    mean_term: { type: 'FLOAT', description: '‖μ₁ − μ₂‖²' },
    covariance_term: { type: 'FLOAT', description: 'Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½)' },
  },
  params: {},
  run(ctx, inputs) {
    for (const port of ['a', 'b'] as const) {
      if (!isFeatureStats(inputs[port])) throw new Error(`node "${ctx.nodeId}": input \`${port}\` must be FEATURE_STATS (metrics/features or metrics/load-stats)`);
    }
    try {
      const d = frechetDistance(inputs.a, inputs.b);
      return { fid: d.fid, mean_term: d.meanTerm, covariance_term: d.covarianceTerm };
    } catch (error) {
      throw new Error(`node "${ctx.nodeId}": ${(error as Error).message}`);
    }
  },
});
