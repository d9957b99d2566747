/**
 * Autosave: the document is written to IndexedDB shortly after every change, so a reload or a
 * crashed tab restores it. The key-value interface keeps the store testable with any IndexedDB
 * implementation (the browser's, or fake-indexeddb in Node).
 */
import type { GraphDocument } from '../../graph/document.ts';
import type { EditorStore } from './editorStore.ts';
import { debounced } from './debounced.ts';

export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

function requestToPromise<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/** A single-object-store key-value wrapper over IndexedDB. */
export async function openIndexedDbStore(
  factory: IDBFactory,
  dbName = 'latentloom',
  storeName = 'editor',
): Promise<KeyValueStore> {
  const open = factory.open(dbName, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(storeName)) open.result.createObjectStore(storeName);
  };
  const db = await requestToPromise(open);
  const run = async <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const tx = db.transaction(storeName, mode);
    const result = await requestToPromise(fn(tx.objectStore(storeName)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    return result;
  };
  return {
    get: (key) => run('readonly', (s) => s.get(key)),
    set: async (key, value) => {
      await run('readwrite', (s) => s.put(value, key));
    },
    delete: async (key) => {
      await run('readwrite', (s) => s.delete(key));
    },
  };
}

export const AUTOSAVE_KEY = 'autosave.graph';

export interface AutosaveRecord {
  savedAt: number;
  fileName?: string;
  /** The document as JSON text: stored as text so a future schema can still read old saves. */
  json: string;
}

export interface Autosave {
  /** Writes now whatever is pending; resolves when stored. */
  flush(): Promise<void>;
  stop(): void;
  /** Last write error, if the storage refused (quota, private mode). */
  readonly lastError: Error | undefined;
}

/** Saves the store's document `delayMs` after the last change (debounced). */
export function startAutosave(
  store: EditorStore,
  kv: KeyValueStore,
  options: { delayMs?: number; now?: () => number; onError?: (e: Error) => void } = {},
): Autosave {
  const delayMs = options.delayMs ?? 400;
  const now = options.now ?? (() => Date.now());
  let savedRevision = store.getSnapshot().revision;
  let lastError: Error | undefined;
  let writing: Promise<void> = Promise.resolve();

  const write = (): Promise<void> => {
    const snap = store.getSnapshot();
    if (snap.revision === savedRevision) return writing;
    savedRevision = snap.revision;
    const record: AutosaveRecord = { savedAt: now(), fileName: snap.fileName, json: JSON.stringify(snap.doc) };
    writing = writing
      .then(() => kv.set(AUTOSAVE_KEY, record))
      .then(
        () => {
          lastError = undefined;
        },
        (e: unknown) => {
          lastError = e instanceof Error ? e : new Error(String(e));
          options.onError?.(lastError);
        },
      );
    return writing;
  };

  const pending = debounced(write, delayMs);
  const unsubscribe = store.subscribe(pending.schedule);

  return {
    flush: pending.flush,
    stop() {
      pending.cancel();
      unsubscribe();
    },
    get lastError() {
      return lastError;
    },
  };
}

/** The autosaved document text, if any; parsing and validation are the loader's job. */
export async function readAutosave(kv: KeyValueStore): Promise<AutosaveRecord | undefined> {
  const value = (await kv.get(AUTOSAVE_KEY)) as Partial<AutosaveRecord> | undefined;
  if (!value || typeof value.json !== 'string') return undefined;
  return { savedAt: Number(value.savedAt ?? 0), fileName: value.fileName, json: value.json };
}

export type { GraphDocument };
