/** Sweep results → plot series, on hand-built results: metric vs param (mean, sd, every point) and the labelled FID-vs-CLIP scatter. */
import type { SweepPointResult } from '../../src/metrics/sweepResults.ts';
import { metricScatter, metricVsParam, plotChoices } from '../../src/ui/sweep/sweepPoints.ts';

const point = (i: number, scale: string, seed: string, clip: number, fid: number, error?: string): SweepPointResult =>
  ({ point: i, values: { 'cfg.scale': scale, 'noise.seed': seed }, metrics: error ? {} : { 'clip.mean': clip, 'fid.fid': fid }, ...(error ? { error } : {}) });

// Swept in the order 7.5, 1, 3 to check that numeric values are put in order for the x axis.
const results = [
  point(0, '7.5', '1', 100, 0.5), point(1, '7.5', '2', 98, 0.7),
  point(2, '1', '1', 80, 2), point(3, '1', '2', 90, 3),
  point(4, '3', '1', 95, 1), point(5, '3', '2', 0, 0, 'node "decode": failed'),
];

describe('sweep plot series', () => {
  it('metric vs param: one mean ± sd per value, numeric values in order, every point behind it', () => {
    const s = metricVsParam(results, 'cfg.scale', 'clip.mean');
    expect(s.numeric).toBe(true);
    expect(s.x).toEqual([1, 3, 7.5]);
    expect(s.labels).toEqual(['1', '3', '7.5']);
    expect(s.mean).toEqual([85, 95, 99]);
    expect(s.sd[0]).toBeCloseTo(Math.sqrt(50), 12);
    expect(s.sd[1]).toBe(0);
    expect(s.n).toEqual([2, 1, 2]);
    expect(s.points).toEqual([[7.5, 100], [7.5, 98], [1, 80], [1, 90], [3, 95]]);
  });

  it('text values keep the sweep order at positions 0, 1, …; a metric no point has gives empty means', () => {
    const texts: SweepPointResult[] = [
      { point: 0, values: { 'prompt.text': 'a red circle' }, metrics: { 'clip.mean': 90 } },
      { point: 1, values: { 'prompt.text': 'a blue square' }, metrics: { 'clip.mean': 70 } },
    ];
    const s = metricVsParam(texts, 'prompt.text', 'clip.mean');
    expect(s).toMatchObject({ numeric: false, x: [0, 1], labels: ['a red circle', 'a blue square'], mean: [90, 70] });
    expect(metricVsParam(texts, 'prompt.text', 'fid.fid').mean).toEqual([null, null]);
  });

  it('FID vs CLIP: one point per swept value (the means over seeds), labelled with the value, sorted by x', () => {
    const s = metricScatter(results, 'cfg.scale', 'clip.mean', 'fid.fid');
    expect(s.labels).toEqual(['1', '3', '7.5']);
    expect(s.x).toEqual([85, 95, 99]);
    expect(s.y[0]).toBe(2.5);
    expect(s.y[1]).toBe(1);
    expect(s.y[2]).toBeCloseTo(0.6, 12);
    expect(metricScatter(results, 'cfg.scale', 'clip.mean', 'missing.metric')).toEqual({ x: [], y: [], labels: [] });
  });

  it('offers the definition\'s metrics first, then those the points reported', () => {
    expect(plotChoices(results, ['fid.fid'])).toEqual(['fid.fid', 'clip.mean']);
    expect(plotChoices([], ['a.b'])).toEqual(['a.b']);
  });
});
