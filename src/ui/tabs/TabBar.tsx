/** The open documents above the canvas, as ComfyUI's workflow tabs: click to show, × to close, + for a new one. */
import { useEffect, useRef } from 'react';
import type { TabsSnapshot } from './documentTabs.ts';

export interface TabBarProps {
  snapshot: TabsSnapshot;
  onSwitch(id: number): void;
  onClose(id: number): void;
  onNew(): void;
}

export function TabBar({ snapshot, onSwitch, onClose, onNew }: TabBarProps) {
  // Many tabs scroll sideways: the one shown (a graph just opened) is brought into view.
  const shown = useRef<HTMLDivElement>(null);
  useEffect(() => {
    shown.current?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [snapshot.activeId]);
  return (
    <div className="ll-doc-tabs" role="tablist" aria-label="Open documents" data-testid="doc-tabs">
      {snapshot.tabs.map((t) => {
        const active = t.id === snapshot.activeId;
        return (
          <div key={t.id} ref={active ? shown : undefined} className={`ll-doc-tab${active ? ' ll-doc-tab-active' : ''}`} data-testid="doc-tab" data-active={active} data-dirty={t.dirty}
            title={t.fileName ? `${t.title} — ${t.fileName}` : t.title}
            // The middle button closes a tab, as in browsers.
            onAuxClick={(e) => e.button === 1 && onClose(t.id)}>
            <button type="button" role="tab" aria-selected={active} className="ll-doc-tab-name" onClick={() => onSwitch(t.id)}>
              {t.dirty && <span className="ll-doc-tab-dirty" aria-label="unsaved">● </span>}
              {t.title}
            </button>
            <button type="button" className="ll-doc-tab-close" aria-label={`Close ${t.title}`} data-testid="doc-tab-close" onClick={() => onClose(t.id)}>×</button>
          </div>
        );
      })}
      <button type="button" className="ll-doc-tab-new" aria-label="Add an empty document" data-testid="doc-tab-new" onClick={onNew}>+</button>
    </div>
  );
}
