/**
 * Drives a run: snapshots the document, sends it to the engine, turns engine events into run
 * state, collects output images into the gallery, re-rolls "randomise after run" seeds, and
 * handles cancel and worker crashes. The document is never modified by a run except for those
 * seeds (an undoable edit, as in ComfyUI).
 */
import type { EngineEvent } from '../../engine/events.ts';
import type { GraphDocument } from '../../graph/document.ts';
import type { EditorStore } from '../store/editorStore.ts';
import * as edits from '../store/docEdits.ts';
import { randomSeed } from '../widgets/numeric.ts';
import type { BackendChoice, EngineConnection, EngineRunResult } from './engineConnection.ts';
import { imagesFromOutputs, pictureSource, previewObjectUrl, pngUrl, savesFirst } from './images.ts';
import { produce } from 'immer';
import type { QueuedRun, RunStore } from './runStore.ts';

export const RANDOMIZED_SEEDS_KEY = 'randomizeSeeds';

export function randomizedSeedsOf(ui: { extra?: Record<string, unknown> } | undefined): string[] {
  const list = ui?.extra?.[RANDOMIZED_SEEDS_KEY];
  return Array.isArray(list) ? list.filter((k): k is string => typeof k === 'string') : [];
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
  private queue: QueueItem[] = [];
  private nextQueueId = 1;
  private previewBusy = false;
  /** The newest preview not yet shown: shown when the one being encoded is done. */
  private readonly latestPreview = new Map<string, unknown>();
  /** Events of a finished run that arrive late (they use their own channel) are dropped. */
  private acceptEvents = false;
  /**
   * Latest progress per node, applied once per frame: a zone may report millions of iterations,
   * and one render per event would freeze the page.
   */
  private pendingProgress = new Map<string, { value: number; max: number; unit?: 'bytes' }>();
  private progressScheduled = false;
  /**
   * Bumped when another document is opened: a run started before belongs to the old document,
   * and nothing it reports afterwards reaches the run state.
   */
  private generation = 0;
  /** Queue id of the run under way (0: none). */
  private current = 0;

  constructor(
    private readonly engine: EngineConnection,
    private readonly store: EditorStore,
    private readonly runs: RunStore,
    private readonly backend: () => BackendChoice,
    /** Targets when the user asks for none: the graph's output nodes, or its leaves if it has none. */
    private readonly defaultOutputs: (doc: GraphDocument) => string[] | undefined = () => undefined,
  ) {}

  get running(): boolean {
    return this.active;
  }

  /**
   * Another document replaces the current one: the run under way is cancelled and its state,
   * whatever it still reports, is dropped with the rest of the old document's run state.
   */
  detach(): void {
    this.generation += 1;
    this.acceptEvents = false;
    this.latestPreview.clear();
    this.pendingProgress.clear();
    this.dropQueued(this.queue, 'another graph was opened');
    if (this.active) this.engine.cancel();
    this.runs.reset();
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
    for (let i = 0; i < n; i++) {
      const doc = i === 0 || seeds.length === 0 ? base : withFreshSeeds(base, seeds);
      const id = this.nextQueueId++;
      const what = outputs ? outputs.join(', ') : 'graph';
      this.queue.push({ id, doc, outputs, label: n > 1 ? `${what} · ${i + 1} of ${n}` : what, queuedAt: now });
    }
    this.publishQueue();
    if (seeds.length) this.rerollSeeds(seeds);
    await this.drain();
  }

  /**
   * Queues prepared documents (a sweep's points) after the runs already waiting; each one's
   * `onDone` is called when its run is over, or when it leaves the queue without running. Returns
   * their queue ids at once; the runs go on in the background.
   */
  enqueue(requests: readonly QueueRequest[]): number[] {
    const now = Date.now();
    const ids = requests.map((r) => {
      const id = this.nextQueueId++;
      this.queue.push({ id, doc: r.doc, outputs: r.outputs, previews: r.previews, label: r.label, queuedAt: now, onDone: r.onDone });
      return id;
    });
    this.publishQueue();
    void this.drain();
    return ids;
  }

  /** Queue id of the run under way, 0 when none. */
  get currentId(): number {
    return this.current;
  }

  /** Cancels these runs: those waiting leave the queue, the one running (if among them) stops. */
  cancelRuns(ids: readonly number[]): void {
    const wanted = new Set(ids);
    const removed = this.queue.filter((q) => wanted.has(q.id));
    if (removed.length) {
      this.queue = this.queue.filter((q) => !wanted.has(q.id));
      this.dropQueued(removed, 'cancelled');
    }
    if (this.active && wanted.has(this.current)) this.engine.cancel();
  }

  private async drain(): Promise<void> {
    if (this.active) return;
    this.active = true;
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        this.publishQueue();
        this.current = item.id;
        const outcome = await this.runOne(item.doc, item.outputs, item.previews);
        this.current = 0;
        item.onDone?.(outcome);
      }
    } finally {
      this.active = false;
      this.current = 0;
    }
  }

  /** Tells those who queued them that these runs left the queue without running. */
  private dropQueued(items: readonly QueueItem[], why: string): void {
    if (items === this.queue) this.queue = [];
    this.publishQueue();
    for (const item of items) item.onDone?.({ ...NOT_RUN, error: why });
  }

  /** Removes a queued run that has not started; false when it is not (or no longer) queued. */
  dequeue(id: number): boolean {
    const removed = this.queue.filter((q) => q.id === id);
    if (removed.length === 0) return false;
    this.queue = this.queue.filter((q) => q.id !== id);
    this.dropQueued(removed, 'removed from the queue');
    return true;
  }

  clearQueue(): void {
    this.dropQueued(this.queue, 'removed from the queue');
  }

  private publishQueue(): void {
    this.runs.setQueue(this.queue.map(({ id, label, queuedAt }) => ({ id, label, queuedAt })));
  }

  private async runOne(doc: GraphDocument, outputs: string[] | undefined, previews = true): Promise<RunOutcome> {
    const generation = this.generation;
    const started = performance.now();
    const ms = () => performance.now() - started;
    this.runs.begin();
    this.acceptEvents = true;
    try {
      const targets = outputs ?? this.defaultOutputs(doc);
      const result = await this.engine.run(doc, { outputs: targets, backend: this.backend(), ...(previews ? {} : { previewLatents: false }) }, (e) => this.acceptEvents && this.onEvent(e));
      const cancelled = result.error?.code === 'cancelled';
      const outcome: RunOutcome = {
        ok: result.ok, cancelled, ran: true, outputs: (result.outputs ?? {}) as RunOutcome['outputs'], ms: ms(),
        ...(result.ok ? {} : { error: describeError(result.error) }),
      };
      if (generation !== this.generation) return { ...outcome, ok: false, cancelled: true, error: 'another graph was opened' };
      this.acceptEvents = false;
      this.showOutputs(doc, result.outputs ?? {}, result.nodes ?? {}, result.pictures);
      if (result.error?.node && !cancelled) this.runs.nodeError(result.error.node, result.error.code, result.error.message);
      this.runs.end({ stats: result.nodes, cancelled, error: result.ok || cancelled ? undefined : describeError(result.error) });
      return outcome;
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      if (generation !== this.generation) return { ok: false, cancelled: true, ran: true, outputs: {}, ms: ms(), error };
      this.acceptEvents = false;
      this.runs.end({ error });
      return { ok: false, cancelled: false, ran: true, outputs: {}, ms: ms(), error };
    }
  }

  cancel(): void {
    if (this.active) this.engine.cancel();
  }

  /**
   * Scalar values and pictures on their nodes; the gallery gets one entry per picture of this
   * run: a Preview showing what a Save of the same output saved shares its entry, and an output
   * node served from the cache (a rerun that changed nothing) adds none.
   */
  private showOutputs(
    doc: GraphDocument,
    outputs: Record<string, Record<string, unknown>>,
    stats: Record<string, { status: string }>,
    pictures: EngineRunResult['pictures'],
  ): void {
    const shown = new Map<string, string>();
    for (const nodeId of savesFirst(doc, Object.keys(outputs))) {
      const values = outputs[nodeId];
      const text = scalarText(values);
      if (text) this.runs.nodeValues(nodeId, text);
      const source = pictureSource(doc, nodeId);
      const cached = stats[nodeId]?.status === 'cached';
      // The worker sends the pictures PNG-encoded; encode here only for hosts that do not.
      (pictures ? (pictures[nodeId] ?? []) : imagesFromOutputs(values, doc)).forEach((image, i) => {
        const key = `${source}#${i}`;
        const same = shown.get(key);
        if (same) return this.runs.nodePreview(nodeId, same);
        if (cached) {
          const url = pngUrl(image.png);
          shown.set(key, url);
          return this.runs.nodePreview(nodeId, url);
        }
        const title = doc.nodes.find((n) => n.id === nodeId)?.title;
        const item = this.runs.addImage({ nodeId, ...(title ? { title } : {}), url: pngUrl(image.png), png: image.png, width: image.width, height: image.height });
        shown.set(key, item.url);
      });
    }
  }

  private onEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'run-start':
        this.runs.plan(e.nodes);
        break;
      case 'node-start':
        this.runs.nodeStart(e.node);
        break;
      case 'node-progress':
        this.queueProgress(e.node, e.iteration ?? e.value, e.count ?? e.max, e.iteration === undefined ? e.unit : undefined);
        if (e.preview !== undefined) this.showPreview(e.node, e.preview);
        break;
      case 'node-finish': {
        // Progress not drawn yet (a fast loop's events within one frame) still gives the step count.
        const pending = this.pendingProgress.get(e.node);
        this.pendingProgress.delete(e.node);
        this.runs.nodeFinish(e.node, e.ms, e.cached, pending && !pending.unit ? pending.max : undefined);
        break;
      }
      case 'node-error':
        this.runs.nodeError(e.node, e.code, e.message);
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
      if (this.acceptEvents) for (const [id, p] of batch) this.runs.nodeProgress(id, p.value, p.max, p.unit);
    });
  }

  /**
   * One preview encoded at a time (the browser encodes it off the main thread); one arriving
   * meanwhile replaces the one waiting for the same node, so each node's newest is shown last
   * (a zone's last preview is not lost to the next zone's first).
   */
  private showPreview(node: string, preview: unknown): void {
    this.latestPreview.delete(node);
    this.latestPreview.set(node, preview);
    if (this.previewBusy) return;
    this.previewBusy = true;
    void (async () => {
      try {
        for (let next = this.latestPreview.entries().next(); !next.done; next = this.latestPreview.entries().next()) {
          const [nodeId, waiting] = next.value;
          this.latestPreview.delete(nodeId);
          const generation = this.generation;
          const url = await previewObjectUrl(waiting).catch(() => undefined);
          if (url && generation === this.generation) this.runs.nodePreview(nodeId, url);
          else if (url) URL.revokeObjectURL(url);
        }
      } finally {
        this.previewBusy = false;
      }
    })();
  }

  private rerollSeeds(keys: readonly string[]): void {
    this.store.edit('Randomise seeds after run', (d) => {
      for (const key of keys) {
        const [id, name] = splitKey(key);
        edits.setParam(d, id, name, randomSeed());
      }
    }, { keepsClean: true });
  }
}

/** Seeds marked "randomise after run" whose node and param still exist. */
function liveRandomizedSeeds(doc: GraphDocument): string[] {
  return randomizedSeedsOf(doc.ui).filter((k) => {
    const [id, name] = splitKey(k);
    return doc.nodes.some((n) => n.id === id && name in n.params);
  });
}

function withFreshSeeds(doc: GraphDocument, keys: readonly string[]): GraphDocument {
  return produce(doc, (d) => {
    for (const key of keys) {
      const [id, name] = splitKey(key);
      edits.setParam(d, id, name, randomSeed());
    }
  });
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

function splitKey(key: string): [string, string] {
  const dot = key.lastIndexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}

function describeError(error: { node?: string; code: string; message: string } | undefined): string {
  if (!error) return 'unknown error';
  return error.node ? `${error.node}: ${error.message}` : error.message;
}
