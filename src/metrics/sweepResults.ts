/**
 * What a sweep gives back, shared by `latentloom sweep` (its manifest) and the editor's Sweep
 * panel: each point's scalar outputs (metric scores as `node.port`), their summary per value of one
 * swept param (mean, standard deviation, count), CSV and JSON exports, and the sweep a graph file
 * carries under `meta.extra.sweep`. Pure: no files, no engine, no framework.
 */
import { parseValues, type SweepAxis, type SweepValues } from './sweepPlan.ts';

/** Key of the sweep definition in a graph's `meta.extra`. */
export const SWEEP_META_KEY = 'sweep';

/** A sweep as stored in a graph file (`meta.extra.sweep`); values in the CLI's `--set` syntax. */
export interface SweepDefinition {
  axes: { param: string; values: string }[];
  zip?: boolean;
  /** Outputs to collect and offer in the plot (`node.port`); every scalar output when absent. */
  metrics?: string[];
  plot?: {
    /** Param on the x axis of "metric vs param", and whose values label the scatter's points. */
    param?: string;
    metric?: string;
    /** The scatter of one metric against another (FID vs CLIP score), one point per value of `param`. */
    x?: string;
    y?: string;
  };
}

export interface SweepPointResult {
  /** Position in the plan, from 0. */
  point: number;
  values: SweepValues;
  metrics: Record<string, number>;
  /** Pictures the run made (for a throughput figure). */
  images?: number;
  seconds?: number;
  error?: string;
}

export interface MetricSummary {
  mean: number;
  sd: number;
  n: number;
}

export interface SweepGroup {
  /** The swept param's value this group shares. */
  value: string;
  metrics: Record<string, MetricSummary>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const WHERE = `meta.extra.${SWEEP_META_KEY}`;

/**
 * The sweep a graph's `meta.extra` holds: undefined when it has none; an error naming the field
 * when it is malformed (the file is loaded all the same, without a sweep).
 */
export function readSweepDefinition(extra: Record<string, unknown> | undefined): { definition?: SweepDefinition; error?: string } {
  const raw = extra?.[SWEEP_META_KEY];
  if (raw === undefined) return {};
  const fail = (error: string) => ({ error: `${WHERE}${error}` });
  if (!isRecord(raw)) return fail(': expected an object with "axes"');
  if (!Array.isArray(raw.axes) || raw.axes.length === 0) return fail('.axes: expected a list of { "param": "NODE.PARAM", "values": "1..16" }');
  const axes: SweepDefinition['axes'] = [];
  for (const [i, axis] of raw.axes.entries()) {
    if (!isRecord(axis) || typeof axis.param !== 'string' || !axis.param.includes('.')) return fail(`.axes[${i}].param: expected "NODE.PARAM"`);
    if (typeof axis.values !== 'string' || axis.values.trim() === '') return fail(`.axes[${i}].values: expected values like "1..16" or "1,3,5,7.5"`);
    axes.push({ param: axis.param, values: axis.values });
  }
  const definition: SweepDefinition = { axes };
  if (raw.zip !== undefined) {
    if (typeof raw.zip !== 'boolean') return fail('.zip: expected true or false');
    definition.zip = raw.zip;
  }
  if (raw.metrics !== undefined) {
    if (!Array.isArray(raw.metrics) || !raw.metrics.every((m) => typeof m === 'string')) return fail('.metrics: expected a list of "NODE.PORT"');
    definition.metrics = raw.metrics as string[];
  }
  if (raw.plot !== undefined) {
    if (!isRecord(raw.plot)) return fail('.plot: expected an object');
    const plot: NonNullable<SweepDefinition['plot']> = {};
    for (const field of ['param', 'metric', 'x', 'y'] as const) {
      const v = raw.plot[field];
      if (v === undefined) continue;
      if (typeof v !== 'string') return fail(`.plot.${field}: expected a string`);
      plot[field] = v;
    }
    definition.plot = plot;
  }
  return { definition };
}

/** The axes of a stored sweep, its values expanded (errors name the field). */
export function axesOf(definition: SweepDefinition): SweepAxis[] {
  return definition.axes.map((a, i) => ({ key: a.param, values: parseValues(a.values, `${WHERE}.axes[${i}] (${a.param})`) }));
}

/** The finite numbers among a run's outputs (CLIP score, FID, …), as `node.port`. */
export function numericOutputs(outputs: Record<string, Record<string, unknown>>): Record<string, number> {
  const values: Record<string, number> = {};
  for (const [node, ports] of Object.entries(outputs)) {
    for (const [port, v] of Object.entries(ports ?? {})) if (typeof v === 'number' && Number.isFinite(v)) values[`${node}.${port}`] = v;
  }
  return values;
}

/** Every metric some point reported, in the order first seen. */
export function metricNames(results: readonly SweepPointResult[]): string[] {
  const names = new Set<string>();
  for (const r of results) for (const m of Object.keys(r.metrics)) names.add(m);
  return [...names];
}

/**
 * Points grouped by their value of `param` (in the order first seen), each metric summarised over
 * the group's points that have it (failed points are left out). The other params' values are
 * pooled: guidance × 16 seeds gives one group per guidance scale, 16 points each.
 */
export function summarizeBy(results: readonly SweepPointResult[], param: string): SweepGroup[] {
  const groups = new Map<string, Map<string, number[]>>();
  for (const r of results) {
    const value = r.values[param];
    if (value === undefined) continue;
    let metrics = groups.get(value);
    if (!metrics) groups.set(value, (metrics = new Map()));
    if (r.error !== undefined) continue;
    for (const [name, v] of Object.entries(r.metrics)) {
      const list = metrics.get(name);
      if (list) list.push(v);
      else metrics.set(name, [v]);
    }
  }
  return [...groups].map(([value, metrics]) => ({
    value,
    metrics: Object.fromEntries([...metrics].map(([name, xs]) => [name, summary(xs)])),
  }));
}

function summary(xs: readonly number[]): MetricSummary {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One row per point: point, each swept param, each metric, error (RFC 4180 quoting). */
export function sweepCsv(axes: readonly string[], results: readonly SweepPointResult[], metrics = metricNames(results)): string {
  const header = ['point', ...axes, ...metrics, 'error'];
  const rows = results.map((r) => [
    String(r.point),
    ...axes.map((a) => r.values[a] ?? ''),
    ...metrics.map((m) => (r.metrics[m] === undefined ? '' : String(r.metrics[m]))),
    r.error ?? '',
  ]);
  return `${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export interface SweepExport {
  format: 'latentloom.sweep';
  version: 1;
  graph?: string;
  axes: SweepAxis[];
  zip: boolean;
  points: SweepPointResult[];
  /** Per swept param: its values with each metric's mean, sd and count. */
  summary: Record<string, SweepGroup[]>;
}

/** The whole sweep as JSON: its plan, every point, and the summary per swept param. */
export function sweepJson(axes: readonly SweepAxis[], zip: boolean, results: readonly SweepPointResult[], graph?: string): string {
  const out: SweepExport = {
    format: 'latentloom.sweep',
    version: 1,
    ...(graph !== undefined ? { graph } : {}),
    axes: axes.map((a) => ({ key: a.key, values: [...a.values] })),
    zip,
    points: results.map((r) => ({ ...r })),
    summary: Object.fromEntries(axes.map((a) => [a.key, summarizeBy(results, a.key)])),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
