/** React bindings of the run store: the whole snapshot, or one node's status. */
import { createContext, useContext, useMemo, useSyncExternalStore } from 'react';
import type { NodeStatus, RunSnapshot, RunStore } from './runStore.ts';
import { memoAggregate, memoStatus, membersStatus } from './subgraphStatus.ts';

export const RunStoreContext = createContext<RunStore | null>(null);
/**
 * Prefix of the run store's ids for the cards on the canvas: '' at the top level,
 * `<subgraph>/` while a subgraph is open (the engine reports inner nodes by flat id).
 */
export const StatusPrefixContext = createContext('');

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
 * What a repeat zone did in the last run, e.g. "4 iterations · 35 ms": its output node's iteration
 * count and the summed time of its members; undefined before a run reaches it. A string, so the
 * frame re-renders only when the text changes.
 */
export function useZoneSummary(members: readonly string[], output: string | undefined): string | undefined {
  const runs = useRunStoreInstance();
  return useSyncExternalStore(runs.subscribe, () => zoneSummary(runs.getSnapshot().nodes, members, output));
}

export function zoneSummary(nodes: RunSnapshot['nodes'], members: readonly string[], output: string | undefined): string | undefined {
  const status = output ? nodes[output] : undefined;
  if (!status) return undefined;
  if (status.state === 'running' && status.progress && !status.progress.unit) return `${status.progress.value}/${status.progress.max} iterations`;
  if (status.state === 'cached') return 'cached';
  if (status.state !== 'done' || status.iterations === undefined) return undefined;
  const ms = members.reduce((sum, id) => sum + (nodes[id]?.ms ?? 0), 0);
  return `${status.iterations} iterations · ${ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`}`;
}

/**
 * One node's status. The run store keeps each node's status object unless that node changed,
 * so a node card re-renders only for its own events.
 */
export function useNodeStatus(nodeId: string): NodeStatus | undefined {
  const runs = useRunStoreInstance();
  const prefix = useContext(StatusPrefixContext);
  return useSyncExternalStore(runs.subscribe, () => runs.getSnapshot().nodes[prefix + nodeId]);
}

/** A subgraph node's status: the nodes inside it, summed up (subgraphStatus.ts). */
export function useSubgraphStatus(nodeId: string, enabled: boolean): NodeStatus | undefined {
  const runs = useRunStoreInstance();
  const prefix = useContext(StatusPrefixContext);
  const aggregate = useMemo(memoAggregate, []);
  // Other cards skip the scan: it visits every node's status.
  return useSyncExternalStore(runs.subscribe, () => (enabled ? aggregate(runs.getSnapshot().nodes, `${prefix}${nodeId}/`) : undefined));
}

/**
 * A collapsed zone's status: its members', the loop (`ids[0]`, its repeat-output) preferred, so
 * the box shows the steps while sampling and a member's model download before.
 */
export function useMembersStatus(ids: readonly string[]): NodeStatus | undefined {
  const runs = useRunStoreInstance();
  const prefix = useContext(StatusPrefixContext);
  const flat = useMemo(() => ids.map((id) => prefix + id), [ids.join('\u0000'), prefix]);
  const compute = useMemo(() => memoStatus(membersStatus), []);
  return useSyncExternalStore(runs.subscribe, () => compute(runs.getSnapshot().nodes, flat));
}
