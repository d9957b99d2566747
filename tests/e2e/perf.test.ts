/**
 * Browser performance checks: the editor stays smooth with a 300-node graph (frame times while
 * dragging are printed), and start-up figures. Bounds are loose: this checks for a pathology
 * (re-rendering every node per frame), not for a fast machine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, HAS_CHROMIUM, SKIP_REASON, probe, screenshot, startSession, type Session } from './harness.ts';
import { bigGraph, measureDrag, measureLoad } from './measure.ts';

describe.skipIf(!HAS_CHROMIUM)('editor (browser): performance', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('loads and becomes interactive; reports the JS loaded before the worker', async () => {
    const load = await measureLoad(s.page, s.server.url, '?fresh&example=math-demo');
    console.log(`[editor] load → interactive: ${load.interactiveMs.toFixed(0)} ms; page JS (gzip): ${(load.pageJsGzipBytes / 1024).toFixed(1)} KiB in ${load.pageJsFiles.length} file(s)`);
    expect(load.pageJsFiles.length).toBeGreaterThan(0);
    // onnxruntime lives only in the worker: the page's own JS must not contain it.
    for (const file of load.pageJsFiles) expect(readFileSync(join(DIST, file), 'utf8')).not.toMatch(/InferenceSession|onnxruntime-web/);
    expect(load.interactiveMs).toBeLessThan(20_000);
    // The entry loads the app with a dynamic import: index.html preloads every other file the
    // page loads at start, so none waits for the entry to run. The tabs and the form that the
    // first paint does not show are not among them.
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const entry = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
    expect(entry).toBeDefined();
    for (const file of load.pageJsFiles.filter((f) => f !== entry)) expect(html).toContain(`<link rel="modulepreload" crossorigin href="${file}">`);
    for (const file of load.pageJsFiles) expect(file).not.toMatch(/SweepPanel|ModelsPanel|AppForm|SweepPlot/);
    expect(load.pageJsFiles.length).toBeGreaterThan(1);
    // The HTML starts the engine worker before any script has loaded, and the client takes that
    // one over: one engine worker in the page, not two.
    expect(html).toMatch(/<script>try\{const w=new Worker\("\/assets\/engineWorker-[\w-]+\.js"/);
    expect(s.page.workers().filter((w) => /engineWorker/.test(w.url()))).toHaveLength(1);
  });

  it('drags smoothly on a 300-node graph', async () => {
    const graph = bigGraph(300);
    await s.page.getByTestId('file-input').setInputFiles({ name: 'big.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(graph)) });
    await s.page.waitForFunction(() => (window as any).__latentloom.doc().nodes.length === 300);
    // Fitted, the 300 cards may be below the far level of detail's zoom: mounted, not displayed.
    await s.page.locator('.react-flow__node[data-id="n0"]').waitFor({ state: 'attached' });
    await s.page.waitForTimeout(300);
    const rendered = await s.page.locator('.react-flow__node-graphNode').count();
    // Records which node cards' DOM changes during the drag (only the dragged one may change).
    await s.page.evaluate(`(() => {
      window.__cardMutations = {};
      window.__cardObserver = new MutationObserver((list) => {
        for (const m of list) {
          const el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
          const card = el && el.closest('.react-flow__node-graphNode .ll-node');
          if (card) window.__cardMutations[card.dataset.nodeId] = (window.__cardMutations[card.dataset.nodeId] ?? 0) + 1;
        }
      });
      window.__cardObserver.observe(document.querySelector('.react-flow__nodes'), { subtree: true, attributes: true, childList: true, characterData: true });
    })()`);
    const frames = await measureDrag(s.page, 'n0', 60);
    const cardMutations = (await s.page.evaluate('(() => { window.__cardObserver.disconnect(); return window.__cardMutations; })()')) as Record<string, number>;
    const low = await s.page.locator('.ll-canvas-lod').count();
    console.log(`[editor] drag on 300 nodes (${rendered} on screen${frames.far ? ', far level of detail: one canvas' : low ? ', low level of detail' : ''}): ${frames.frames} frames, mean ${frames.meanMs.toFixed(1)} ms, p95 ${frames.p95Ms.toFixed(1)} ms, max ${frames.maxMs.toFixed(1)} ms; card DOM changes: ${JSON.stringify(cardMutations)}`);
    await screenshot(s.page, 'perf-300-nodes');
    const moved = await probe(s.page, (p) => p.doc().nodes.find((n) => n.id === 'n0')!.ui!);
    expect(moved.x).toBeGreaterThan(100);
    expect(frames.frames).toBeGreaterThan(10);
    expect(frames.meanMs).toBeLessThan(100);
    // A drag re-renders no card but the dragged one, and that one only for its selection (not
    // once per frame: its position lives on React Flow's wrapper, outside the card).
    expect(Object.keys(cardMutations).filter((id) => id !== 'n0')).toEqual([]);
    expect(cardMutations.n0 ?? 0).toBeLessThan(30);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
