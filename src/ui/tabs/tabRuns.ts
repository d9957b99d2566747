/**
 * One run store per document tab: a tab's runs, their node states, previews, status line and
 * gallery stay in its own store whether the tab is shown or not, so a run keeps going (and
 * reporting) while its tab is put aside, and nothing of it shows on another tab. The canvas and
 * panels read the shown tab's store; the tab strip reads every tab's activity. Plain
 * TypeScript, no React.
 */
import type { RunHome, RunHomes } from '../run/runController.ts';
import type { RunSnapshot, RunStore } from '../run/runStore.ts';

/** What the tab strip shows of a tab's runs. */
export interface TabActivity {
  running: boolean;
  /** 0…1: the step progress of the node under way (the sampler's steps), as ComfyUI shows it. */
  progress?: number;
}

const IDLE: TabActivity = { running: false };

/** The run under way, and the step progress of a node reporting steps (a download's bytes are not steps). */
export function activityOf(snap: Pick<RunSnapshot, 'running' | 'nodes'>): TabActivity {
  if (!snap.running) return IDLE;
  for (const s of Object.values(snap.nodes)) {
    if (s.state === 'running' && s.progress && !s.progress.unit && s.progress.max > 0) {
      return { running: true, progress: Math.min(1, s.progress.value / s.progress.max) };
    }
  }
  return { running: true };
}

export class TabRuns implements RunHomes {
  private readonly stores = new Map<number, { runs: RunStore; unsubscribe: () => void }>();
  private shownId: number;
  private activity: ReadonlyMap<number, TabActivity> = new Map();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly makeStore: () => RunStore, firstTab: number) {
    this.shownId = firstTab;
  }

  /** The shown tab and its store: where runs queued now belong. */
  shown(): RunHome {
    return { tab: this.shownId, runs: this.storeOf(this.shownId) };
  }

  get shownTab(): number {
    return this.shownId;
  }

  /** The tab's run store, made on first use. */
  storeOf(tab: number): RunStore {
    const held = this.stores.get(tab);
    if (held) return held.runs;
    const runs = this.makeStore();
    this.stores.set(tab, { runs, unsubscribe: runs.subscribe(() => this.refreshActivity()) });
    return runs;
  }

  show(tab: number): void {
    this.shownId = tab;
    this.storeOf(tab);
    this.emit();
  }

  /**
   * The tab was closed or its document replaced (its runs stopped already): its previews and
   * pictures are freed. The shown tab's store is dropped just before another is shown, which
   * tells the listeners.
   */
  drop(tab: number): void {
    const held = this.stores.get(tab);
    if (!held) return;
    this.stores.delete(tab);
    held.unsubscribe();
    held.runs.dispose();
    if (!this.refreshActivity() && tab !== this.shownId) this.emit();
  }

  /** For React: the shown tab's store, and every tab's activity, change together here. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  getShownStore = (): RunStore => this.storeOf(this.shownId);
  getActivity = (): ReadonlyMap<number, TabActivity> => this.activity;

  /** A new activity map only when a tab's indicator changes (progress to the percent). */
  private refreshActivity(): boolean {
    const next = new Map<number, TabActivity>();
    for (const [tab, { runs }] of this.stores) {
      const a = activityOf(runs.getSnapshot());
      if (a.running) next.set(tab, a.progress === undefined ? a : { running: true, progress: Math.round(a.progress * 100) / 100 });
    }
    const same = next.size === this.activity.size
      && [...next].every(([tab, a]) => this.activity.get(tab)?.progress === a.progress && this.activity.has(tab));
    if (same) return false;
    this.activity = next;
    this.emit();
    return true;
  }

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}
