/**
 * Opening a huge graph in the browser, measured: time from handing the file to the editor until
 * the document is in the store and the canvas shows cards, and the longest main-thread stall
 * (long tasks) meanwhile. Shared by tests/e2e/hugeGraph.test.ts and tests/bench/hugeGraph.bench.ts.
 */
import type { Page } from 'playwright-core';

export interface OpenFigures {
  /** setInputFiles → the document in the store and a node card drawn (ms). */
  openMs: number;
  /** Longest main-thread long task from the file pick to `settleMs` after the open (ms). */
  longestTaskMs: number;
  /** Sum of long tasks in that window (ms). */
  blockedMs: number;
  /** A page.evaluate round trip right after the open (ms): the editor answers. */
  evaluateMs: number;
}

/** Opens `graph` through the file input and measures; `timeoutMs` bounds every wait. */
export async function measureOpen(page: Page, graph: { nodes: unknown[] }, name: string, options: { timeoutMs?: number; settleMs?: number } = {}): Promise<OpenFigures> {
  const timeout = options.timeoutMs ?? 120_000;
  await page.evaluate(`(() => {
    window.__longTasks = [];
    window.__longTaskObserver?.disconnect();
    window.__longTaskObserver = new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); });
    window.__longTaskObserver.observe({ type: 'longtask', buffered: false });
  })()`);
  const count = graph.nodes.length;
  const buffer = Buffer.from(JSON.stringify(graph));
  const start = Date.now();
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/json', buffer });
  await page.waitForFunction(`window.__latentloom.doc().nodes.length === ${count} && document.querySelector('.react-flow__node-graphNode') !== null`, null, { timeout, polling: 100 });
  const openMs = Date.now() - start;
  const t = Date.now();
  await page.evaluate('1');
  const evaluateMs = Date.now() - t;
  await new Promise((r) => setTimeout(r, options.settleMs ?? 1000));
  const tasks = (await page.evaluate('(() => { window.__longTaskObserver.disconnect(); return window.__longTasks; })()')) as number[];
  return { openMs, evaluateMs, longestTaskMs: Math.max(0, ...tasks), blockedMs: tasks.reduce((s, x) => s + x, 0) };
}
