/**
 * What a document tab keeps of its runs while another tab is shown: the last run's node
 * states, errors, previews and status line. A run still going when its tab is put aside is
 * cancelled, and nothing it reports later reaches the tab shown instead (the controller's
 * detach); the gallery stays a history across documents.
 */
import type { RunController } from '../run/runController.ts';
import type { RunState, RunStore } from '../run/runStore.ts';
import type { TabHandoff } from './documentTabs.ts';

export interface TabAside<E> {
  run?: RunState;
  extra: E;
}

/** `extra`: more per-document state of the app's own (the opened file's issues). */
export function runHandoff<E>(
  controller: Pick<RunController, 'running' | 'detach'>,
  runs: RunStore,
  extra: { save(): E; restore(saved: E | undefined): void },
  /** A run was cancelled because its tab was put aside or closed (the user is told). */
  onRunCancelled: () => void = () => {},
): TabHandoff<TabAside<E>> {
  return {
    leave() {
      // A finished run's results go with the tab; a run cut short leaves nothing worth keeping.
      const cancelled = controller.running;
      const run = cancelled ? undefined : runs.takeState();
      controller.detach();
      if (cancelled) onRunCancelled();
      return { run, extra: extra.save() };
    },
    enter(aside) {
      if (aside?.run) runs.putState(aside.run);
      extra.restore(aside?.extra);
    },
    drop(aside) {
      if (aside.run) runs.dropState(aside.run);
    },
  };
}
