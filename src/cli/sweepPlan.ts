/**
 * The plan of a `latentloom sweep`: each `--set NODE.PARAM=SPEC` gives a list of values
 * (`1..100`, `1..10:3`, `0.5,1,2`, `@lines.txt`, or one value); the jobs are their cartesian
 * product, or with `--zip` the lists side by side (equal lengths) — src/metrics/sweepPlan.ts, shared
 * with the editor. Each job has an id from its overrides, so a re-run finds the jobs a manifest
 * already holds. Pure: no files, no engine.
 */
import { createHash } from 'node:crypto';
import { MAX_SWEEP_JOBS, parseAxis, sweepCombinations, type SweepAxis } from '../metrics/sweepPlan.ts';

export { MAX_SWEEP_JOBS, parseAxis, type SweepAxis };

export interface SweepJob {
  id: string;
  /** NODE.PARAM → value, in the order of the --set flags. */
  overrides: Record<string, string>;
}

export function jobId(overrides: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify(Object.entries(overrides))).digest('hex').slice(0, 16);
}

export function planSweep(axes: readonly SweepAxis[], zip: boolean): SweepJob[] {
  return sweepCombinations(axes, zip).map((overrides) => ({ id: jobId(overrides), overrides }));
}

export interface ManifestLine {
  job: string;
  overrides: Record<string, string>;
  files: string[];
  seconds: number;
  /** Numbers the graph's output nodes gave (metric scores), as `node.port`. */
  values?: Record<string, number>;
  error?: string;
}

/** Jobs a manifest records as done (no error); a torn last line (a killed run) is ignored. */
export function doneJobs(manifestText: string): Map<string, ManifestLine> {
  const done = new Map<string, ManifestLine>();
  for (const line of manifestText.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as ManifestLine;
      if (typeof entry.job === 'string' && entry.error === undefined && Array.isArray(entry.files)) done.set(entry.job, entry);
    } catch {
      // a line cut short when the sweep was killed
    }
  }
  return done;
}
