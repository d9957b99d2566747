/** The editor's document tabs for React: the tabs, the shown one, and the opened file's issues per tab. */
import { useCallback, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { GraphIssue } from '../../graph/document.ts';
import { emptyDocument } from '../files.ts';
import type { RunController } from '../run/runController.ts';
import type { RunStore } from '../run/runStore.ts';
import type { EditorStore } from '../store/editorStore.ts';
import { DocumentTabs, type ConfirmDiscard, type TabsSnapshot } from './documentTabs.ts';
import { runHandoff, type TabAside } from './runHandoff.ts';

/** Problems the loader found in the file a tab opened (the Issues tab shows them). */
export interface FileIssues {
  source?: string;
  issues: GraphIssue[];
}

const NO_ISSUES: FileIssues = { issues: [] };

export interface DocumentTabsState {
  tabs: DocumentTabs<TabAside<FileIssues>>;
  snapshot: TabsSnapshot;
  fileIssues: FileIssues;
  setFileIssues(issues: FileIssues): void;
  /** Closes a tab, asking first when it has unsaved edits. */
  close(id: number): void;
  /** Opens an empty document (in a new tab unless the shown one is an untouched New). */
  openNew(): void;
}

export function useDocumentTabs(store: EditorStore, controller: RunController, runs: RunStore, confirm: ConfirmDiscard): DocumentTabsState {
  const [fileIssues, setShownIssues] = useState<FileIssues>(NO_ISSUES);
  const shownIssues = useRef(fileIssues);
  const setFileIssues = useCallback((issues: FileIssues) => {
    shownIssues.current = issues;
    setShownIssues(issues);
  }, []);
  const tabs = useMemo(
    () => new DocumentTabs(store, runHandoff(controller, runs, { save: () => shownIssues.current, restore: (saved) => setFileIssues(saved ?? NO_ISSUES) })),
    [store, controller, runs, setFileIssues],
  );
  const snapshot = useSyncExternalStore(tabs.subscribe, tabs.getSnapshot);
  const close = useCallback((id: number) => void tabs.close(id, confirm, emptyDocument), [tabs, confirm]);
  const openNew = useCallback(() => void tabs.open(emptyDocument()), [tabs]);
  return { tabs, snapshot, fileIssues, setFileIssues, close, openNew };
}
