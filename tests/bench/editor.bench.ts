/**
 * Editor benchmark (headless Chromium against the built app): page load → interactive, JS the
 * page loads before the worker (gzip), frame times dragging on a 300-node graph, and on
 * toy-txt2img (wasm) Run → first image and main-thread long tasks during the run.
 * `npm run bench -- editor`. Needs /usr/bin/chromium; prints why when a figure cannot be taken.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchFigure } from './run.ts';
import { HAS_CHROMIUM, ROOT, SKIP_REASON, startSession } from '../e2e/harness.ts';
import { bigGraph, measureDrag, measureLoad, measureRun } from '../e2e/measure.ts';

export async function figures(): Promise<BenchFigure[]> {
  if (!HAS_CHROMIUM) {
    console.log(SKIP_REASON);
    return [];
  }
  const out: BenchFigure[] = [];
  const s = await startSession();
  try {
    const loads: number[] = [];
    let gzip = 0;
    for (let i = 0; i < 3; i++) {
      const load = await measureLoad(s.page, s.server.url, '?fresh&example=math-demo');
      loads.push(load.interactiveMs);
      gzip = load.pageJsGzipBytes;
    }
    loads.sort((a, b) => a - b);
    out.push({ name: 'page load → interactive (median of 3)', value: loads[1], unit: 'ms' });
    out.push({ name: 'JS loaded by the page before the worker (gzip)', value: gzip / 1024, unit: 'KiB' });

    await s.page.getByTestId('file-input').setInputFiles({ name: 'big.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bigGraph(300))) });
    await s.page.waitForFunction(() => (window as unknown as { __latentloom: { doc(): { nodes: unknown[] } } }).__latentloom.doc().nodes.length === 300);
    await s.page.locator('.react-flow__node[data-id="n0"]').waitFor();
    const drag = await measureDrag(s.page, 'n0', 60);
    out.push({ name: 'drag on 300-node graph: mean frame', value: drag.meanMs, unit: 'ms', note: `p95 ${drag.p95Ms.toFixed(1)} ms, ${drag.frames} frames` });

    if (!existsSync(join(ROOT, 'graphs/toy-txt2img.json'))) {
      console.log('graphs/toy-txt2img.json is missing: Run → first image not measured');
    } else {
      await s.page.evaluate(() => localStorage.setItem('latentloom.backend', 'wasm'));
      await measureLoad(s.page, s.server.url, '?fresh&example=toy-txt2img');
      try {
        // BENCH_PROFILE=1 also samples the main thread and prints where each busy stretch went.
        const run = await measureRun(s.page, 120_000, { profile: process.env.BENCH_PROFILE === '1' });
        for (const stretch of run.busy ?? []) {
          console.log(`main thread busy ${stretch.ms.toFixed(0)} ms at +${stretch.atMs.toFixed(0)} ms:`);
          for (const [frame, ms] of stretch.top) console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${frame}`);
        }
        out.push({ name: 'toy-txt2img (wasm): Run → first image', value: run.firstImageMs, unit: 'ms' });
        out.push({
          name: 'main-thread long tasks (>50 ms) during that run',
          value: run.longTasks.length,
          unit: 'tasks',
          note: run.longTasks.length ? `longest ${Math.max(...run.longTasks).toFixed(0)} ms; all: ${run.longTasks.map((t) => t.toFixed(0)).join(', ')} ms` : 'none',
        });
      } catch (e) {
        const status = await s.page.getByTestId('status').textContent().catch(() => '');
        console.log(`toy-txt2img run gave no image: ${status || (e instanceof Error ? e.message : String(e))}`);
      }
    }
  } finally {
    await s.close();
  }
  return out;
}
