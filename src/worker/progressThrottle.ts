/**
 * Coalesces `node-progress` events on their way from the worker to the page: a zone may report
 * thousands of iterations a second, and one message (plus a preview) per iteration floods the
 * main thread and delays Cancel. Per node, at most one progress event per `intervalMs` goes out;
 * the first and the last iteration always do, and a withheld one goes out when its window ends
 * if nothing newer came. Every other event goes out at once and in order: pending progress is
 * sent first so the page never sees progress after that node's finish. A withheld event's preview
 * is carried over to the newer progress that replaces it.
 * The engine itself is untouched: Node and CLI consumers still get every event.
 */
import type { EngineEvent } from '../engine/events.ts';

type ProgressEvent = Extract<EngineEvent, { type: 'node-progress' }>;

export interface ProgressThrottleOptions {
  /** Minimum time between two progress events of the same node (ms); 0 or less sends all. */
  intervalMs?: number;
  now?: () => number;
}

export interface ProgressThrottle {
  push(event: EngineEvent): void;
  /** Sends every withheld progress event now (end of a run). */
  flush(): void;
  /** Drops withheld events and stops the timer. */
  dispose(): void;
}

export const DEFAULT_PROGRESS_INTERVAL_MS = 50;

function isLastStep(event: ProgressEvent): boolean {
  return event.count !== undefined && event.iteration !== undefined ? event.iteration >= event.count : event.value >= event.max;
}

/** A withheld preview (an asynchronous decode arrives once) survives newer progress without one. */
function keepPreview(event: ProgressEvent, older: ProgressEvent | undefined): ProgressEvent {
  if (event.preview !== undefined || older?.preview === undefined) return event;
  return { ...event, preview: older.preview, ...(older.previewIteration !== undefined ? { previewIteration: older.previewIteration } : {}) };
}

export function createProgressThrottle(send: (event: EngineEvent) => void, options: ProgressThrottleOptions = {}): ProgressThrottle {
  const interval = options.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  const now = options.now ?? (() => performance.now());
  const lastSent = new Map<string, number>();
  const pending = new Map<string, ProgressEvent>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const sendProgress = (event: ProgressEvent) => {
    pending.delete(event.node);
    lastSent.set(event.node, now());
    send(event);
  };

  const sendDue = () => {
    timer = undefined;
    const t = now();
    let wait = Infinity;
    for (const [node, event] of [...pending]) {
      const due = (lastSent.get(node) ?? 0) + interval;
      if (due <= t) sendProgress(event);
      else wait = Math.min(wait, due - t);
    }
    if (wait !== Infinity) timer = setTimeout(sendDue, wait);
  };

  const flush = () => {
    for (const event of [...pending.values()]) sendProgress(event);
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  return {
    push(event) {
      if (event.type !== 'node-progress') {
        flush();
        send(event);
        return;
      }
      event = keepPreview(event, pending.get(event.node));
      const previous = lastSent.get(event.node);
      if (interval <= 0 || previous === undefined || isLastStep(event) || now() - previous >= interval) {
        sendProgress(event);
        return;
      }
      pending.set(event.node, event);
      timer ??= setTimeout(sendDue, Math.max(0, previous + interval - now()));
    },
    flush,
    dispose() {
      pending.clear();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
