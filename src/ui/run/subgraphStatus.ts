/**
 * One status standing for several nodes: a subgraph node's from the nodes inside it (the engine
 * reports them by flat id `<subgraph>/<inner>`), a collapsed zone's box from the zone's members.
 * Failed if any failed, running while any runs (with that node's progress: a model download in
 * bytes, the loop's steps), done once all are done or cached; the first picture found is its
 * preview. Results are memoized per run-store snapshot, so useSyncExternalStore sees a stable
 * value between changes.
 */
import type { NodeStatus } from './runStore.ts';

/** `statuses` in order of preference: the first running one gives the progress, the first picture the preview. */
export function combineStatuses(statuses: readonly NodeStatus[]): NodeStatus | undefined {
  if (statuses.length === 0) return undefined;
  const error = statuses.find((s) => s.state === 'error');
  const running = statuses.find((s) => s.state === 'running' && s.progress) ?? statuses.find((s) => s.state === 'running');
  const previewUrl = statuses.find((s) => s.previewUrl)?.previewUrl;
  const ms = statuses.reduce((sum, s) => sum + (s.ms ?? 0), 0);
  const base: NodeStatus = error
    ? { state: 'error', ...(error.error ? { error: error.error } : {}) }
    : running
      ? { state: 'running', ...(running.progress ? { progress: running.progress } : {}), ...(running.progressSince !== undefined ? { progressSince: running.progressSince, progressFrom: running.progressFrom } : {}) }
      : statuses.some((s) => s.state === 'pending')
        ? { state: 'pending' }
        : { state: statuses.every((s) => s.state === 'cached') ? 'cached' : 'done', ms };
  return previewUrl ? { ...base, previewUrl } : base;
}

/** The nodes inside a subgraph (ids starting with `prefix`); the latest picture inside first. */
export function aggregateStatus(nodes: Readonly<Record<string, NodeStatus>>, prefix: string): NodeStatus | undefined {
  return combineStatuses(Object.entries(nodes).filter(([id]) => id.startsWith(prefix)).map(([, s]) => s).reverse());
}

/** The statuses of `ids`, in that order of preference. */
export function membersStatus(nodes: Readonly<Record<string, NodeStatus>>, ids: readonly string[]): NodeStatus | undefined {
  return combineStatuses(ids.map((id) => nodes[id]).filter((s): s is NodeStatus => s !== undefined));
}

/** `compute`, recomputed only when the snapshot's node map or the key changes. */
export function memoStatus<K>(compute: (nodes: Readonly<Record<string, NodeStatus>>, key: K) => NodeStatus | undefined) {
  let lastNodes: unknown;
  let lastKey: K | undefined;
  let last: NodeStatus | undefined;
  return (nodes: Readonly<Record<string, NodeStatus>>, key: K): NodeStatus | undefined => {
    if (nodes !== lastNodes || key !== lastKey) {
      const next = compute(nodes, key);
      // Keep the old object when nothing shown changed, so the card does not re-render.
      if (!(last && next && JSON.stringify(last) === JSON.stringify(next))) last = next;
      lastNodes = nodes;
      lastKey = key;
    }
    return last;
  };
}

export const memoAggregate = () => memoStatus(aggregateStatus);
