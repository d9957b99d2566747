/** The run queue (ComfyUI-style): runs waiting after the current one, each with its own cancel. */
import type { QueuedRun } from '../run/runStore.ts';

export interface QueuePanelProps {
  queue: readonly QueuedRun[];
  running: boolean;
  onCancelItem(id: number): void;
  onClear(): void;
}

export function QueuePanel({ queue, running, onCancelItem, onClear }: QueuePanelProps) {
  if (queue.length === 0) return null;
  return (
    <div className="ll-queue" data-testid="queue-panel" role="region" aria-label="Run queue">
      <div className="ll-queue-head">
        <strong>Queue</strong> <span className="ll-muted">{queue.length} waiting{running ? ' after the current run' : ''}</span>
        <button type="button" className="ll-small-button" onClick={onClear} title="Remove every queued run (the current one goes on)">Clear</button>
      </div>
      <ol>
        {queue.map((q) => (
          <li key={q.id} data-testid="queue-item">
            <span className="ll-queue-label">#{q.id} {q.label}</span>
            <button type="button" className="ll-icon-button" aria-label={`cancel queued run ${q.id}`} title="Remove this run from the queue"
              data-testid="queue-cancel" onClick={() => onCancelItem(q.id)}>×</button>
          </li>
        ))}
      </ol>
    </div>
  );
}
