/**
 * Run state of one document: per-node status, progress, timing, errors, live previews and
 * output images, plus its gallery history. Each document tab has its own (the one shown is on
 * the canvas); the run queue is the editor's (runQueue.ts). Plain TypeScript fed by engine
 * events; React reads it through useSyncExternalStore. Deliberately separate from the document
 * store: a run never creates undo steps or touches the graph.
 */
export type NodeRunState = 'pending' | 'running' | 'cached' | 'done' | 'error';

export interface NodeStatus {
  state: NodeRunState;
  progress?: { value: number; max: number; unit?: 'bytes' };
  /** When this node's progress began in this run, and its value then (for rates and ETAs). */
  progressSince?: number;
  progressFrom?: number;
  ms?: number;
  /** Iterations counted by the last run's progress (a repeat zone's steps), kept after it ends. */
  iterations?: number;
  startedAt?: number;
  error?: { code: string; message: string };
  /** Short text of scalar outputs (numbers, strings) of the last run. */
  values?: string;
  /** Object URL of the latest preview (sampling latent) or output image. */
  previewUrl?: string;
}

export interface GalleryItem {
  id: string;
  nodeId: string;
  /** The node's title when it has one (e.g. "Save (DDIM · 4 steps)"), for the caption. */
  title?: string;
  url: string;
  /** PNG bytes (with the graph in its metadata) for download. */
  png?: Uint8Array;
  width: number;
  height: number;
  createdAt: number;
  runId: number;
}

export interface RunSnapshot {
  /** A run of this document is under way. */
  running: boolean;
  runId: number;
  nodes: Readonly<Record<string, NodeStatus>>;
  gallery: readonly GalleryItem[];
  /** Last run's outcome for the status bar. */
  message?: string;
  lastRun?: { ms: number; executed: string[]; cached: string[]; error?: string };
}

/** What a document's last run left on screen, kept while its tab is not shown. */
export type RunState = Pick<RunSnapshot, 'nodes' | 'message' | 'lastRun'>;

export class RunStore {
  private current: RunSnapshot = { running: false, runId: 0, nodes: {}, gallery: [] };
  /**
   * Node changes not yet copied into the snapshot. A run reports on every node (10,000 of them on
   * a big graph, all at once when they come from the cache): copying the node record for each
   * report was quadratic, so reports gather here and are copied in once when the snapshot is read.
   */
  private pendingNodes: Record<string, NodeStatus> | undefined;
  private readonly listeners = new Set<() => void>();
  private executed: string[] = [];
  private cached: string[] = [];
  private startedAt = 0;
  private notifyScheduled = false;
  /** Between begin() and the engine's plan: the last run's node states are still shown. */
  private awaitingPlan = false;

  /**
   * `schedule` batches listener calls (one render per animation frame in the page, however many
   * engine events arrive); the default calls listeners at once (tests).
   */
  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly schedule: ((flush: () => void) => void) | undefined = undefined,
  ) {}

  getSnapshot = (): RunSnapshot => this.snap;

  /** The snapshot with the pending node changes in it. */
  private get snap(): RunSnapshot {
    if (this.pendingNodes) {
      this.current = { ...this.current, nodes: { ...this.current.nodes, ...this.pendingNodes } };
      this.pendingNodes = undefined;
    }
    return this.current;
  }

  private set snap(next: RunSnapshot) {
    this.current = next;
  }

  /** A node's state, pending changes included, without building a snapshot. */
  private nodeNow(id: string): NodeStatus | undefined {
    return this.pendingNodes?.[id] ?? this.current.nodes[id];
  }
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<RunSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    this.notifyListeners();
  }

  private notifyListeners(): void {
    if (!this.schedule) return this.emit();
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    this.schedule(() => {
      this.notifyScheduled = false;
      this.emit();
    });
  }

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }

  private setNode(id: string, patch: Partial<NodeStatus>): void {
    if (this.awaitingPlan) this.plan([]);
    const prev = this.nodeNow(id) ?? { state: 'pending' };
    (this.pendingNodes ??= {})[id] = { ...prev, ...patch };
    this.notifyListeners();
  }

  begin(planned: readonly string[] = []): number {
    this.executed = [];
    this.cached = [];
    this.startedAt = this.now();
    const runId = this.snap.runId + 1;
    // Node states are replaced once, when the engine's plan arrives (plan()): clearing them here
    // too would re-render every node card twice at the start of each run.
    this.awaitingPlan = true;
    this.set({ running: true, runId, message: 'Running…' });
    if (planned.length) this.plan(planned);
    return runId;
  }

  /** The engine's plan arrived: those nodes are pending unless already under way; others are cleared. */
  plan(planned: readonly string[]): void {
    const nodes: Record<string, NodeStatus> = {};
    if (this.awaitingPlan) {
      for (const id of planned) nodes[id] = { state: 'pending', previewUrl: this.snap.nodes[id]?.previewUrl };
    } else {
      Object.assign(nodes, this.snap.nodes);
      for (const id of planned) nodes[id] ??= { state: 'pending' };
    }
    this.awaitingPlan = false;
    this.set({ nodes });
  }

  nodeStart(id: string): void {
    this.setNode(id, { state: 'running', startedAt: this.now(), progress: undefined, progressSince: undefined, error: undefined });
  }

  nodeProgress(id: string, value: number, max: number, unit?: 'bytes'): void {
    const prev = this.nodeNow(id);
    // A new kind of progress (a download, then the steps) starts its own clock.
    const fresh = !prev?.progress || prev.progressSince === undefined || prev.progress.unit !== unit || value < prev.progress.value;
    const since = fresh ? { progressSince: this.now(), progressFrom: value } : {};
    this.setNode(id, { state: 'running', progress: unit ? { value, max, unit } : { value, max }, ...since });
  }

  nodePreview(id: string, url: string): void {
    const old = this.nodeNow(id)?.previewUrl;
    if (old && old !== url && !this.isGalleryUrl(old)) URL.revokeObjectURL(old);
    this.setNode(id, { previewUrl: url });
  }

  /** `iterations`: the count of the node's last step progress, when it had some not yet shown. */
  nodeFinish(id: string, ms: number, cached: boolean, iterations?: number): void {
    (cached ? this.cached : this.executed).push(id);
    const progress = this.snap.nodes[id]?.progress;
    // A node that finished ran all its iterations: the count is the progress's max.
    const count = iterations ?? (progress && !progress.unit ? progress.max : undefined);
    const steps = count !== undefined ? { iterations: count } : {};
    this.setNode(id, { state: cached ? 'cached' : 'done', ms, progress: undefined, ...steps });
  }

  nodeError(id: string, code: string, message: string): void {
    this.setNode(id, { state: 'error', error: { code, message }, progress: undefined });
  }

  addImage(item: Omit<GalleryItem, 'id' | 'runId' | 'createdAt'>): GalleryItem {
    const full: GalleryItem = { ...item, id: `img-${this.snap.runId}-${this.snap.gallery.length}`, runId: this.snap.runId, createdAt: Date.now() };
    this.set({ gallery: [full, ...this.snap.gallery].slice(0, 200) });
    this.nodePreview(item.nodeId, item.url);
    return full;
  }

  nodeValues(id: string, text: string): void {
    this.setNode(id, { values: text });
  }

  /**
   * The run is over. `stats` (the engine's per-node result) is authoritative: events travel on
   * their own channel and may trail the result.
   */
  end(outcome: { error?: string; cancelled?: boolean; stats?: Record<string, { status: string; ms: number }> } = {}): void {
    const ms = this.now() - this.startedAt;
    // No plan came (the worker failed first): the last run's states no longer apply.
    if (this.awaitingPlan) this.plan([]);
    const nodes = { ...this.snap.nodes };
    if (outcome.stats) {
      this.executed = [];
      this.cached = [];
      for (const [id, st] of Object.entries(outcome.stats)) {
        if (st.status === 'executed') {
          this.executed.push(id);
          nodes[id] = { ...nodes[id], state: 'done', ms: st.ms, progress: undefined };
        } else if (st.status === 'cached') {
          this.cached.push(id);
          nodes[id] = { ...nodes[id], state: 'cached', ms: st.ms, progress: undefined };
        } else if (st.status === 'error') {
          nodes[id] = { ...nodes[id], state: 'error', ms: st.ms, progress: undefined };
        }
      }
    }
    // Nodes still pending or running when the run stops did not finish: show them as not run.
    for (const [id, s] of Object.entries(nodes)) {
      if (s.state === 'running' || s.state === 'pending') nodes[id] = { ...s, state: 'pending', progress: undefined };
    }
    const message = outcome.cancelled
      ? 'Cancelled'
      : outcome.error
        ? `Failed: ${outcome.error}`
        : `Done in ${(ms / 1000).toFixed(2)} s — ran ${this.executed.length}, cached ${this.cached.length}`;
    this.set({
      running: false,
      nodes,
      message,
      lastRun: { ms, executed: [...this.executed], cached: [...this.cached], error: outcome.error },
    });
  }

  /**
   * Another document was opened: node states, errors, previews, scalar values, the status line
   * and the last run's outcome belonged to the previous one and are dropped. The gallery is a
   * history across documents and stays.
   */
  reset(): void {
    this.dropState(this.takeState());
  }

  /**
   * Hands the shown run state (node states, previews, the status line, the last run) to a
   * document put aside: it is cleared here, and its previews stay alive until `dropState`.
   */
  takeState(): RunState {
    const { nodes, message, lastRun } = this.snap;
    this.executed = [];
    this.cached = [];
    this.awaitingPlan = false;
    this.set({ running: false, nodes: {}, message: undefined, lastRun: undefined });
    return { nodes, message, lastRun };
  }

  /** Shows again the run state of a document brought back. */
  putState(state: RunState): void {
    this.set({ nodes: state.nodes, message: state.message, lastRun: state.lastRun });
  }

  /** A document put aside was closed: its previews (those not in the gallery) are freed. */
  dropState(state: RunState): void {
    for (const s of Object.values(state.nodes)) {
      if (s.previewUrl && !this.isGalleryUrl(s.previewUrl)) URL.revokeObjectURL(s.previewUrl);
    }
  }

  /** Its document was closed: every preview and gallery picture it holds is freed. */
  dispose(): void {
    const { nodes, gallery } = this.snap;
    const urls = new Set([...Object.values(nodes).map((s) => s.previewUrl), ...gallery.map((g) => g.url)]);
    for (const url of urls) if (url) URL.revokeObjectURL(url);
    this.set({ running: false, nodes: {}, gallery: [], message: undefined, lastRun: undefined });
  }

  /** Status bar message outside a run (worker crashed, backend changed…). */
  notify(message: string): void {
    this.set({ message });
  }

  /** This node's entry in the gallery holding exactly these PNG bytes, if any. */
  galleryPicture(nodeId: string, png: Uint8Array): GalleryItem | undefined {
    return this.snap.gallery.find((g) => g.nodeId === nodeId && g.png !== undefined && sameBytes(g.png, png));
  }

  /** Whether the node shows a picture of this document's gallery (one of an earlier run). */
  showsPicture(nodeId: string): boolean {
    const url = this.nodeNow(nodeId)?.previewUrl;
    return url !== undefined && this.isGalleryUrl(url);
  }

  private isGalleryUrl(url: string): boolean {
    return this.snap.gallery.some((g) => g.url === url);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
