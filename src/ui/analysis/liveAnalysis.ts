/**
 * The editor's live analysis of the document (issues, zone members), kept in step with the store.
 * An ordinary graph is analysed at once, on the main thread, so its issues and frames are there
 * in the same render as the edit. A huge one (isHeavyGraph) is analysed after a short pause in
 * the analysis worker: the editor stays responsive while it runs, and shows the result when it
 * comes (`pending` meanwhile). Only nodes, edges and models are read: a viewport pan, a title or
 * a seed list change does not re-analyse. Plain TypeScript; React subscribes through
 * useSyncExternalStore.
 */
import type { GraphDocument, GraphIssue } from '../../graph/document.ts';
import type { NodeRegistry } from '../../graph/registry.ts';
import type { EditorStore } from '../store/editorStore.ts';
import { analyzeGraph, isHeavyGraph, type GraphAnalysis } from './graphAnalysis.ts';
import { SupersededError, type AnalysisRunner } from './workerRunner.ts';

export interface AnalysisSnapshot {
  issues: readonly GraphIssue[];
  members: ReadonlyMap<string, string[]>;
  /** A newer document is being analysed (in the worker); `issues` and `members` are older. */
  pending: boolean;
}

export interface LiveAnalysisOptions {
  /** Pause after the last change before a worker analysis starts (ms). */
  delayMs?: number;
  /** Told when the worker fails (the analysis then runs on the main thread, later). */
  onError?(error: Error): void;
}

const EMPTY: AnalysisSnapshot = { issues: [], members: new Map(), pending: false };

type Keys = readonly [unknown, unknown, unknown];
const keysOf = (doc: GraphDocument): Keys => [doc.nodes, doc.edges, doc.models];
const sameKeys = (a: Keys | undefined, b: Keys) => !!a && a[0] === b[0] && a[1] === b[1] && a[2] === b[2];

export class LiveAnalysis {
  private snapshot: AnalysisSnapshot = EMPTY;
  private readonly listeners = new Set<() => void>();
  private keys: Keys | undefined;
  private loadId: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private request = 0;
  private disposed = false;
  private readonly unsubscribe: () => void;
  private runner: AnalysisRunner | undefined;

  constructor(
    private readonly store: EditorStore,
    private readonly registry: NodeRegistry,
    runner?: AnalysisRunner,
    private readonly options: LiveAnalysisOptions = {},
  ) {
    this.runner = runner;
    this.loadId = store.getSnapshot().loadId;
    this.unsubscribe = store.subscribe(() => this.update());
    this.update();
  }

  getSnapshot = (): AnalysisSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.unsubscribe();
    this.runner?.dispose();
  }

  private set(next: AnalysisSnapshot): void {
    this.snapshot = next;
    for (const listener of [...this.listeners]) listener();
  }

  private update(): void {
    const snap = this.store.getSnapshot();
    const keys = keysOf(snap.doc);
    const loaded = snap.loadId !== this.loadId;
    this.loadId = snap.loadId;
    if (sameKeys(this.keys, keys)) return;
    this.keys = keys;
    const request = ++this.request;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (!isHeavyGraph(snap.doc)) {
      this.set({ ...analyzeGraph(snap.doc, this.registry), pending: false });
      return;
    }
    // A different document: the old one's issues and frames do not apply to it.
    this.set(loaded ? { ...EMPTY, pending: true } : { ...this.snapshot, pending: true });
    this.timer = setTimeout(() => void this.runHeavy(request), loaded ? 0 : (this.options.delayMs ?? 250));
  }

  private async runHeavy(request: number): Promise<void> {
    this.timer = undefined;
    const doc = this.store.getSnapshot().doc;
    let result: GraphAnalysis;
    try {
      result = this.runner ? await this.runner.analyze(doc) : analyzeGraph(doc, this.registry);
    } catch (error) {
      if (error instanceof SupersededError || this.disposed) return;
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
      // Without a working worker, analyse here: late, but the editor was drawn first.
      this.runner?.dispose();
      this.runner = undefined;
      if (request === this.request) this.timer = setTimeout(() => void this.runHeavy(request), 0);
      return;
    }
    if (this.disposed || request !== this.request) return;
    this.set({ ...result, pending: false });
  }
}
