/**
 * The open tabs survive a reload: besides the shown document (the autosave proper, with its
 * restore guard), the documents in the other tabs are written under their own key whenever
 * the tabs change (a document is put aside only by switching, so its text is final then), and
 * put back around the restored one at start-up.
 */
import type { GraphDocument } from '../../graph/document.ts';
import type { KeyValueStore } from '../store/autosave.ts';
import { debounced } from '../store/debounced.ts';
import type { DocumentTabs } from './documentTabs.ts';

export const TABS_KEY = 'autosave.tabs';

/** One entry per tab in order; `null` is the shown tab (kept by the autosave proper). */
export interface TabsRecord {
  tabs: ({ fileName?: string; dirty: boolean; json: string } | null)[];
}

export function tabsRecord(tabs: DocumentTabs<unknown>): TabsRecord {
  return {
    tabs: tabs.documents().map(({ shown, session }) => (shown ? null : { fileName: session.fileName, dirty: session.dirty, json: JSON.stringify(session.doc) })),
  };
}

export interface TabsAutosave {
  flush(): Promise<void>;
  stop(): void;
}

/** Writes the tabs' record `delayMs` after the tabs last changed. */
export function startTabsAutosave(
  tabs: DocumentTabs<unknown>,
  kv: KeyValueStore,
  options: { delayMs?: number; onError?: (e: Error) => void } = {},
): TabsAutosave {
  let writing: Promise<void> = Promise.resolve();
  const write = (): Promise<void> => {
    const record = tabsRecord(tabs);
    writing = writing.then(() => kv.set(TABS_KEY, record)).catch((e: unknown) => options.onError?.(e instanceof Error ? e : new Error(String(e))));
    return writing;
  };
  const pending = debounced(write, options.delayMs ?? 400);
  const unsubscribe = tabs.subscribe(pending.schedule);
  pending.schedule(); // the tabs as they are at the start
  return {
    flush: pending.flush,
    stop() {
      pending.cancel();
      unsubscribe();
    },
  };
}

/**
 * Puts the other tabs of the last session back around the shown one (restored already).
 * `open` reads one document's text (undefined: unreadable, left out). Returns the tabs added.
 */
export async function restoreTabs(tabs: DocumentTabs<unknown>, kv: KeyValueStore, open: (json: string) => GraphDocument | undefined): Promise<number> {
  const record = (await kv.get(TABS_KEY)) as Partial<TabsRecord> | undefined;
  if (!record || !Array.isArray(record.tabs)) return 0;
  let index = 0;
  let added = 0;
  for (const entry of record.tabs) {
    if (entry === null) {
      index += 1; // past the shown tab
      continue;
    }
    const doc = typeof entry?.json === 'string' ? open(entry.json) : undefined;
    if (!doc) continue;
    tabs.addAside(doc, index++, entry.fileName, { dirty: entry.dirty !== false });
    added += 1;
  }
  return added;
}
