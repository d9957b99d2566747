/**
 * Sweep results as plot series (pure): "metric vs param" — the mean (± sd) of a metric per value of
 * a swept param, with every point behind it — and the scatter of one metric against another (FID
 * vs CLIP score), one point per value of a swept param labelled with that value.
 */
import { summarizeBy, type SweepPointResult } from '../../metrics/sweepResults.ts';

export interface MetricVsParam {
  /** x of each value: the value itself when every value is a number, else its position. */
  x: number[];
  /** The values as written, for tick labels. */
  labels: string[];
  mean: (number | null)[];
  sd: (number | null)[];
  n: number[];
  /** Every point that has the metric, as [x, y]. */
  points: [number, number][];
  numeric: boolean;
}

export interface LabelledScatter {
  x: number[];
  y: number[];
  labels: string[];
}

const asNumber = (v: string) => (v.trim() === '' ? NaN : Number(v));

export function metricVsParam(results: readonly SweepPointResult[], param: string, metric: string): MetricVsParam {
  const groups = summarizeBy(results, param);
  const numeric = groups.length > 0 && groups.every((g) => Number.isFinite(asNumber(g.value)));
  // Numbers go in their order (uPlot's x must rise); other values keep the sweep's order.
  if (numeric) groups.sort((a, b) => asNumber(a.value) - asNumber(b.value));
  const xOf = new Map(groups.map((g, i) => [g.value, numeric ? asNumber(g.value) : i]));
  const points: [number, number][] = [];
  for (const r of results) {
    const v = r.values[param];
    const y = r.metrics[metric];
    if (v !== undefined && y !== undefined && r.error === undefined) points.push([xOf.get(v)!, y]);
  }
  return {
    x: groups.map((g) => xOf.get(g.value)!),
    labels: groups.map((g) => g.value),
    mean: groups.map((g) => g.metrics[metric]?.mean ?? null),
    sd: groups.map((g) => g.metrics[metric]?.sd ?? null),
    n: groups.map((g) => g.metrics[metric]?.n ?? 0),
    points,
    numeric,
  };
}

/** One point per value of `param`: (mean of `xMetric`, mean of `yMetric`), sorted by x; values without both are left out. */
export function metricScatter(results: readonly SweepPointResult[], param: string, xMetric: string, yMetric: string): LabelledScatter {
  const rows = summarizeBy(results, param)
    .filter((g) => g.metrics[xMetric] && g.metrics[yMetric])
    .map((g) => ({ x: g.metrics[xMetric].mean, y: g.metrics[yMetric].mean, label: g.value }))
    .sort((a, b) => a.x - b.x);
  return { x: rows.map((r) => r.x), y: rows.map((r) => r.y), labels: rows.map((r) => r.label) };
}

/** Params a plot can take as x: the swept ones. Metrics: those the points reported, the definition's first. */
export function plotChoices(results: readonly SweepPointResult[], wanted: readonly string[] = []): string[] {
  const seen = new Set(wanted);
  for (const r of results) for (const m of Object.keys(r.metrics)) seen.add(m);
  return [...seen];
}
