/**
 * The plan of a `latentloom sweep`: each `--set NODE.PARAM=SPEC` gives a list of values
 * (`1..100`, `1..10:3`, `0.5,1,2`, `@lines.txt`, or one value); the jobs are their cartesian
 * product, or with `--zip` the lists side by side (equal lengths). Each job has an id from its
 * overrides, so a re-run finds the jobs a manifest already holds. Pure: no files, no engine.
 */
import { createHash } from 'node:crypto';

export interface SweepAxis {
  key: string;
  values: string[];
}

export interface SweepJob {
  id: string;
  /** NODE.PARAM → value, in the order of the --set flags. */
  overrides: Record<string, string>;
}

/** Most jobs one sweep may plan (a typo like 1..1e9 is refused, not run). */
export const MAX_SWEEP_JOBS = 1_000_000;

function rangeValues(spec: string, where: string): string[] | undefined {
  const m = /^(-?\d+)\.\.(-?\d+)(?::(\d+))?$/.exec(spec);
  if (!m) return undefined;
  const [from, to, step] = [Number(m[1]), Number(m[2]), m[3] === undefined ? 1 : Number(m[3])];
  if (step < 1) throw new Error(`${where}: the step of ${spec} must be at least 1`);
  const count = Math.floor(Math.abs(to - from) / step) + 1;
  if (count > MAX_SWEEP_JOBS) throw new Error(`${where}: ${spec} has ${count} values; the limit is ${MAX_SWEEP_JOBS}`);
  const dir = to >= from ? 1 : -1;
  return Array.from({ length: count }, (_, i) => String(from + dir * i * step));
}

/**
 * One `--set` as an axis. `readLines(path)` reads an `@file` (one value per line; empty lines and
 * lines starting with # are left out).
 */
export function parseAxis(set: string, readLines: (path: string) => string): SweepAxis {
  const eq = set.indexOf('=');
  if (eq <= 0) throw new Error(`--set ${set}: expected NODE.PARAM=VALUES`);
  const key = set.slice(0, eq);
  const spec = set.slice(eq + 1);
  const where = `--set ${key}`;
  let values: string[];
  if (spec.startsWith('@')) {
    values = readLines(spec.slice(1)).split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
    if (values.length === 0) throw new Error(`${where}: ${spec.slice(1)} has no values`);
  } else {
    values = rangeValues(spec, where) ?? (spec.includes(',') && /^[-\d.,\se+]+$/i.test(spec) ? spec.split(',').map((v) => v.trim()) : [spec]);
  }
  return { key, values };
}

export function jobId(overrides: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify(Object.entries(overrides))).digest('hex').slice(0, 16);
}

export function planSweep(axes: readonly SweepAxis[], zip: boolean): SweepJob[] {
  if (axes.length === 0) throw new Error('sweep needs at least one --set NODE.PARAM=VALUES');
  const keys = axes.map((a) => a.key);
  const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicate) throw new Error(`--set ${duplicate} is given twice`);
  let combos: string[][];
  if (zip) {
    const n = axes[0].values.length;
    const odd = axes.find((a) => a.values.length !== n);
    if (odd) throw new Error(`--zip needs lists of one length: ${axes[0].key} has ${n} values, ${odd.key} has ${odd.values.length}`);
    combos = Array.from({ length: n }, (_, i) => axes.map((a) => a.values[i]));
  } else {
    const total = axes.reduce((p, a) => p * a.values.length, 1);
    if (total > MAX_SWEEP_JOBS) throw new Error(`the sweep has ${total} jobs; the limit is ${MAX_SWEEP_JOBS}`);
    combos = [[]];
    for (const axis of axes) combos = combos.flatMap((c) => axis.values.map((v) => [...c, v]));
  }
  return combos.map((values) => {
    const overrides = Object.fromEntries(keys.map((k, i) => [k, values[i]]));
    return { id: jobId(overrides), overrides };
  });
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
