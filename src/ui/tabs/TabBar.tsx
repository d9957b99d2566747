/**
 * The open documents above the canvas, as ComfyUI's workflow tabs: click to show, × to close, +
 * for a new one. A tab with a run under way shows it (a spinner and the run's progress, a bar
 * under its name), a tab with runs waiting in the queue shows how many: a run goes on while
 * another tab is shown.
 */
import { useEffect, useRef } from 'react';
import type { QueueSnapshot } from '../run/runQueue.ts';
import type { TabsSnapshot } from './documentTabs.ts';
import type { TabActivity } from './tabRuns.ts';

export interface TabBarProps {
  snapshot: TabsSnapshot;
  activity: ReadonlyMap<number, TabActivity>;
  queue: QueueSnapshot;
  onSwitch(id: number): void;
  onClose(id: number): void;
  onNew(): void;
}

export function TabBar({ snapshot, activity, queue, onSwitch, onClose, onNew }: TabBarProps) {
  // Many tabs scroll sideways: the one shown (a graph just opened) is brought into view.
  const shown = useRef<HTMLDivElement>(null);
  useEffect(() => {
    shown.current?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [snapshot.activeId]);
  return (
    <div className="ll-doc-tabs" role="tablist" aria-label="Open documents" data-testid="doc-tabs">
      {snapshot.tabs.map((t) => {
        const active = t.id === snapshot.activeId;
        const run = activity.get(t.id);
        const waiting = queue.waiting.filter((q) => q.tab === t.id).length;
        const percent = run?.progress === undefined ? undefined : Math.round(run.progress * 100);
        const doing = [run && `running${percent === undefined ? '' : ` (${percent}%)`}`, waiting > 0 && `${waiting} queued`].filter(Boolean).join(', ');
        const name = t.fileName ? `${t.title} — ${t.fileName}` : t.title;
        return (
          <div key={t.id} ref={active ? shown : undefined} className={`ll-doc-tab${active ? ' ll-doc-tab-active' : ''}${run ? ' ll-doc-tab-running' : ''}`} data-testid="doc-tab" data-active={active} data-dirty={t.dirty}
            data-running={!!run} data-queued={waiting}
            title={doing ? `${name} — ${doing}` : name}
            // The middle button closes a tab, as in browsers.
            onAuxClick={(e) => e.button === 1 && onClose(t.id)}>
            <button type="button" role="tab" aria-selected={active} className="ll-doc-tab-name" onClick={() => onSwitch(t.id)}>
              {run && <span className="ll-doc-tab-spinner" data-testid="doc-tab-running" aria-label={`running${percent === undefined ? '' : ` ${percent}%`}`} />}
              {t.dirty && <span className="ll-doc-tab-dirty" aria-label="unsaved">● </span>}
              {t.title}
              {percent !== undefined && <span className="ll-doc-tab-percent" data-testid="doc-tab-progress"> {percent}%</span>}
              {waiting > 0 && <span className="ll-doc-tab-queued" data-testid="doc-tab-queued" aria-label={`${waiting} queued`}> +{waiting}</span>}
            </button>
            {run && <span className="ll-doc-tab-bar" aria-hidden style={{ width: `${percent ?? 100}%` }} />}
            <button type="button" className="ll-doc-tab-close" aria-label={`Close ${t.title}`} data-testid="doc-tab-close" onClick={() => onClose(t.id)}>×</button>
          </div>
        );
      })}
      <button type="button" className="ll-doc-tab-new" aria-label="Add an empty document" data-testid="doc-tab-new" onClick={onNew}>+</button>
    </div>
  );
}
