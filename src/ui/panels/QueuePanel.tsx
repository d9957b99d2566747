/**
 * The run queue (ComfyUI-style): the run under way and the runs waiting after it, each naming the
 * tab it belongs to (one engine worker: runs of different tabs take turns), each waiting one with
 * its own cancel.
 */
import type { QueueSnapshot, QueuedRun } from '../run/runQueue.ts';
import type { TabsSnapshot } from '../tabs/documentTabs.ts';

export interface QueuePanelProps {
  queue: QueueSnapshot;
  /** The open tabs, to name each run's. */
  tabs: TabsSnapshot;
  onCancelItem(id: number): void;
  onClear(): void;
}

export function QueuePanel({ queue, tabs, onCancelItem, onClear }: QueuePanelProps) {
  const { waiting, current } = queue;
  if (waiting.length === 0) return null;
  const tabTitle = (q: QueuedRun) => tabs.tabs.find((t) => t.id === q.tab)?.title;
  const owner = (q: QueuedRun) => {
    const title = tabTitle(q);
    return title === undefined ? null : (
      <span className="ll-queue-tab" data-testid="queue-tab" data-active={q.tab === tabs.activeId} title={`A run of the tab "${title}"`}>{title}</span>
    );
  };
  return (
    <div className="ll-queue" data-testid="queue-panel" role="region" aria-label="Run queue">
      <div className="ll-queue-head">
        <strong>Queue</strong> <span className="ll-muted">{waiting.length} waiting{current ? ' after the current run' : ''}</span>
        <button type="button" className="ll-small-button" onClick={onClear} title="Remove every queued run (the current one goes on)">Clear</button>
      </div>
      <p className="ll-queue-note ll-muted">One engine: runs of every tab take turns, in this order.</p>
      <ol>
        {current && (
          <li key={current.id} data-testid="queue-current" className="ll-queue-current">
            <span className="ll-queue-label">▶ #{current.id} {current.label}</span>
            {owner(current)}
          </li>
        )}
        {waiting.map((q) => (
          <li key={q.id} data-testid="queue-item">
            <span className="ll-queue-label">#{q.id} {q.label}</span>
            {owner(q)}
            <button type="button" className="ll-icon-button" aria-label={`cancel queued run ${q.id}`} title="Remove this run from the queue"
              data-testid="queue-cancel" onClick={() => onCancelItem(q.id)}>×</button>
          </li>
        ))}
      </ol>
    </div>
  );
}
