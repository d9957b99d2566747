/**
 * One sweep in the editor: plans the points of a sweep definition over the document as it is,
 * queues each point as its own run in the editor's run queue (so it shows in the Queue panel, waits
 * behind runs already there, and each can be removed), collects the scalar outputs of every run that
 * finishes, and on cancel removes the points still queued and stops the one running. Plain
 * TypeScript; React reads it through useSyncExternalStore.
 */
import type { GraphDocument } from '../../graph/document.ts';
import { sweepCombinations, withParamValues, type ParamKinds, type SweepAxis } from '../../metrics/sweepPlan.ts';
import { axesOf, numericOutputs, type SweepDefinition, type SweepPointResult } from '../../metrics/sweepResults.ts';
import type { QueueRequest, RunOutcome } from '../run/runController.ts';

/** What a sweep needs of the run queue (RunController has it). */
export interface SweepQueue {
  enqueue(requests: readonly QueueRequest[]): number[];
  cancelRuns(ids: readonly number[]): void;
}

export type SweepStatus = 'idle' | 'running' | 'cancelling' | 'done' | 'cancelled';

export interface SweepSnapshot {
  status: SweepStatus;
  axes: readonly SweepAxis[];
  zip: boolean;
  total: number;
  /** Points over: finished, failed or dropped. */
  settled: number;
  failed: number;
  /** One per point that ran, in plan order. */
  results: readonly SweepPointResult[];
  /** Seconds from the first point queued to the last one over. */
  seconds?: number;
  /** Why the sweep could not start. */
  error?: string;
}

const IDLE: SweepSnapshot = { status: 'idle', axes: [], zip: false, total: 0, settled: 0, failed: 0, results: [] };

/** Most points the editor queues for one sweep (the CLI takes more). */
export const MAX_EDITOR_SWEEP_POINTS = 2000;

export class SweepSession {
  private snap: SweepSnapshot = IDLE;
  private readonly listeners = new Set<() => void>();
  private pending = new Set<number>();
  /** Queue id of each point of the current sweep. */
  private ids: number[] = [];
  private started = 0;
  /** Bumped per sweep: the callbacks of an older sweep's points are ignored. */
  private generation = 0;

  constructor(
    private readonly queue: SweepQueue,
    private readonly paramKinds: ParamKinds,
    private readonly now: () => number = () => performance.now(),
  ) {}

  getSnapshot = (): SweepSnapshot => this.snap;
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get busy(): boolean {
    return this.snap.status === 'running' || this.snap.status === 'cancelling';
  }

  /**
   * Plans the sweep over `doc` and queues its points. A definition that cannot be planned (bad
   * values, an unknown node or param, too many points) queues nothing and says why in `error`.
   */
  start(doc: GraphDocument, definition: SweepDefinition): boolean {
    if (this.busy) return this.fail('a sweep is already running: cancel it first');
    let axes: SweepAxis[];
    let requests: QueueRequest[];
    const generation = ++this.generation;
    try {
      axes = axesOf(definition);
      const points = sweepCombinations(axes, definition.zip ?? false);
      if (points.length > MAX_EDITOR_SWEEP_POINTS) throw new Error(`the sweep has ${points.length} points; the editor runs at most ${MAX_EDITOR_SWEEP_POINTS} (use latentloom sweep for more)`);
      const targets = metricNodes(doc, definition.metrics);
      requests = points.map((values, point) => ({
        doc: withParamValues(doc, Object.entries(values), this.paramKinds),
        label: `sweep ${point + 1}/${points.length} · ${Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ')}`,
        outputs: targets,
        previews: false,
        onDone: (outcome: RunOutcome) => this.settle(generation, point, values, outcome, definition.metrics),
      }));
    } catch (error) {
      return this.fail((error as Error).message);
    }
    this.started = this.now();
    this.set({ status: 'running', axes, zip: definition.zip ?? false, total: requests.length, settled: 0, failed: 0, results: [] });
    this.ids = this.queue.enqueue(requests);
    this.pending = new Set(this.ids);
    return true;
  }

  /** Removes the points still queued and stops the one running; what finished is kept. */
  cancel(): void {
    if (!this.busy) return;
    this.set({ ...this.snap, status: 'cancelling' });
    this.queue.cancelRuns([...this.pending]);
  }

  /** Forgets the last sweep's results (not while one runs). */
  clear(): void {
    if (!this.busy) this.set(IDLE);
  }

  private settle(generation: number, point: number, values: Record<string, string>, outcome: RunOutcome, metrics: readonly string[] | undefined): void {
    if (generation !== this.generation) return;
    this.pending.delete(this.ids[point]);
    const snap = this.snap;
    let { results, failed } = snap;
    if (outcome.ran && !outcome.cancelled) {
      const all = numericOutputs(outcome.outputs);
      const kept = metrics?.length ? Object.fromEntries(metrics.filter((m) => m in all).map((m) => [m, all[m]])) : all;
      const result: SweepPointResult = { point, values, metrics: kept, seconds: outcome.ms / 1000, ...(outcome.ok ? {} : { error: outcome.error ?? 'failed' }) };
      results = [...results, result].sort((a, b) => a.point - b.point);
      if (!outcome.ok) failed += 1;
    }
    const settled = snap.settled + 1;
    // A point stopped or dropped by someone else (the queue cleared, another graph opened) stops the sweep.
    const interrupted = outcome.cancelled && snap.status === 'running';
    let status: SweepStatus = interrupted ? 'cancelling' : snap.status;
    if (settled >= snap.total) status = status === 'cancelling' ? 'cancelled' : 'done';
    this.set({ ...snap, results, failed, settled, status, ...(settled >= snap.total ? { seconds: (this.now() - this.started) / 1000 } : {}) });
    if (interrupted && this.pending.size) this.queue.cancelRuns([...this.pending]);
  }

  private fail(error: string): false {
    if (!this.busy) this.set({ ...IDLE, error });
    else this.set({ ...this.snap, error });
    return false;
  }

  private set(next: SweepSnapshot): void {
    this.snap = next;
    for (const l of this.listeners) l();
  }
}

/**
 * The nodes whose outputs a sweep collects: those of its `metrics` (`node.port`); undefined
 * (the graph's default targets) when it names none. An unknown node is named.
 */
function metricNodes(doc: GraphDocument, metrics: readonly string[] | undefined): string[] | undefined {
  if (!metrics || metrics.length === 0) return undefined;
  const nodes = [...new Set(metrics.map((m) => m.slice(0, Math.max(0, m.lastIndexOf('.')))))];
  const missing = nodes.find((id) => !doc.nodes.some((n) => n.id === id));
  if (missing !== undefined) throw new Error(`sweep metric ${metrics.find((m) => m.startsWith(`${missing}.`)) ?? missing}: the graph has no node "${missing}"`);
  return nodes;
}
