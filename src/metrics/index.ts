/** Image-generation metrics: feature statistics and FID, CLIP score (docs/metrics.md). */
export * from './linalg.ts';
export * from './stats.ts';
export * from './fid.ts';
export * from './clipScore.ts';
