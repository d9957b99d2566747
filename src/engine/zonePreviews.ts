/**
 * Per-iteration previews of a repeat zone (RunOptions.zonePreview). A hook that answers at once
 * has its preview attached to the iteration's progress event. A hook that returns a Promise (a
 * TAESD decode, say) never holds the loop up: at most one runs at a time, iterations finished
 * meanwhile replace each other as the next to preview (the newest wins), and each preview arrives
 * as an extra progress event carrying `previewIteration`. After the loop the zone waits at most
 * DRAIN_MS for the previews still due, then aborts the rest. A failing preview is just no preview.
 */
import type { EngineEvent, ZoneIterationInfo } from './events.ts';
import type { RunEnv } from './nodeRunner.ts';

/** Longest the end of a zone waits for its last previews (ms). */
export const ZONE_PREVIEW_DRAIN_MS = 2000;

export interface ZonePreviews {
  /** Whether a preview hook is set: without one, `after` need not be called. */
  readonly active: boolean;
  /** After an iteration: the preview to attach to its progress event now, if the hook gave one at once. */
  after(info: ZoneIterationInfo): unknown;
  /** Waits (capped) for the preview in flight and the newest one due, then stops sending. */
  drain(capMs?: number): Promise<void>;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof (v as { then?: unknown } | null)?.then === 'function';

/** What a zone without a preview hook gets: no abort controller, no listener, nothing to drain. */
const NO_PREVIEWS: ZonePreviews = { active: false, after: () => undefined, drain: () => Promise.resolve() };

export function zonePreviews(env: RunEnv, zone: string, node: string, count: number): ZonePreviews {
  const hook = env.zonePreview;
  if (!hook) return NO_PREVIEWS;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  env.signal.addEventListener('abort', onAbort, { once: true });
  let inFlight: Promise<void> | undefined;
  let due: ZoneIterationInfo | undefined;
  let latest = 0;
  let closed = false;

  const send = (preview: unknown, iteration: number) => {
    if (closed || preview === undefined) return;
    const event: EngineEvent = {
      type: 'node-progress',
      runId: env.runId,
      node,
      value: latest,
      max: count,
      iteration: latest,
      count,
      zone,
      preview,
      previewIteration: iteration,
    };
    env.emit(event);
  };

  /** Calls the hook; a Promise is followed here, a value is returned to the caller. */
  const call = (info: ZoneIterationInfo): unknown => {
    let result: unknown;
    try {
      result = hook({ ...info, signal: controller.signal });
    } catch {
      return undefined; // a preview is a nicety; it must never fail the run
    }
    if (!isThenable(result)) return result;
    inFlight = Promise.resolve(result).then(
      (preview) => send(preview, info.iteration),
      () => undefined,
    ).then(() => {
      inFlight = undefined;
      const next = due;
      due = undefined;
      if (next && !closed) {
        const preview = call(next);
        if (preview !== undefined) send(preview, next.iteration);
      }
    });
    return undefined;
  };

  return {
    active: true,
    after(info) {
      latest = info.iteration;
      if (closed) return undefined;
      if (inFlight) {
        due = info;
        return undefined;
      }
      return call(info);
    },
    async drain(capMs = ZONE_PREVIEW_DRAIN_MS) {
      if (inFlight && capMs > 0) await settle(capMs);
      closed = true;
      due = undefined;
      controller.abort();
      env.signal.removeEventListener('abort', onAbort);
    },
  };

  async function settle(capMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, capMs)));
    const settled = (async () => {
      while (inFlight && !closed) await inFlight;
    })();
    await Promise.race([settled, cap]);
    clearTimeout(timer);
  }
}
