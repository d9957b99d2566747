/**
 * The editor's document store: plain TypeScript, no React. Every document edit goes through
 * `edit()`, which runs an immer recipe with patches so it can be undone; listeners are notified
 * after each change (React subscribes through useSyncExternalStore in useEditor.ts).
 */
import { produceWithPatches, produce, type Draft } from 'immer';
import type { GraphDocument } from '../../graph/document.ts';
import { UndoHistory, type HistoryOptions } from './history.ts';

export interface EditorSnapshot {
  doc: GraphDocument;
  /** Bumped on every change, including undo/redo/load (autosave and memo keys use it). */
  revision: number;
  canUndo: boolean;
  canRedo: boolean;
  undoLabel?: string;
  redoLabel?: string;
  /** Name of the file the document came from or was last saved as. */
  fileName?: string;
  /** Bumped by load() only: a different document, so the view should be re-fitted. */
  loadId: number;
  /** The document has edits that were not saved since it was loaded (New / Open asks first). */
  dirty: boolean;
}

export interface EditOptions {
  /** Consecutive edits with the same group key become one undo step (until sealed). */
  group?: string;
  /** The edit is not the user's own (a seed re-rolled after a run): it leaves `dirty` as it is. */
  keepsClean?: boolean;
}

export type DocRecipe = (draft: Draft<GraphDocument>) => void;

export interface EditorStore {
  getSnapshot(): EditorSnapshot;
  subscribe(listener: () => void): () => void;
  edit(label: string, recipe: DocRecipe, options?: EditOptions): void;
  /** Change the document without an undo step (viewport pans, for instance). */
  editWithoutHistory(recipe: DocRecipe): void;
  seal(): void;
  undo(): boolean;
  redo(): boolean;
  /**
   * Replace the whole document (new/open/restore); clears undo history. `dirty` marks a loaded
   * document as unsaved work (a restored autosave).
   */
  load(doc: GraphDocument, fileName?: string, options?: { dirty?: boolean }): void;
  /** The document was saved as it is now: it is no longer dirty. */
  markSaved(): void;
  setFileName(name: string | undefined): void;
  /**
   * The document with its undo history, file name and dirty flag, to be put aside (a document
   * tab that is not shown) and brought back later with `restoreSession`.
   */
  takeSession(): DocumentSession;
  /** Shows a session put aside before: its own document and undo history; the view re-fits. */
  restoreSession(session: DocumentSession): void;
  /** A session for a document not shown yet (a tab restored from the autosave): no undo steps. */
  freshSession(doc: GraphDocument, fileName?: string, options?: { dirty?: boolean }): DocumentSession;
}

/** One document's editing state, as held by a tab that is not shown. */
export interface DocumentSession {
  readonly doc: GraphDocument;
  readonly history: UndoHistory;
  readonly fileName?: string;
  readonly dirty: boolean;
}

export interface EditorStoreOptions extends HistoryOptions {
  now?: () => number;
}

export function createEditorStore(initial: GraphDocument, options: EditorStoreOptions = {}): EditorStore {
  let history = new UndoHistory(options);
  const now = options.now ?? (() => Date.now());
  const listeners = new Set<() => void>();
  let doc = produce(initial, () => {}); // freeze a private copy
  let revision = 0;
  let fileName: string | undefined;
  let loadId = 0;
  let dirty = false;
  let snapshot = makeSnapshot();

  function makeSnapshot(): EditorSnapshot {
    return {
      doc,
      revision,
      canUndo: history.canUndo,
      canRedo: history.canRedo,
      undoLabel: history.undoLabel,
      redoLabel: history.redoLabel,
      fileName,
      loadId,
      dirty,
    };
  }

  function changed(): void {
    revision += 1;
    snapshot = makeSnapshot();
    for (const listener of [...listeners]) listener();
  }

  return {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    edit(label, recipe, editOptions = {}) {
      const [next, patches, inverse] = produceWithPatches(doc, recipe);
      if (patches.length === 0) return;
      history.record(label, patches, inverse, editOptions.group, now());
      doc = next;
      if (!editOptions.keepsClean) dirty = true;
      changed();
    },
    editWithoutHistory(recipe) {
      const next = produce(doc, recipe);
      if (next === doc) return;
      doc = next;
      changed();
    },
    seal: () => history.seal(),
    undo() {
      const next = history.undo(doc);
      if (next === undefined) return false;
      doc = next;
      dirty = true;
      changed();
      return true;
    },
    redo() {
      const next = history.redo(doc);
      if (next === undefined) return false;
      doc = next;
      dirty = true;
      changed();
      return true;
    },
    load(nextDoc, nextFileName, loadOptions = {}) {
      // A new history, not a cleared one: a session put aside keeps its own.
      history = new UndoHistory(options);
      dirty = loadOptions.dirty ?? false;
      doc = produce(nextDoc, () => {});
      fileName = nextFileName;
      loadId += 1;
      changed();
    },
    markSaved() {
      if (!dirty) return;
      dirty = false;
      changed();
    },
    setFileName(name) {
      fileName = name;
      changed();
    },
    takeSession: () => ({ doc, history, fileName, dirty }),
    freshSession: (next, name, sessionOptions = {}) => ({
      doc: produce(next, () => {}),
      history: new UndoHistory(options),
      fileName: name,
      dirty: sessionOptions.dirty ?? false,
    }),
    restoreSession(session) {
      ({ doc, history, fileName, dirty } = session);
      loadId += 1;
      changed();
    },
  };
}
