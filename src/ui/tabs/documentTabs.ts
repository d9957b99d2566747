/**
 * Workflow tabs: several documents open at once, one shown. Plain TypeScript, no React. The
 * shown document lives in the editor store; the others are sessions put aside (document, undo
 * history, file name, dirty flag), each with whatever the app keeps per document beside it (its
 * last run's node states, its file's issues) through a `TabHandoff`.
 */
import type { GraphDocument } from '../../graph/document.ts';
import type { DocumentSession, EditorSnapshot, EditorStore } from '../store/editorStore.ts';

/** What the app keeps per document besides the store's session; `tab` is the tab's id. */
export interface TabHandoff<T> {
  /** The shown document is put aside (or closed): take what belongs to it off the screen. */
  leave(tab: number): T;
  /** A document is shown: put back what `leave` took from it (undefined: a fresh document). */
  enter(tab: number, aside: T | undefined): void;
  /** A document is closed (or replaced in its tab): free what `leave` took from it. */
  drop(tab: number, aside: T): void;
}

/** The id of the tab an editor starts with. */
export const FIRST_TAB = 1;

export interface TabInfo {
  id: number;
  title: string;
  fileName?: string;
  dirty: boolean;
}

export interface TabsSnapshot {
  tabs: readonly TabInfo[];
  activeId: number;
}

interface Tab<T> {
  id: number;
  /** Undefined for the shown tab: its session is the store's. */
  session?: DocumentSession;
  aside?: T;
}

/** What closing a tab would lose: unsaved edits, a run under way or queued. */
export interface Losses {
  edits: boolean;
  run: boolean;
}

/** Asks whether unsaved edits (or a tab's runs) may be dropped; `action` says what would drop them. */
export type ConfirmDiscard = (action: string, loses?: Losses) => Promise<boolean>;

const titleOf = (doc: GraphDocument, fileName: string | undefined) => doc.meta.title ?? fileName ?? 'Untitled';

/** A document nothing would be lost of: empty, clean and without undo steps (a fresh New). */
export function isUntouched(snap: Pick<EditorSnapshot, 'doc' | 'dirty' | 'canUndo'>): boolean {
  return snap.doc.nodes.length === 0 && !snap.dirty && !snap.canUndo;
}

export class DocumentTabs<T> {
  private tabs: Tab<T>[] = [{ id: FIRST_TAB }];
  private activeId = FIRST_TAB;
  private nextId = FIRST_TAB + 1;
  private readonly listeners = new Set<() => void>();
  private snap: TabsSnapshot;
  private unwatchStore?: () => void;

  constructor(private readonly store: EditorStore, private readonly handoff: TabHandoff<T>) {
    this.snap = this.makeSnapshot();
  }

  getSnapshot = (): TabsSnapshot => {
    if (!this.unwatchStore) this.update(false); // nobody listens: nothing to notify
    return this.snap;
  };
  /** Titles and dirty markers follow the shown document's edits while someone listens. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    this.unwatchStore ??= this.store.subscribe(() => this.refresh());
    this.refresh();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      this.unwatchStore?.();
      this.unwatchStore = undefined;
    };
  };

  /**
   * Opens a document in a new tab, shown at once; a shown document nothing would be lost of
   * (a fresh New) is replaced instead. Returns the tab's id.
   */
  open(doc: GraphDocument, fileName?: string, options?: { dirty?: boolean }): number {
    const current = this.active();
    if (isUntouched(this.store.getSnapshot())) {
      this.handoff.drop(current.id, this.handoff.leave(current.id));
    } else {
      this.putAside(current);
      const tab: Tab<T> = { id: this.nextId++ };
      this.tabs.splice(this.tabs.indexOf(current) + 1, 0, tab);
      this.activeId = tab.id;
    }
    this.store.load(doc, fileName, options);
    this.handoff.enter(this.activeId, undefined);
    this.refresh(true);
    return this.activeId;
  }

  /** Every open document in tab order, the shown one included (what the autosave keeps). */
  documents(): { id: number; shown: boolean; session: DocumentSession }[] {
    return this.tabs.map((t) => ({ id: t.id, shown: t.id === this.activeId, session: t.session ?? this.store.takeSession() }));
  }

  /**
   * Adds a tab holding `doc`, not shown, at `index` in the tab order (the shown tab and the
   * others move along): tabs restored from the autosave around the one restored into the store.
   */
  addAside(doc: GraphDocument, index: number, fileName?: string, options?: { dirty?: boolean }): number {
    const tab: Tab<T> = { id: this.nextId++, session: this.store.freshSession(doc, fileName, options) };
    this.tabs.splice(Math.max(0, Math.min(index, this.tabs.length)), 0, tab);
    this.refresh(true);
    return tab.id;
  }

  switchTo(id: number): void {
    if (id === this.activeId) return;
    const target = this.find(id);
    this.putAside(this.active());
    this.show(target);
  }

  /**
   * Closes a tab; unsaved edits, and runs of the tab under way or queued (`hasRuns`), are
   * dropped only when `confirm` says so. The last tab closed leaves a fresh empty document.
   * Resolves false when the tab stays open.
   */
  async close(id: number, confirm: ConfirmDiscard, emptyDoc: () => GraphDocument, hasRuns: (id: number) => boolean = () => false): Promise<boolean> {
    const tab = this.find(id);
    const info = this.getSnapshot().tabs.find((t) => t.id === id);
    const loses = { edits: !!info?.dirty, run: hasRuns(id) };
    if ((loses.edits || loses.run) && !(await confirm(`Close "${info?.title ?? id}"`, loses))) return false;
    // The question took a while: the tab may have been closed or shown meanwhile.
    if (!this.tabs.includes(tab)) return true;
    if (tab.id !== this.activeId) {
      if (tab.aside !== undefined) this.handoff.drop(tab.id, tab.aside);
      this.tabs.splice(this.tabs.indexOf(tab), 1);
      this.refresh(true);
      return true;
    }
    this.handoff.drop(tab.id, this.handoff.leave(tab.id));
    const at = this.tabs.indexOf(tab);
    this.tabs.splice(at, 1);
    const next = this.tabs[Math.min(at, this.tabs.length - 1)];
    if (next) return this.show(next), true;
    const fresh: Tab<T> = { id: this.nextId++ };
    this.tabs.push(fresh);
    this.activeId = fresh.id;
    this.store.load(emptyDoc());
    this.handoff.enter(fresh.id, undefined);
    this.refresh(true);
    return true;
  }

  private active(): Tab<T> {
    return this.find(this.activeId);
  }

  private find(id: number): Tab<T> {
    const tab = this.tabs.find((t) => t.id === id);
    if (!tab) throw new Error(`No document tab ${id} (open: ${this.tabs.map((t) => t.id).join(', ')})`);
    return tab;
  }

  private putAside(tab: Tab<T>): void {
    tab.aside = this.handoff.leave(tab.id);
    tab.session = this.store.takeSession();
  }

  private show(tab: Tab<T>): void {
    const { session, aside } = tab;
    if (!session) throw new Error(`Document tab ${tab.id} has no document put aside`);
    tab.session = undefined;
    tab.aside = undefined;
    this.activeId = tab.id;
    this.store.restoreSession(session);
    this.handoff.enter(tab.id, aside);
    this.refresh(true);
  }

  private makeSnapshot(): TabsSnapshot {
    const shown = this.store.getSnapshot();
    const tabs = this.tabs.map((t): TabInfo => {
      const s = t.session ?? shown;
      return { id: t.id, title: titleOf(s.doc, s.fileName), fileName: s.fileName, dirty: s.dirty };
    });
    return { tabs, activeId: this.activeId };
  }

  /** A new snapshot only when something a tab shows changed (not on every pan or drag). */
  private refresh(force = false): void {
    if (this.update(force)) for (const l of [...this.listeners]) l();
  }

  private update(force: boolean): boolean {
    const next = this.makeSnapshot();
    const same = !force && next.activeId === this.snap.activeId && next.tabs.length === this.snap.tabs.length
      && next.tabs.every((t, i) => {
        const was = this.snap.tabs[i]!;
        return t.id === was.id && t.title === was.title && t.fileName === was.fileName && t.dirty === was.dirty;
      });
    if (same) return false;
    this.snap = next;
    return true;
  }
}
