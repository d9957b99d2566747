/**
 * The run queue (ComfyUI's): runs waiting for the one engine worker, oldest first, and the run
 * under way. One queue for the whole editor, whatever document each run came from: runs of
 * different tabs wait for one another, they never run side by side. Each entry names the tab
 * that queued it, which is where its progress and results go. Plain TypeScript; React reads it
 * through useSyncExternalStore.
 */

/** A run waiting its turn: the graph as it was when Run was pressed, and the tab it belongs to. */
export interface QueuedRun {
  id: number;
  /** "run 3 of 5", "save only"… */
  label: string;
  queuedAt: number;
  /** The document tab that queued it (0 where the editor has no tabs). */
  tab: number;
}

export interface QueueSnapshot {
  /** Runs waiting after the current one, oldest first. */
  waiting: readonly QueuedRun[];
  /** The run under way, if any. */
  current?: QueuedRun;
}

const entry = ({ id, label, queuedAt, tab }: QueuedRun): QueuedRun => ({ id, label, queuedAt, tab });

export class RunQueue<I extends QueuedRun> {
  private items: I[] = [];
  private running: I | undefined;
  private snap: QueueSnapshot = { waiting: [] };
  private readonly listeners = new Set<() => void>();

  getSnapshot = (): QueueSnapshot => this.snap;
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The run under way. */
  get current(): I | undefined {
    return this.running;
  }

  push(items: readonly I[]): void {
    this.items.push(...items);
    this.publish();
  }

  /** The oldest waiting run becomes the one under way (undefined: none left). */
  next(): I | undefined {
    this.running = this.items.shift();
    this.publish();
    return this.running;
  }

  /** The run under way is over. */
  finished(): void {
    this.running = undefined;
    this.publish();
  }

  /** Takes the waiting runs `which` picks out of the queue, and returns them. */
  remove(which: (item: I) => boolean): I[] {
    const removed = this.items.filter(which);
    if (removed.length === 0) return removed;
    this.items = this.items.filter((q) => !which(q));
    this.publish();
    return removed;
  }

  private publish(): void {
    this.snap = { waiting: this.items.map(entry), ...(this.running ? { current: entry(this.running) } : {}) };
    for (const l of [...this.listeners]) l();
  }
}

/**
 * The status line of a tab whose runs wait in the queue while no run of its own goes: how many,
 * and whose run they wait for (`titleOf` names a tab). Undefined when the tab has none waiting.
 */
export function waitingLine(queue: QueueSnapshot, tab: number, titleOf: (tab: number) => string | undefined): string | undefined {
  const mine = queue.waiting.filter((q) => q.tab === tab).length;
  if (mine === 0 || queue.current?.tab === tab) return undefined;
  const runs = mine === 1 ? '1 run' : `${mine} runs`;
  const other = queue.current ? titleOf(queue.current.tab) : undefined;
  return other === undefined ? `Queued: ${runs}` : `Queued: ${runs}, after the run of "${other}"`;
}
