/**
 * Drives a run: snapshots the document, sends it to the engine, turns engine events into run
 * state, collects output images into the gallery, re-rolls "randomise after run" seeds, and
 * handles cancel and worker crashes. The document is never modified by a run except for those
 * seeds (an undoable edit, as in ComfyUI). Each run reports to the run store of the document
 * (tab) that queued it, shown or not: a run goes on when its tab is put aside.
 */
export { RANDOMIZED_SEEDS_KEY, randomizedSeedsOf } from './randomSeeds.ts';
import type { EngineEvent } from '../../engine/events.ts';
import type { GraphDocument } from '../../graph/document.ts';
import type { EditorStore } from '../store/editorStore.ts';
import type { BackendChoice, EngineConnection, EngineRunResult } from './engineConnection.ts';
import { imagesFromOutputs, pictureSource, previewObjectUrl, pngUrl, savesFirst } from './images.ts';
import { liveRandomizedSeeds, rerollSeeds, withFreshSeeds } from './randomSeeds.ts';
import { RunStore } from './runStore.ts';
import { RunQueue, type QueuedRun, type QueueSnapshot } from './runQueue.ts';

/** Where a run's progress and results go: the run store of the document tab that queued it. */
export interface RunHome {
  tab: number;
  runs: RunStore;
}

/** The document shown now: runs queued now belong to it. */
export interface RunHomes {
  shown(): RunHome;
}

/** How a queued run ended, for whoever queued it (a sweep collects its points' metrics from this). */
export interface RunOutcome {
  ok: boolean;
  /** Cancelled while running, or removed from the queue before it ran (then `ran` is false). */
  cancelled: boolean;
  ran: boolean;
  outputs: Record<string, Record<string, unknown>>;
  error?: string;
  ms: number;
}

/** A prepared document to queue (see RunController.enqueue). */
export interface QueueRequest {
  doc: GraphDocument;
  label: string;
  outputs?: string[];
  /** false: no live latent previews (a sweep's points: nobody watches them, and each costs a decode per step). */
  previews?: boolean;
  onDone?(outcome: RunOutcome): void;
}

interface QueueItem extends QueuedRun {
  runs: RunStore;
  doc: GraphDocument;
  outputs?: string[];
  previews?: boolean;
  onDone?(outcome: RunOutcome): void;
}

const NOT_RUN: Omit<RunOutcome, 'error'> = { ok: false, cancelled: true, ran: false, outputs: {}, ms: 0 };

/** Most runs one Run press may queue (the batch count input's maximum). */
export const MAX_BATCH = 100;

export class RunController {
  private active = false;
  private readonly queue = new RunQueue<QueueItem>();
  private readonly homes: RunHomes;
  private nextQueueId = 1;
  private previewBusy = false;
  /** The newest preview not yet shown: shown when the one being encoded is done. */
  private readonly latestPreview = new Map<string, { preview: unknown; runs: RunStore; generation: number }>();
  /** Events of a finished run that arrive late (they use their own channel) are dropped. */
  private acceptEvents = false;
  /**
   * Latest progress per node, applied once per frame: a zone may report millions of iterations,
   * and one render per event would freeze the page.
   */
  private pendingProgress = new Map<string, { value: number; max: number; unit?: 'bytes' }>();
  private progressScheduled = false;
  /**
   * Bumped by every run and when the document of the run under way is closed: what an older
   * run reports afterwards (a late preview) reaches no run state.
   */
  private generation = 0;
  /** The run store of the run under way. */
  private reporting: RunStore | undefined;

  constructor(
    private readonly engine: EngineConnection,
    private readonly store: EditorStore,
    /** One run store (an editor without tabs), or the tabs' stores, each run to its own tab's. */
    homes: RunStore | RunHomes,
    private readonly backend: () => BackendChoice,
    /** Targets when the user asks for none: the graph's output nodes, or its leaves if it has none. */
    private readonly defaultOutputs: (doc: GraphDocument) => string[] | undefined = () => undefined,
  ) {
    this.homes = homes instanceof RunStore ? { shown: () => ({ tab: 0, runs: homes }) } : homes;
  }

  /** Whether the engine is running something, for any tab. */
  get running(): boolean {
    return this.active;
  }

  getQueue = (): QueueSnapshot => this.queue.getSnapshot();
  subscribeQueue = (listener: () => void): (() => void) => this.queue.subscribe(listener);

  /** Whether this tab has a run under way or waiting. */
  hasRuns(tab: number): boolean {
    const { waiting, current } = this.queue.getSnapshot();
    return current?.tab === tab || waiting.some((q) => q.tab === tab);
  }

  /**
   * Another document replaces the shown one: its runs waiting leave the queue, its run under way
   * is cancelled, and its run state, whatever the run still reports, is dropped.
   */
  detach(): void {
    const { tab, runs } = this.homes.shown();
    this.dropTab(tab, 'another graph was opened');
    runs.reset();
  }

  /**
   * A tab is closed: its runs waiting leave the queue and its run under way is cancelled; nothing
   * it reports afterwards reaches any run state. Runs of other tabs go on in queue order.
   */
  dropTab(tab: number, why = 'its tab was closed'): void {
    this.dropQueued(this.queue.remove((q) => q.tab === tab), why);
    if (this.queue.current?.tab !== tab) return;
    this.generation += 1;
    this.acceptEvents = false;
    this.reporting = undefined;
    this.latestPreview.clear();
    this.pendingProgress.clear();
    this.engine.cancel();
  }

  /**
   * Queues `count` runs of the graph as it is now (ComfyUI's Queue Prompt): each waits for the
   * one before. Seeds marked "randomise after run" get fresh values for every queued copy after
   * the first, and once more in the document (one undoable edit), as ComfyUI's
   * control_after_generate does at queue time. Resolves when the queue has drained if this call
   * started it, at once if a run was already going.
   */
  async run(outputs?: string[], count = 1): Promise<void> {
    const n = Math.max(1, Math.min(MAX_BATCH, Math.floor(count) || 1));
    const base = this.store.getSnapshot().doc;
    const seeds = liveRandomizedSeeds(base);
    const now = Date.now();
    const home = this.homes.shown();
    const items: QueueItem[] = [];
    for (let i = 0; i < n; i++) {
      const doc = i === 0 || seeds.length === 0 ? base : withFreshSeeds(base, seeds);
      const id = this.nextQueueId++;
      const what = outputs ? outputs.join(', ') : 'graph';
      items.push({ id, tab: home.tab, runs: home.runs, doc, outputs, label: n > 1 ? `${what} · ${i + 1} of ${n}` : what, queuedAt: now });
    }
    this.queue.push(items);
    if (seeds.length) rerollSeeds(this.store, seeds);
    await this.drain();
  }

  /**
   * Queues prepared documents (a sweep's points) after the runs already waiting, for the tab
   * shown now; each one's
   * `onDone` is called when its run is over, or when it leaves the queue without running. Returns
   * their queue ids at once; the runs go on in the background.
   */
  enqueue(requests: readonly QueueRequest[]): number[] {
    const now = Date.now();
    const { tab, runs } = this.homes.shown();
    const items = requests.map((r): QueueItem => (
      { id: this.nextQueueId++, tab, runs, doc: r.doc, outputs: r.outputs, previews: r.previews, label: r.label, queuedAt: now, onDone: r.onDone }
    ));
    this.queue.push(items);
    void this.drain();
    return items.map((q) => q.id);
  }

  /** Cancels these runs: those waiting leave the queue, the one running (if among them) stops. */
  cancelRuns(ids: readonly number[]): void {
    const wanted = new Set(ids);
    this.dropQueued(this.queue.remove((q) => wanted.has(q.id)), 'cancelled');
    const current = this.queue.current;
    if (current && wanted.has(current.id)) this.engine.cancel();
  }

  private async drain(): Promise<void> {
    if (this.active) return;
    this.active = true;
    try {
      for (let item = this.queue.next(); item; item = this.queue.next()) {
        const outcome = await this.runOne(item);
        this.queue.finished();
        item.onDone?.(outcome);
      }
    } finally {
      this.active = false;
      if (this.queue.current) this.queue.finished();
    }
  }

  /** Tells those who queued them that these runs left the queue without running. */
  private dropQueued(items: readonly QueueItem[], why: string): void {
    for (const item of items) item.onDone?.({ ...NOT_RUN, error: why });
  }

  /** Removes a queued run that has not started; false when it is not (or no longer) queued. */
  dequeue(id: number): boolean {
    const removed = this.queue.remove((q) => q.id === id);
    this.dropQueued(removed, 'removed from the queue');
    return removed.length > 0;
  }

  clearQueue(): void {
    this.dropQueued(this.queue.remove(() => true), 'removed from the queue');
  }

  private async runOne({ doc, outputs, previews = true, runs }: QueueItem): Promise<RunOutcome> {
    const generation = ++this.generation;
    const started = performance.now();
    const ms = () => performance.now() - started;
    runs.begin();
    this.reporting = runs;
    this.acceptEvents = true;
    try {
      const targets = outputs ?? this.defaultOutputs(doc);
      const result = await this.engine.run(doc, { outputs: targets, backend: this.backend(), ...(previews ? {} : { previewLatents: false }) }, (e) => this.acceptEvents && this.onEvent(e));
      const cancelled = result.error?.code === 'cancelled';
      const outcome: RunOutcome = {
        ok: result.ok, cancelled, ran: true, outputs: (result.outputs ?? {}) as RunOutcome['outputs'], ms: ms(),
        ...(result.ok ? {} : { error: describeError(result.error) }),
      };
      if (generation !== this.generation) return { ...outcome, ok: false, cancelled: true, error: 'its document was closed' };
      this.stopReporting();
      this.showOutputs(runs, doc, result.outputs ?? {}, result.nodes ?? {}, result.pictures);
      if (result.error?.node && !cancelled) runs.nodeError(result.error.node, result.error.code, result.error.message);
      runs.end({ stats: result.nodes, cancelled, error: result.ok || cancelled ? undefined : describeError(result.error) });
      return outcome;
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      if (generation !== this.generation) return { ok: false, cancelled: true, ran: true, outputs: {}, ms: ms(), error };
      this.stopReporting();
      runs.end({ error });
      return { ok: false, cancelled: false, ran: true, outputs: {}, ms: ms(), error };
    }
  }

  /** Events that trail the run's result reach nobody; progress not drawn yet is superseded by it. */
  private stopReporting(): void {
    this.acceptEvents = false;
    this.reporting = undefined;
    this.pendingProgress.clear();
  }

  /** Cancels the run under way if it belongs to the tab shown (a run of another tab goes on). */
  cancel(): void {
    const current = this.queue.current;
    if (this.active && current && current.tab === this.homes.shown().tab) this.engine.cancel();
  }

  /**
   * Scalar values and pictures on their nodes; the gallery gets one entry per picture of this
   * run: a Preview showing what a Save of the same output saved shares its entry, and an output
   * node served from the cache (a rerun that changed nothing) adds none, unless this tab's
   * gallery never got its picture (the engine's cache is shared: another tab's run filled it).
   */
  private showOutputs(
    runs: RunStore,
    doc: GraphDocument,
    outputs: Record<string, Record<string, unknown>>,
    stats: Record<string, { status: string }>,
    pictures: EngineRunResult['pictures'],
  ): void {
    const shown = new Map<string, string>();
    for (const nodeId of savesFirst(doc, Object.keys(outputs))) {
      const values = outputs[nodeId];
      const text = scalarText(values);
      if (text) runs.nodeValues(nodeId, text);
      const source = pictureSource(doc, nodeId);
      const cached = stats[nodeId]?.status === 'cached';
      // The worker sends the pictures PNG-encoded; encode here only for hosts that do not.
      (pictures ? (pictures[nodeId] ?? []) : imagesFromOutputs(values, doc)).forEach((image, i) => {
        const key = `${source}#${i}`;
        const same = shown.get(key);
        if (same) return runs.nodePreview(nodeId, same);
        const kept = cached ? runs.galleryPicture(nodeId, image.png) : undefined;
        if (kept) {
          shown.set(key, kept.url);
          return runs.nodePreview(nodeId, kept.url);
        }
        if (cached && runs.showsPicture(nodeId)) {
          const url = pngUrl(image.png);
          shown.set(key, url);
          return runs.nodePreview(nodeId, url);
        }
        const title = doc.nodes.find((n) => n.id === nodeId)?.title;
        const item = runs.addImage({ nodeId, ...(title ? { title } : {}), url: pngUrl(image.png), png: image.png, width: image.width, height: image.height });
        shown.set(key, item.url);
      });
    }
  }

  private onEvent(e: EngineEvent): void {
    const runs = this.reporting;
    if (!runs) return;
    switch (e.type) {
      case 'run-start':
        runs.plan(e.nodes);
        break;
      case 'node-start':
        runs.nodeStart(e.node);
        break;
      case 'node-progress':
        this.queueProgress(e.node, e.iteration ?? e.value, e.count ?? e.max, e.iteration === undefined ? e.unit : undefined);
        if (e.preview !== undefined) this.showPreview(runs, e.node, e.preview);
        break;
      case 'node-finish': {
        // Progress not drawn yet (a fast loop's events within one frame) still gives the step count.
        const pending = this.pendingProgress.get(e.node);
        this.pendingProgress.delete(e.node);
        runs.nodeFinish(e.node, e.ms, e.cached, pending && !pending.unit ? pending.max : undefined);
        break;
      }
      case 'node-error':
        runs.nodeError(e.node, e.code, e.message);
        break;
      default:
        break;
    }
  }

  private queueProgress(node: string, value: number, max: number, unit?: 'bytes'): void {
    this.pendingProgress.set(node, { value, max, unit });
    if (this.progressScheduled) return;
    this.progressScheduled = true;
    nextFrame(() => {
      this.progressScheduled = false;
      const batch = this.pendingProgress;
      this.pendingProgress = new Map();
      const runs = this.acceptEvents ? this.reporting : undefined;
      if (runs) for (const [id, p] of batch) runs.nodeProgress(id, p.value, p.max, p.unit);
    });
  }

  /**
   * One preview encoded at a time (the browser encodes it off the main thread); one arriving
   * meanwhile replaces the one waiting for the same node, so each node's newest is shown last
   * (a zone's last preview is not lost to the next zone's first).
   */
  private showPreview(runs: RunStore, node: string, preview: unknown): void {
    this.latestPreview.delete(node);
    this.latestPreview.set(node, { preview, runs, generation: this.generation });
    if (this.previewBusy) return;
    this.previewBusy = true;
    void (async () => {
      try {
        for (let next = this.latestPreview.entries().next(); !next.done; next = this.latestPreview.entries().next()) {
          const [nodeId, waiting] = next.value;
          this.latestPreview.delete(nodeId);
          const url = await previewObjectUrl(waiting.preview).catch(() => undefined);
          if (url && waiting.generation === this.generation) waiting.runs.nodePreview(nodeId, url);
          else if (url) URL.revokeObjectURL(url);
        }
      } finally {
        this.previewBusy = false;
      }
    })();
  }
}

/** `port = value` lines for the scalar outputs of a node (numbers, booleans, short strings). */
export function scalarText(values: Record<string, unknown>): string {
  const lines: string[] = [];
  for (const [port, v] of Object.entries(values)) {
    if (typeof v === 'number') lines.push(`${port} = ${Number.isInteger(v) ? v : Number(v.toPrecision(7))}`);
    else if (typeof v === 'boolean') lines.push(`${port} = ${v}`);
    else if (typeof v === 'string') lines.push(`${port} = ${v.length > 60 ? `${v.slice(0, 57)}…` : v}`);
  }
  return lines.join('\n');
}

/** requestAnimationFrame where there is one (the page), a short timer elsewhere (Node tests). */
function nextFrame(fn: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => fn());
  else setTimeout(fn, 16);
}

function describeError(error: { node?: string; code: string; message: string } | undefined): string {
  if (!error) return 'unknown error';
  return error.node ? `${error.node}: ${error.message}` : error.message;
}
