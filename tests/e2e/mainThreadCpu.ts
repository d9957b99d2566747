/**
 * The page's main-thread CPU time, beside the wall-clock figures: on a shared, loaded machine a
 * frame or a task takes longer on the clock than the work in it, while the main thread waits for
 * a core. Chromium's own thread clock through CDP (Performance metrics; a timeline trace for the
 * CPU time of single tasks).
 */
import type { CDPSession, Page } from 'playwright-core';

async function threadTimeMs(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const time = metrics.find((m) => m.name === 'ThreadTime');
  if (!time) throw new Error('Chromium reports no ThreadTime metric (CDP Performance.getMetrics)');
  return time.value * 1000;
}

/** `fn`'s result and the CPU time (ms) the page's main thread spent while it ran. */
export async function withMainThreadCpu<T>(page: Page, fn: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Performance.enable');
    const before = await threadTimeMs(cdp);
    const result = await fn();
    return { result, cpuMs: (await threadTimeMs(cdp)) - before };
  } finally {
    await cdp.detach();
  }
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export interface TaskCpu {
  /** The main-thread task that used the most CPU: its wall and CPU time (ms). */
  longest: { wallMs: number; cpuMs: number };
  /** The task that took longest on the clock, with its CPU time (ms). */
  slowest: { wallMs: number; cpuMs: number };
}

/** Runs `fn` under a Chromium timeline trace and returns the page's main-thread tasks' times. */
export async function withTaskCpu<T>(page: Page, fn: () => Promise<T>): Promise<{ result: T; tasks: TaskCpu }> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  try {
    await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] }, transferMode: 'ReportEvents' });
    const result = await fn();
    const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.end');
    await complete;
    const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
    if (!main) throw new Error('the trace has no renderer main thread (CrRendererMain)');
    const tasks = events
      .filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === main.pid && e.tid === main.tid)
      .map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? 0) / 1000 }));
    if (tasks.length === 0) throw new Error('the trace has no main-thread tasks');
    const longest = tasks.reduce((a, b) => (b.cpuMs > a.cpuMs ? b : a));
    const slowest = tasks.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
    return { result, tasks: { longest, slowest } };
  } finally {
    await cdp.detach();
  }
}
