/**
 * Where a page load's main-thread time went, from a Chromium trace (CDP Tracing): the editor's
 * start-up marks (src/ui/app/loadMarks.ts) since navigation start, and the renderer main
 * thread's busy time up to the `interactive` mark, as wall time and as thread CPU time (`tdur`,
 * which on a loaded machine leaves out the time the thread waited for a core), split by trace
 * event (self time: script evaluation, style, layout, parsing…).
 */
import type { CDPSession, Page } from 'playwright-core';

export interface LoadTrace {
  /** Mark name (without the `latentloom:` prefix) → ms since navigation start. */
  marks: Record<string, number>;
  /** Main-thread tasks from navigation start to the interactive mark: wall and CPU ms. */
  busyMs: number;
  cpuMs: number;
  /** Trace event name → self wall ms, heaviest first. */
  top: [string, number][];
}

interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { data?: { isLoadingMainFrame?: boolean; documentLoaderURL?: string } };
}

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'blink.user_timing', 'loading'];
const MARK_PREFIX = 'latentloom:';

/** Starts a trace on `page`; the returned function ends it and analyses it. */
export async function startLoadTrace(page: Page): Promise<() => Promise<LoadTrace>> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: CATEGORIES } });
  return async () => {
    const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
    await cdp.send('Tracing.end');
    await complete;
    await cdp.detach();
    return analyse(events);
  };
}

function analyse(events: TraceEvent[]): LoadTrace {
  const marks = events.filter((e) => e.name.startsWith(MARK_PREFIX) && e.cat?.includes('blink.user_timing'));
  const interactive = marks.find((m) => m.name === `${MARK_PREFIX}interactive`);
  if (!interactive) throw new Error('the trace has no latentloom:interactive mark: the editor did not become interactive while traced');
  const navigation = events
    .filter((e) => e.name === 'navigationStart' && e.args?.data?.isLoadingMainFrame && e.args.data.documentLoaderURL?.startsWith('http') && e.ts <= interactive.ts)
    .sort((a, b) => b.ts - a.ts)[0];
  if (!navigation) throw new Error('the trace has no main-frame navigationStart before the interactive mark');
  const t0 = navigation.ts;
  const t1 = interactive.ts;
  const onMain = (e: TraceEvent) => e.pid === interactive.pid && e.tid === interactive.tid;
  const spans = events.filter((e) => onMain(e) && e.ph === 'X' && e.dur && e.ts >= t0 && e.ts <= t1).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<string, number>();
  const stack: TraceEvent[] = [];
  let busy = 0;
  let cpu = 0;
  for (const e of spans) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur! <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur!);
    else {
      busy += e.dur!;
      cpu += e.tdur ?? e.dur!;
    }
    self.set(e.name, (self.get(e.name) ?? 0) + e.dur!);
    stack.push(e);
  }
  const ms = (us: number) => us / 1000;
  return {
    marks: Object.fromEntries(marks.filter((m) => m.ts >= t0).map((m) => [m.name.slice(MARK_PREFIX.length), ms(m.ts - t0)])),
    busyMs: ms(busy),
    cpuMs: ms(cpu),
    top: [...self].map(([name, us]): [string, number] => [name, ms(us)]).filter(([, v]) => v >= 1).sort((a, b) => b[1] - a[1]),
  };
}
