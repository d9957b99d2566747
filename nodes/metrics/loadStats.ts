/** `metrics/load-stats`: feature statistics from a latentloom.feature-stats JSON file (a reference set's, say). */
import { requireRuntime } from '../../src/runtime/runtime.ts';
import { statsFromJson } from '../../src/metrics/stats.ts';
import { defineNode } from '../define.ts';
import { readTextFile } from './modelFiles.ts';
import { servicesOf } from '../services.ts';

export const metricsLoadStats = defineNode({
  type: 'metrics/load-stats',
  needsRuntime: true,
  version: 1,
  title: 'Load feature statistics',
  category: 'metrics',
  description:
    'Reads FID statistics (mean and covariance) saved as a latentloom.feature-stats JSON file: a path inside the connected ' +
    'package (builtin:toy-shapes-clip has feature_extractor/reference_stats.json, the 240 training pictures) or a path/URL.',
  inputs: {
    package: { type: 'MODEL_PACKAGE', optional: true },
  },
  outputs: { stats: { type: 'FEATURE_STATS' }, count: { type: 'INT' } },
  params: {
    file: { kind: 'string', default: 'feature_extractor/reference_stats.json', label: 'Statistics file' },
  },
  async run(ctx, inputs, params) {
    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    const { readFile } = servicesOf(ctx);
    const text = await readTextFile(runtime, ctx.nodeId, inputs.package, params.file, readFile ? (path, kind) => readFile(path, kind) : undefined);
    const stats = statsFromJson(text, `node "${ctx.nodeId}": ${params.file}`);
    return { stats, count: stats.count };
  },
});
