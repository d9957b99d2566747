/** React bindings of the run store: the whole snapshot, or one node's status. */
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { NodeStatus, RunSnapshot, RunStore } from './runStore.ts';

export const RunStoreContext = createContext<RunStore | null>(null);

function useRunStoreInstance(): RunStore {
  const runs = useContext(RunStoreContext);
  if (!runs) throw new Error('run state hooks must be used inside <RunStoreContext.Provider>');
  return runs;
}

export function useRunSnapshot(): RunSnapshot {
  const runs = useRunStoreInstance();
  return useSyncExternalStore(runs.subscribe, runs.getSnapshot);
}

/**
 * One node's status. The run store keeps each node's status object unless that node changed,
 * so a node card re-renders only for its own events.
 */
export function useNodeStatus(nodeId: string): NodeStatus | undefined {
  const runs = useRunStoreInstance();
  return useSyncExternalStore(runs.subscribe, () => runs.getSnapshot().nodes[nodeId]);
}
