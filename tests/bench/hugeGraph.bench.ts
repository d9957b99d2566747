/**
 * Opening huge graphs in the editor (headless Chromium against the built app): 19,000 math nodes
 * and a chain of 9,990 repeat zones (19,982 nodes) — time until drawn and the longest
 * main-thread task — and frame times dragging a card in the 19,000-node graph.
 * `npm run bench -- hugeGraph`. Needs /usr/bin/chromium; prints why when it is missing.
 */
import type { BenchFigure } from './run.ts';
import { HAS_CHROMIUM, SKIP_REASON, openEditor, startSession } from '../e2e/harness.ts';
import { mathGridGraph, zoneChainGraph } from '../e2e/hugeGraphs.ts';
import { measureOpen } from '../e2e/hugeOpen.ts';
import { measureDrag } from '../e2e/measure.ts';

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
  } finally {
    await s.close();
  }
  return out;
}
