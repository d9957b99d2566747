/**
 * Editor measurements shared by the perf e2e test and tests/bench/editor.bench.ts: time to
 * interactive, JS the page loads before the worker (gzip), frame times while dragging on a
 * 300-node graph, Run → first image, and main-thread long tasks during a run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { DIST, openEditor, node } from './harness.ts';

/**
 * A grid of `count` math nodes in chains of `columns`, wired one to the next: a big but valid
 * graph, opened at `viewport`.
 */
export function bigGraph(count = 300, options: { columns?: number; viewport?: { x: number; y: number; zoom: number } } = {}): object {
  const columns = options.columns ?? 10;
  const nodes = [];
  const edges = [];
  for (let i = 0; i < count; i++) {
    const row = Math.floor(i / columns);
    const col = i % columns;
    nodes.push({ id: `n${i}`, type: 'math/add', version: 1, params: { bias: i, mode: 'sum' }, ui: { x: col * 260, y: row * 200 } });
    if (col > 0) edges.push({ from: { node: `n${i - 1}`, port: 'result' }, to: { node: `n${i}`, port: 'a' } });
  }
  // Zoomed out so that a large part of the graph (about 100 nodes) is on screen and rendered.
  const ui = { viewport: options.viewport ?? { x: 40, y: 40, zoom: 0.3 } };
  return { format: 'latentloom.graph', version: 1, meta: { title: `${count} nodes` }, models: {}, nodes, edges, ui };
}

export interface LoadFigures {
  /** Navigation start → node types loaded and the graph on the canvas (ms). */
  interactiveMs: number;
  /** gzip bytes of the JS the page itself loaded (the worker's own chunks excluded). */
  pageJsGzipBytes: number;
  pageJsFiles: string[];
}

export async function measureLoad(page: Page, url: string, query: string): Promise<LoadFigures> {
  await openEditor(page, url, query);
  const interactiveMs = await page.evaluate(() => performance.now());
  // The document's own resource timeline: a worker's fetches (the engine worker's onnxruntime
  // chunks, fetched by its idle warm-up while the page loads) are in the worker's timeline, not
  // here. Request events cannot tell them apart: playwright gives a dedicated worker's request
  // the page's frame.
  const loaded = (await page.evaluate(`performance.getEntriesByType('resource').map((e) => e.name)`)) as string[];
  const js = new Set(
    loaded.map((name) => new URL(name).pathname).filter((path) => (path.endsWith('.js') || path.endsWith('.mjs')) && !/engineWorker|worker/i.test(path)),
  );
  let pageJsGzipBytes = 0;
  for (const path of js) pageJsGzipBytes += gzipSync(readFileSync(join(DIST, path))).length;
  return { interactiveMs, pageJsGzipBytes, pageJsFiles: [...js] };
}

export interface FrameFigures {
  frames: number;
  meanMs: number;
  p95Ms: number;
  maxMs: number;
}

// Page scripts are passed as text: tsx (used by the bench) would wrap named functions in a
// `__name` helper that does not exist in the page.
const START_FRAMES = `(() => {
  window.__frames = [];
  window.__recording = true;
  const tick = (t) => { window.__frames.push(t); if (window.__recording) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;
const STOP_FRAMES = '(() => { window.__recording = false; return window.__frames; })()';

/** Drags a node with the mouse in `steps` moves while recording requestAnimationFrame intervals. */
export async function measureDrag(page: Page, nodeId: string, steps = 60): Promise<FrameFigures> {
  const header = page.locator(`${node(nodeId)} .ll-node-title`);
  const box = await header.boundingBox();
  if (!box) throw new Error(`node ${nodeId} is not visible`);
  await page.evaluate(START_FRAMES);
  await page.mouse.move(box.x + 10, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(box.x + 10 + i * 4, box.y + box.height / 2 + i * 2);
  }
  await page.mouse.up();
  const stamps = (await page.evaluate(STOP_FRAMES)) as number[];
  return frameFigures(stamps);
}

function frameFigures(stamps: number[]): FrameFigures {
  const gaps = stamps.slice(1).map((t, i) => t - stamps[i]).sort((a, b) => a - b);
  const mean = gaps.reduce((s, g) => s + g, 0) / Math.max(1, gaps.length);
  return { frames: gaps.length, meanMs: mean, p95Ms: gaps[Math.floor(gaps.length * 0.95)] ?? 0, maxMs: gaps[gaps.length - 1] ?? 0 };
}

/** The canvas's zoom, read from React Flow's viewport transform. */
export async function canvasZoom(page: Page): Promise<number> {
  const transform = await page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform);
  return Number(/scale\(([\d.]+)\)/.exec(transform)?.[1]);
}

/** Zooms in with the mouse wheel at the canvas's top left corner until the zoom reaches `zoom`. */
export async function wheelZoomTo(page: Page, zoom: number): Promise<number> {
  const canvas = await page.getByTestId('canvas').boundingBox();
  if (!canvas) throw new Error('the canvas is not on the page');
  await page.mouse.move(canvas.x + 30, canvas.y + 30);
  for (let i = 0; i < 40 && (await canvasZoom(page)) < zoom; i++) {
    await page.mouse.wheel(0, -60);
    await page.waitForTimeout(30);
  }
  return canvasZoom(page);
}

/** A point of the empty canvas (React Flow's pane) at least `above` px below its top, in page pixels. */
async function panePoint(page: Page, above: number): Promise<{ x: number; y: number }> {
  const found = (await page.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid="canvas"]').getBoundingClientRect();
    for (let y = canvas.bottom - 30; y > canvas.top + ${above}; y -= 7)
      for (let x = canvas.left + 80; x < canvas.right - 80; x += 5) {
        const hit = document.elementFromPoint(x, y);
        if (hit && hit.classList.contains('react-flow__pane')) return { x, y };
      }
    return null;
  })()`)) as { x: number; y: number } | null;
  if (!found) throw new Error('no empty spot of the canvas to start a pan from');
  return found;
}

/**
 * Pans the canvas for about `ms` with mouse drags on the empty pane, `stepPx` per mouse move,
 * up and down by `rangePx` in turn (nodes come in and go out at the edges), while recording
 * requestAnimationFrame intervals. The pane spot found first stays under the mouse, so nothing
 * is looked up in the page while the frames are recorded.
 */
export async function measurePan(page: Page, ms = 2000, stepPx = 8, rangePx = 240): Promise<FrameFigures & { pannedPx: number }> {
  const from = await panePoint(page, rangePx + 20);
  await page.evaluate(START_FRAMES);
  const start = Date.now();
  let pannedPx = 0;
  let y = from.y;
  for (let drag = 0; Date.now() - start < ms; drag++) {
    const direction = drag % 2 === 0 ? -1 : 1;
    await page.mouse.move(from.x, y);
    await page.mouse.down();
    for (let moved = stepPx; moved <= rangePx && Date.now() - start < ms; moved += stepPx) {
      y += direction * stepPx;
      await page.mouse.move(from.x, y);
      pannedPx += stepPx;
    }
    await page.mouse.up();
  }
  const stamps = (await page.evaluate(STOP_FRAMES)) as number[];
  return { ...frameFigures(stamps), pannedPx };
}

export interface RunFigures {
  /** Run pressed → first image on a node (ms). */
  firstImageMs: number;
  /** Main-thread long tasks (> 50 ms) observed during the run. */
  longTasks: number[];
  /** With `profile`: main-thread stretches of over 40 ms without idle, and where their time went. */
  busy?: BusyStretch[];
}

export interface BusyStretch {
  /** Since Run was pressed (ms). */
  atMs: number;
  ms: number;
  /** `function file:line:column` with inclusive ms, heaviest first (minified names in a build). */
  top: [string, number][];
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Cuts a CDP CPU profile into busy stretches (no idle sample for > 40 ms) with their top frames. */
function busyStretches(profile: CpuProfile, top = 12): BusyStretch[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frameName = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`;
  };
  const out: BusyStretch[] = [];
  let t = 0;
  let current: { start: number; end: number; time: Map<string, number> } | undefined;
  const close = () => {
    if (current && current.end - current.start > 40_000) {
      const sorted = [...current.time].sort((a, b) => b[1] - a[1]).slice(0, top);
      out.push({ atMs: current.start / 1000, ms: (current.end - current.start) / 1000, top: sorted.map(([k, v]) => [k, v / 1000]) });
    }
    current = undefined;
  };
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (byId.get(id)!.callFrame.functionName === '(idle)') return close();
    current ??= { start: t, end: t, time: new Map() };
    current.end = t;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = frameName(cur);
      if (name.startsWith('(root)') || seen.has(name)) continue;
      seen.add(name);
      current.time.set(name, (current.time.get(name) ?? 0) + dt);
    }
  });
  close();
  return out;
}

/** Presses Run and waits for the first image, recording long tasks meanwhile. */
export async function measureRun(page: Page, timeoutMs = 120_000, options: { profile?: boolean } = {}): Promise<RunFigures> {
  const cdp = options.profile ? await page.context().newCDPSession(page) : undefined;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  await page.evaluate(`(() => {
    window.__longTasks = [];
    window.__longTaskObserver?.disconnect();
    window.__longTaskObserver = new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); });
    window.__longTaskObserver.observe({ type: 'longtask', buffered: false });
  })()`);
  // The gallery, not the node: nodes off screen are not rendered.
  const images = await page.locator('[data-testid="gallery"] img').count();
  const start = Date.now();
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(`document.querySelectorAll('[data-testid="gallery"] img').length > ${images}`, null, { timeout: timeoutMs });
  const firstImageMs = Date.now() - start;
  await page.waitForFunction('!window.__latentloom.running()', null, { timeout: timeoutMs });
  const longTasks = (await page.evaluate('window.__longTasks')) as number[];
  if (!cdp) return { firstImageMs, longTasks };
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  await cdp.detach();
  return { firstImageMs, longTasks, busy: busyStretches(profile) };
}
