/**
 * `metrics/save-stats`: writes feature statistics as a latentloom.feature-stats JSON file (the CLI:
 * under --out), so a reference set's statistics are computed once and loaded with
 * metrics/load-stats afterwards. Without a file service (the browser) the JSON is in the result.
 */
import { isFeatureStats, statsToJson } from '../../src/metrics/stats.ts';
import { defineNode } from '../define.ts';
import { servicesOf } from '../services.ts';

export const metricsSaveStats = defineNode({
  type: 'metrics/save-stats',
  version: 1,
  title: 'Save feature statistics',
  category: 'metrics',
  isOutput: true,
  description:
    'Writes FID statistics (mean and covariance, float64, exact round trip) as `<prefix>_NNNNN.json` in the latentloom.feature-stats ' +
    'format that metrics/load-stats reads. The result also holds the JSON text.',
  inputs: { stats: { type: 'FEATURE_STATS' } },
  outputs: {},
  params: {
    filename_prefix: { kind: 'string', default: 'feature-stats' },
  },
  async run(ctx, inputs, params) {
    const prefix = params.filename_prefix;
    if (prefix === '' || /[\\/:*?"<>|\u0000-\u001f]/.test(prefix) || prefix.startsWith('.')) {
      throw new Error(`node "${ctx.nodeId}": param "filename_prefix" must be a plain file name without path separators, got ${JSON.stringify(prefix)}`);
    }
    if (!isFeatureStats(inputs.stats)) throw new Error(`node "${ctx.nodeId}": input \`stats\` must be FEATURE_STATS (metrics/features)`);
    const json = statsToJson(inputs.stats);
    const bytes = new TextEncoder().encode(json);
    const { writeFile, writeNumberedFile } = servicesOf(ctx);
    const files: string[] = [];
    if (writeNumberedFile) files.push(await writeNumberedFile(prefix, 'json', bytes));
    else if (writeFile) files.push(await writeFile(`${prefix}_00001.json`, bytes));
    if (files.length > 0) ctx.log.info(`saved ${files.join(', ')}`);
    return { files, json };
  },
});
