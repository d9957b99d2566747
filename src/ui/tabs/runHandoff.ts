/**
 * What a document tab keeps while another tab is shown. Its runs keep their own run store
 * (TabRuns): a run still going when its tab is put aside goes on, reporting to that store and
 * to no other tab; switching back shows its live state. Closing a tab (or replacing its
 * document) stops its runs and frees its run state, gallery included.
 */
import type { RunController } from '../run/runController.ts';
import type { TabHandoff } from './documentTabs.ts';
import type { TabRuns } from './tabRuns.ts';

export interface TabAside<E> {
  extra: E;
}

/** `extra`: more per-document state of the app's own (the opened file's issues). */
export function runHandoff<E>(
  controller: Pick<RunController, 'dropTab'>,
  tabRuns: TabRuns,
  extra: { save(): E; restore(saved: E | undefined): void },
): TabHandoff<TabAside<E>> {
  return {
    leave: () => ({ extra: extra.save() }),
    enter(tab, aside) {
      tabRuns.show(tab);
      extra.restore(aside?.extra);
    },
    drop(tab) {
      controller.dropTab(tab);
      tabRuns.drop(tab);
    },
  };
}
