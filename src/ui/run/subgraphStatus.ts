/**
 * One status for a subgraph node from the statuses of the nodes inside it (the engine reports
 * them by flat id `<subgraph>/<inner>`): failed if any failed, running while any runs (with
 * that node's progress), done once all are done or cached; the latest picture inside is its
 * preview. Results are memoized per run-store snapshot, so useSyncExternalStore sees a stable
 * value between changes.
 */
import type { NodeStatus } from './runStore.ts';

export function aggregateStatus(nodes: Readonly<Record<string, NodeStatus>>, prefix: string): NodeStatus | undefined {
  const inner = Object.entries(nodes).filter(([id]) => id.startsWith(prefix)).map(([, s]) => s);
  if (inner.length === 0) return undefined;
  const error = inner.find((s) => s.state === 'error');
  const running = inner.find((s) => s.state === 'running');
  const previewUrl = [...inner].reverse().find((s) => s.previewUrl)?.previewUrl;
  const ms = inner.reduce((sum, s) => sum + (s.ms ?? 0), 0);
  const base: NodeStatus = error
    ? { state: 'error', ...(error.error ? { error: error.error } : {}) }
    : running
      ? { state: 'running', ...(running.progress ? { progress: running.progress } : {}), ...(running.progressSince !== undefined ? { progressSince: running.progressSince, progressFrom: running.progressFrom } : {}) }
      : inner.some((s) => s.state === 'pending')
        ? { state: 'pending' }
        : { state: inner.every((s) => s.state === 'cached') ? 'cached' : 'done', ms };
  return previewUrl ? { ...base, previewUrl } : base;
}

/** `aggregateStatus`, recomputed only when the snapshot's node map changes. */
export function memoAggregate(): (nodes: Readonly<Record<string, NodeStatus>>, prefix: string) => NodeStatus | undefined {
  let lastNodes: unknown;
  let lastPrefix = '';
  let last: NodeStatus | undefined;
  return (nodes, prefix) => {
    if (nodes !== lastNodes || prefix !== lastPrefix) {
      const next = aggregateStatus(nodes, prefix);
      // Keep the old object when nothing shown changed, so the card does not re-render.
      if (!(last && next && JSON.stringify(last) === JSON.stringify(next))) last = next;
      lastNodes = nodes;
      lastPrefix = prefix;
    }
    return last;
  };
}
