/**
 * Undo/redo over immer patches. Each entry holds the forward and inverse patches of one user
 * step; consecutive edits that share a group key (a drag, typing in one field) merge into a single
 * entry until the group is sealed, so one Ctrl+Z undoes one gesture rather than one frame.
 */
import { applyPatches, enablePatches, type Patch } from 'immer';

enablePatches();

export interface HistoryEntry {
  label: string;
  patches: Patch[];
  inverse: Patch[];
  group?: string;
  /** A sealed entry never absorbs later edits, even with the same group key. */
  sealed: boolean;
  /** Time of the last edit merged into this entry (ms). */
  at: number;
}

export interface HistoryOptions {
  /** Most entries kept; older ones are dropped from the undo end. */
  limit?: number;
  /** Edits with the same group merge only if they arrive within this many ms of each other. */
  mergeWindowMs?: number;
}

export class UndoHistory {
  private past: HistoryEntry[] = [];
  private future: HistoryEntry[] = [];
  private readonly limit: number;
  private readonly mergeWindowMs: number;

  constructor(options: HistoryOptions = {}) {
    this.limit = options.limit ?? 500;
    this.mergeWindowMs = options.mergeWindowMs ?? 2000;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }
  get undoLabel(): string | undefined {
    return this.past[this.past.length - 1]?.label;
  }
  get redoLabel(): string | undefined {
    return this.future[this.future.length - 1]?.label;
  }
  get depth(): { past: number; future: number } {
    return { past: this.past.length, future: this.future.length };
  }

  record(label: string, patches: Patch[], inverse: Patch[], group: string | undefined, now: number): void {
    if (patches.length === 0) return;
    this.future = [];
    const last = this.past[this.past.length - 1];
    if (group && last && !last.sealed && last.group === group && now - last.at <= this.mergeWindowMs) {
      last.patches = last.patches.concat(patches);
      // Inverse patches of the newer edit must be applied first when undoing the merged step.
      last.inverse = inverse.concat(last.inverse);
      last.at = now;
      return;
    }
    if (last) last.sealed = true;
    this.past.push({ label, patches, inverse, group, sealed: !group, at: now });
    if (this.past.length > this.limit) this.past.splice(0, this.past.length - this.limit);
  }

  /** Ends the current group: the next edit starts a new undo step. */
  seal(): void {
    const last = this.past[this.past.length - 1];
    if (last) last.sealed = true;
  }

  undo<T>(state: T): T | undefined {
    const entry = this.past.pop();
    if (!entry) return undefined;
    entry.sealed = true;
    this.future.push(entry);
    return applyPatches(state as object, entry.inverse) as T;
  }

  redo<T>(state: T): T | undefined {
    const entry = this.future.pop();
    if (!entry) return undefined;
    this.past.push(entry);
    return applyPatches(state as object, entry.patches) as T;
  }

  clear(): void {
    this.past = [];
    this.future = [];
  }
}
