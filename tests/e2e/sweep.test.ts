/**
 * Sweeps in the editor, in real Chromium (the built app, its engine worker on onnxruntime-web
 * wasm): graphs/toy-guidance-sweep.json opens with its Sweep tab ready (CFG 1, 3, 5, 7.5 × seeds
 * 1..16); running it queues 64 runs, and the plots show CLIP score vs CFG scale and FID vs CLIP
 * score labelled by the scale; the CSV export holds every point; a longer sweep is cancelled
 * midway (the queued points leave, the running one stops, what finished stays).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEditorSweep } from './sweepRuns.ts';
import { ARTIFACTS, HAS_CHROMIUM, SKIP_REASON, openEditor, probe, screenshot, startSession, type Session } from './harness.ts';

if (!HAS_CHROMIUM && process.env.CI) throw new Error(SKIP_REASON);

const status = (s: Session) => s.page.getByTestId('sweep-progress').getAttribute('data-status');

describe.skipIf(!HAS_CHROMIUM)('editor (browser): sweeps', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
    await s.page.setViewportSize({ width: 1440, height: 1000 });
    await s.page.goto(`${s.server.url}/`);
    await s.page.evaluate(() => localStorage.setItem('latentloom.backend', 'wasm'));
  }, 300_000);
  afterAll(async () => {
    await s?.close();
  });

  it('opens the example on its Sweep tab, runs CFG × 16 seeds through the queue, and plots the trade-off', { timeout: 300_000 }, async () => {
    await openEditor(s.page, s.server.url, '?fresh&example=toy-guidance-sweep');
    await s.page.getByTestId('sweep-panel').waitFor();
    expect(await s.page.getByTestId('sweep-tab').getAttribute('aria-selected')).toBe('true');
    expect(await s.page.getByTestId('sweep-param-1').inputValue()).toBe('cfg.scale');
    expect(await s.page.getByTestId('sweep-values-1').inputValue()).toBe('1,3,5,7.5');
    expect(await s.page.getByTestId('sweep-param-2').inputValue()).toBe('noise.seed');
    expect(await s.page.getByTestId('sweep-values-2').inputValue()).toBe('1..16');
    expect(await s.page.getByTestId('sweep-scatter-x').inputValue()).toBe('clip_score.mean');
    expect(await s.page.getByTestId('sweep-scatter-y').inputValue()).toBe('fid_prompt.fid');

    // The points wait in the run queue while the first runs.
    const queueShown = s.page.getByTestId('queue-panel').waitFor();
    const seconds = await runEditorSweep(s.page);
    await queueShown;
    console.log(`[editor] toy guidance sweep (cold): 64 runs × 8 pictures in ${seconds.toFixed(1)} s`);
    expect(await s.page.getByTestId('sweep-progress').textContent()).toMatch(/^64\/64 points/);
    expect(await s.page.getByTestId('queue-panel').count()).toBe(0);
    expect(await s.page.getByTestId('sweep-plot-line').getAttribute('data-points')).toBe('4');
    expect(await s.page.getByTestId('sweep-plot-scatter').getAttribute('data-points')).toBe('4');
    expect(await s.page.locator('[data-testid="sweep-plot-scatter"] canvas').count()).toBe(1);
    // The sweep is kept in the graph.
    expect(((await probe(s.page, (p) => p.doc())) as unknown as { meta: { extra: { sweep: { axes: unknown[] } } } }).meta.extra.sweep.axes).toHaveLength(2);
    await screenshot(s.page, 'sweep-01-done');
    await s.page.getByTestId('sweep-panel').screenshot({ path: join(ARTIFACTS, 'sweep-01-panel.png') });
    expect(s.errors).toEqual([]);
  });

  it('exports every point as CSV: CLIP score does not fall from CFG 1 to 7.5, FID to the prompt subset on every row', { timeout: 60_000 }, async () => {
    const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.getByTestId('sweep-export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/sweep\.csv$/);
    const rows = readFileSync(await download.path(), 'utf8').trim().split('\r\n').map((l) => l.split(','));
    const [header, ...points] = rows;
    expect(header.slice(0, 3)).toEqual(['point', 'cfg.scale', 'noise.seed']);
    expect(header).toEqual(expect.arrayContaining(['clip_score.mean', 'fid_prompt.fid', 'fid_all.fid', 'error']));
    expect(points).toHaveLength(64);
    const col = (name: string) => header.indexOf(name);
    const mean = (scale: string) => {
      const xs = points.filter((r) => r[col('cfg.scale')] === scale).map((r) => Number(r[col('clip_score.mean')]));
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const clip = ['1', '3', '5', '7.5'].map(mean);
    console.log('[editor] CLIP score per CFG scale (16 seeds × 8 pictures):', clip.map((v) => v.toFixed(2)));
    for (let k = 1; k < 4; k++) expect(clip[k]).toBeGreaterThanOrEqual(clip[k - 1] - 1e-9);
    for (const r of points) expect(Number(r[col('fid_prompt.fid')])).toBeGreaterThan(0);
  });

  it('cancels a sweep midway: queued points leave, the running one stops, finished ones stay plotted', { timeout: 240_000 }, async () => {
    await s.page.getByTestId('sweep-values-2').fill('1..60');
    await s.page.getByTestId('sweep-run').click();
    await s.page.waitForFunction(() => /^([3-9]|\d\d+)\//.test(document.querySelector('[data-testid="sweep-progress"]')?.textContent ?? ''), null, { timeout: 120_000 });
    await s.page.getByTestId('sweep-cancel').click();
    await s.page.waitForFunction(() => document.querySelector('[data-testid="sweep-progress"]')?.getAttribute('data-status') === 'cancelled', null, { timeout: 60_000 });
    expect(await status(s)).toBe('cancelled');
    expect(await s.page.getByTestId('queue-panel').count()).toBe(0);
    const kept = Number(/^(\d+)\/240 points ran · cancelled$/.exec((await s.page.getByTestId('sweep-progress').textContent()) ?? '')?.[1]);
    expect(await s.page.getByTestId('sweep-plot-line').count()).toBe(1);
    const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.getByTestId('sweep-export-json').click()]);
    const json = JSON.parse(readFileSync(await download.path(), 'utf8')) as { points: unknown[]; axes: { key: string; values: string[] }[] };
    console.log(`[editor] cancelled sweep kept ${json.points.length} of 240 points`);
    expect(json.points.length).toBe(kept);
    expect(json.points.length).toBeGreaterThanOrEqual(3);
    expect(json.points.length).toBeLessThan(240);
    expect(json.axes[1].values).toHaveLength(60);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await probe(s.page, (p) => p.running())).toBe(false);
    await screenshot(s.page, 'sweep-02-cancelled');
    expect(s.errors).toEqual([]);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
