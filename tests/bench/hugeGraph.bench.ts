/**
 * Opening huge graphs in the editor (headless Chromium against the built app): 19,000 math nodes
 * and a chain of 9,990 repeat zones (19,982 nodes) — time until drawn and the longest
 * main-thread task — and frame times dragging a card in the 19,000-node graph. Then Run in the
 * editor on an unchanged 10,000-node chain (everything cached): Ctrl+Enter → the run over, with
 * the worker's own run time (lastRun().ms).
 * `npm run bench -- hugeGraph`. Needs /usr/bin/chromium; prints why when it is missing.
 */
import type { Page } from 'playwright-core';
import type { BenchFigure } from './run.ts';
import { HAS_CHROMIUM, SKIP_REASON, openEditor, startSession } from '../e2e/harness.ts';
import { mathGridGraph, zoneChainGraph } from '../e2e/hugeGraphs.ts';
import { measureOpen } from '../e2e/hugeOpen.ts';
import { measureDrag } from '../e2e/measure.ts';

/** Ctrl+Enter → the run over: wall ms at the page and the run's own ms as the editor reports it. */
async function runInEditor(page: Page): Promise<{ wall: number; run: number; executed: number }> {
  await page.evaluate('window.__seenRun = window.__latentloom.lastRun()');
  const start = Date.now();
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction('window.__latentloom.lastRun() !== window.__seenRun && !window.__latentloom.running()', null, { timeout: 300_000, polling: 'raf' });
  const wall = Date.now() - start;
  const last = (await page.evaluate('window.__latentloom.lastRun()')) as { ms: number; executed: string[]; error?: string };
  if (last.error) throw new Error(`the run failed: ${last.error.slice(0, 300)}`);
  return { wall, run: last.ms, executed: last.executed.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `count` math/add nodes in one chain from a constant, drawn in rows of 10 (the engine bench's graph). */
function chainGraph(count: number): { nodes: object[]; edges: object[] } & Record<string, unknown> {
  const nodes: object[] = [{ id: 'k', type: 'const/float', version: 1, params: { value: 1 }, ui: { x: -260, y: 0 } }];
  const edges: object[] = [];
  for (let i = 0; i < count - 1; i++) {
    nodes.push({ id: `n${i}`, type: 'math/add', version: 1, params: { bias: 0.5, mode: 'sum' }, ui: { x: (i % 10) * 260, y: Math.floor(i / 10) * 200 } });
    edges.push({ from: { node: i === 0 ? 'k' : `n${i - 1}`, port: i === 0 ? 'value' : 'result' }, to: { node: `n${i}`, port: 'a' } });
    edges.push({ from: { node: 'k', port: 'value' }, to: { node: `n${i}`, port: 'b' } });
  }
  return { format: 'latentloom.graph', version: 1, meta: { title: `${count}-node chain` }, models: {}, nodes, edges, ui: { viewport: { x: 300, y: 40, zoom: 1 } } };
}

async function editorRerunFigures(page: Page, url: string): Promise<BenchFigure[]> {
  await openEditor(page, url, '?fresh&example=math-demo');
  await measureOpen(page, chainGraph(10_000), 'rerun.json', { timeoutMs: 300_000 });
  await runInEditor(page); // the first run executes everything
  const unchanged: Array<{ wall: number; run: number }> = [];
  for (let i = 0; i < 5; i++) {
    const r = await runInEditor(page);
    if (r.executed !== 0) throw new Error(`the unchanged rerun executed ${r.executed} nodes`);
    unchanged.push(r);
  }
  const figure = (label: string, xs: Array<{ wall: number; run: number }>): BenchFigure => ({
    name: `editor Run, 10,000-node chain, ${label}: Ctrl+Enter → over`,
    value: median(xs.map((x) => x.wall)),
    unit: 'ms',
    note: `worker run ${median(xs.map((x) => x.run)).toFixed(1)} ms (median of ${xs.length})`,
  });
  return [figure('unchanged', unchanged)];
}

export async function figures(): Promise<BenchFigure[]> {
  if (!HAS_CHROMIUM) {
    console.log(SKIP_REASON);
    return [];
  }
  const out: BenchFigure[] = [];
  const s = await startSession();
  try {
    for (const [label, graph] of [['19,000 math nodes', mathGridGraph(19_000)], ['9,990 repeat zones', zoneChainGraph(9_990)]] as const) {
      await openEditor(s.page, s.server.url, '?fresh&example=math-demo');
      const f = await measureOpen(s.page, graph, 'huge.json', { timeoutMs: 300_000 });
      out.push({ name: `open ${label}: file → drawn`, value: f.openMs, unit: 'ms', note: `page answered in ${f.evaluateMs} ms` });
      out.push({ name: `open ${label}: longest main-thread task`, value: f.longestTaskMs, unit: 'ms', note: `${f.blockedMs.toFixed(0)} ms blocked in all` });
      if (label.includes('math')) {
        await s.page.locator('.react-flow__controls-zoomin').click();
        await s.page.locator('.react-flow__controls-zoomin').click();
        const id = await s.page.locator('.react-flow__node-graphNode').first().getAttribute('data-id');
        const drag = await measureDrag(s.page, id!, 40);
        out.push({ name: `drag a card among ${label}: mean frame`, value: drag.meanMs, unit: 'ms', note: `p95 ${drag.p95Ms.toFixed(1)} ms, ${drag.frames} frames` });
      }
    }
    out.push(...(await editorRerunFigures(s.page, s.server.url)));
  } finally {
    await s.close();
  }
  return out;
}
