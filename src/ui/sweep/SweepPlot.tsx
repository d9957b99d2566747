/**
 * A sweep plot drawn with uPlot: small (≈ 50 kB), fast (canvas, no DOM per point), maintained,
 * with no dependencies. Two shapes: "metric vs param" (the mean per value with ± sd lines and every
 * point behind it as a faint dot) and a labelled scatter (one point per swept value, the value
 * written next to it), e.g. FID vs CLIP score labelled by guidance scale.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LabelledScatter, MetricVsParam } from './sweepPoints.ts';

export type SweepPlotData =
  | { kind: 'line'; series: MetricVsParam; xLabel: string; yLabel: string }
  | { kind: 'scatter'; series: LabelledScatter; xLabel: string; yLabel: string; pointLabel: string };

const ACCENT = '#6ea8fe';
const MUTED = '#8b93a3';
const GRID = '#333846';
const TEXT = '#dfe3ea';

function paddedRange(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
  const pad = hi > lo ? (hi - lo) * 0.12 : Math.max(Math.abs(hi) * 0.1, 1);
  return [lo - pad, hi + pad];
}

const axis = (label: string, extra: Partial<uPlot.Axis> = {}): uPlot.Axis => ({
  label, stroke: MUTED, labelSize: 18, size: 36, font: '11px system-ui', labelFont: '11px system-ui',
  grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 }, ...extra,
});

function lineOptions(d: Extract<SweepPlotData, { kind: 'line' }>, width: number, height: number): [uPlot.Options, uPlot.AlignedData] {
  const s = d.series;
  const upper = s.mean.map((m, i) => (m === null ? null : m + (s.sd[i] ?? 0)));
  const lower = s.mean.map((m, i) => (m === null ? null : m - (s.sd[i] ?? 0)));
  const yRange = paddedRange([...s.points.map((p) => p[1]), ...upper.filter((v): v is number => v !== null), ...lower.filter((v): v is number => v !== null)]);
  const band = { stroke: ACCENT, width: 1, dash: [4, 4], points: { show: false } };
  const opts: uPlot.Options = {
    width, height, legend: { show: false }, cursor: { show: false },
    scales: { x: { time: false, range: paddedRange(s.x) }, y: { range: yRange } },
    axes: [
      axis(d.xLabel, s.numeric ? {} : { splits: () => s.x, values: (_u, splits) => splits.map((v) => s.labels[v] ?? '') }),
      axis(d.yLabel, { size: 44 }),
    ],
    series: [{}, { label: 'mean', stroke: ACCENT, width: 2, points: { show: true, size: 7, fill: ACCENT } }, { label: '+sd', ...band }, { label: '−sd', ...band }],
    hooks: {
      // Every point, faint, under the means.
      drawSeries: [(u, i) => {
        if (i !== 1) return;
        const ctx = u.ctx;
        ctx.save();
        ctx.fillStyle = 'rgba(223, 227, 234, 0.35)';
        for (const [x, y] of s.points) {
          ctx.beginPath();
          ctx.arc(u.valToPos(x, 'x', true), u.valToPos(y, 'y', true), 2 * devicePixelRatio, 0, 2 * Math.PI);
          ctx.fill();
        }
        ctx.restore();
      }],
    },
  };
  return [opts, [s.x, s.mean, upper, lower]];
}

function scatterOptions(d: Extract<SweepPlotData, { kind: 'scatter' }>, width: number, height: number): [uPlot.Options, uPlot.AlignedData] {
  const s = d.series;
  const opts: uPlot.Options = {
    width, height, legend: { show: false }, cursor: { show: false },
    scales: { x: { time: false, range: paddedRange(s.x) }, y: { range: paddedRange(s.y) } },
    axes: [axis(d.xLabel), axis(d.yLabel, { size: 44 })],
    series: [{}, { label: d.yLabel, stroke: ACCENT, paths: () => null, points: { show: true, size: 9, fill: ACCENT, stroke: ACCENT } }],
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.fillStyle = TEXT;
        ctx.font = `${11 * devicePixelRatio}px system-ui`;
        ctx.textBaseline = 'bottom';
        const dpr = devicePixelRatio;
        const lineHeight = 13 * dpr;
        const placed: { x: number; y: number; w: number }[] = [];
        const overlaps = (x: number, y: number, w: number) => placed.some((r) => x < r.x + r.w && r.x < x + w && Math.abs(r.y - y) < lineHeight);
        s.labels.forEach((label, i) => {
          const [px, py] = [u.valToPos(s.x[i], 'x', true), u.valToPos(s.y[i], 'y', true)];
          const text = `${d.pointLabel}=${label}`;
          const w = ctx.measureText(text).width;
          // Inside the plot: to the left of points near the right edge.
          const x = px + w + 8 * dpr > u.bbox.left + u.bbox.width ? px - w - 6 * dpr : px + 6 * dpr;
          // Points close together (guidance 5 and 7.5): move a label up or down until it is clear.
          let y = py - 3 * dpr;
          for (let k = 1; k < 8 && overlaps(x, y, w); k++) y = py - 3 * dpr + (k % 2 ? 1 : -1) * Math.ceil(k / 2) * lineHeight;
          placed.push({ x, y, w });
          ctx.fillText(text, x, y);
        });
        ctx.restore();
      }],
    },
  };
  return [opts, [s.x, s.y]];
}

export function SweepPlot({ data, width = 296, height = 200, testId }: { data: SweepPlotData; width?: number; height?: number; testId?: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const [opts, aligned] = data.kind === 'line' ? lineOptions(data, width, height) : scatterOptions(data, width, height);
    const plot = new uPlot(opts, aligned, host.current);
    return () => plot.destroy();
  }, [data, width, height]);
  return (
    <figure className="ll-sweep-plot" data-testid={testId} data-points={data.series.x.length}>
      <figcaption>{data.yLabel} vs {data.xLabel}</figcaption>
      <div ref={host} />
    </figure>
  );
}
