/**
 * The editor's document tabs for React: the tabs, the shown one, each tab's run store (the shown
 * one's is on screen), and the opened file's issues per tab.
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { GraphIssue } from '../../graph/document.ts';
import type { NodeCatalog } from '../catalog.ts';
import { emptyDocument, openGraphText } from '../files.ts';
import type { KeyValueStore } from '../store/autosave.ts';
import type { RunController } from '../run/runController.ts';
import { RunStore } from '../run/runStore.ts';
import type { EditorStore } from '../store/editorStore.ts';
import { DocumentTabs, FIRST_TAB, type ConfirmDiscard, type TabsSnapshot } from './documentTabs.ts';
import { runHandoff, type TabAside } from './runHandoff.ts';
import { TabRuns, type TabActivity } from './tabRuns.ts';
import { restoreTabs, startTabsAutosave, type TabsAutosave } from './tabsAutosave.ts';

/** Problems the loader found in the file a tab opened (the Issues tab shows them). */
export interface FileIssues {
  source?: string;
  issues: GraphIssue[];
}

const NO_ISSUES: FileIssues = { issues: [] };

export interface DocumentTabsState {
  tabs: DocumentTabs<TabAside<FileIssues>>;
  snapshot: TabsSnapshot;
  /** The shown tab's run store (what the canvas and panels show). */
  runs: RunStore;
  /** Tabs with a run under way, and its progress. */
  activity: ReadonlyMap<number, TabActivity>;
  fileIssues: FileIssues;
  setFileIssues(issues: FileIssues): void;
  /** Closes a tab, asking first when it has unsaved edits or runs under way or queued. */
  close(id: number): void;
  /** Opens an empty document (in a new tab unless the shown one is an untouched New). */
  openNew(): void;
}

/** The run store of every tab, one per tab; made once per editor, before its run controller. */
export function useTabRuns(): TabRuns {
  return useMemo(() => new TabRuns(() => new RunStore(undefined, (flush) => requestAnimationFrame(flush)), FIRST_TAB), []);
}

export function useDocumentTabs(
  store: EditorStore,
  controller: RunController,
  tabRuns: TabRuns,
  confirm: ConfirmDiscard,
): DocumentTabsState {
  const [fileIssues, setShownIssues] = useState<FileIssues>(NO_ISSUES);
  const shownIssues = useRef(fileIssues);
  const setFileIssues = useCallback((issues: FileIssues) => {
    shownIssues.current = issues;
    setShownIssues(issues);
  }, []);
  const tabs = useMemo(
    () => new DocumentTabs(store, runHandoff(
      controller,
      tabRuns,
      { save: () => shownIssues.current, restore: (saved) => setFileIssues(saved ?? NO_ISSUES) },
    )),
    [store, controller, tabRuns, setFileIssues],
  );
  const snapshot = useSyncExternalStore(tabs.subscribe, tabs.getSnapshot);
  const runs = useSyncExternalStore(tabRuns.subscribe, tabRuns.getShownStore);
  const activity = useSyncExternalStore(tabRuns.subscribe, tabRuns.getActivity);
  const close = useCallback((id: number) => void tabs.close(id, confirm, emptyDocument, (tab) => controller.hasRuns(tab)), [tabs, confirm, controller]);
  const openNew = useCallback(() => void tabs.open(emptyDocument()), [tabs]);
  return { tabs, snapshot, runs, activity, fileIssues, setFileIssues, close, openNew };
}

/**
 * Once the shown document is up: the other tabs of the last session come back (unless the
 * editor was opened `?fresh`), then the tabs are autosaved as they change.
 */
export function useTabsAutosave(
  tabs: DocumentTabs<unknown>,
  kv: KeyValueStore | undefined,
  catalog: NodeCatalog | undefined,
  boot: { source: string; held?: unknown } | undefined,
  onError: (message: string, kind: 'error') => void,
): void {
  const restored = useRef(false);
  useEffect(() => {
    if (!kv || !catalog || !boot) return;
    let stopped = false;
    let autosave: TabsAutosave | undefined;
    void (async () => {
      // A held restore (the shown document did not come up last time) still brings the other
      // tabs back: they are only read, not drawn.
      if ((boot.source === 'autosave' || boot.held) && !restored.current) {
        restored.current = true;
        await restoreTabs(tabs, kv, (json) => openGraphText(json, 'autosave', catalog).doc)
          .catch((e: unknown) => onError(`Could not restore the other tabs: ${e instanceof Error ? e.message : String(e)}`, 'error'));
      }
      if (!stopped) autosave = startTabsAutosave(tabs, kv, { onError: (e) => onError(`Autosave of the tabs failed: ${e.message}`, 'error') });
    })();
    const flush = () => void autosave?.flush();
    window.addEventListener('pagehide', flush);
    return () => {
      stopped = true;
      window.removeEventListener('pagehide', flush);
      autosave?.stop();
    };
  }, [tabs, kv, catalog, boot, onError]);
}
