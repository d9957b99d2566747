/**
 * The toolbar's settings menu (⚙): the inference backend, wasm threads and snap to grid, with
 * the backend the worker used last. Kept out of the bar itself so that the bar fits narrow
 * windows (1280 px) with room for the title and a run's progress line. A click outside or Esc
 * closes it.
 */
import { useEffect, useRef } from 'react';
import type { BackendChoice } from '../run/engineConnection.ts';
import { THREAD_CHOICES, wasmThreadCount, type ThreadSetting } from '../../runtime/threads.ts';

export interface ToolbarSettingsProps {
  backend: BackendChoice;
  backendInUse?: string;
  /** Choices the worker's host supports (WebGPU only where the browser has it). */
  backendsAvailable?: readonly string[];
  /** onnxruntime-web's wasm threads (a change restarts the worker before the next run). */
  threads: ThreadSetting;
  snap: boolean;
  onBackend(b: BackendChoice): void;
  onThreads(t: ThreadSetting): void;
  onSnap(on: boolean): void;
}

export function ToolbarSettings(p: ToolbarSettingsProps) {
  const menu = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const close = (e: Event) => {
      const el = menu.current;
      if (!el?.open) return;
      if (e instanceof KeyboardEvent) {
        if (e.key !== 'Escape') return;
        el.open = false;
        // This Esc closed the menu: it must not go on to the window, where Esc cancels the run.
        e.stopPropagation();
      } else if (!el.contains(e.target as Node)) el.open = false;
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', close);
    };
  }, []);
  const summary = `Settings: backend ${p.backend}${p.backendInUse ? ` (last run: ${p.backendInUse})` : ''}, threads ${p.threads}, snap ${p.snap ? 'on' : 'off'}`;
  return (
    <details className="ll-settings" ref={menu}>
      <summary title={summary} aria-label="settings">⚙</summary>
      <div className="ll-settings-menu">
        <label className="ll-backend" title="Inference backend in the worker">
          backend
          <select aria-label="backend" value={p.backend} onChange={(e) => p.onBackend(e.target.value as BackendChoice)}>
            <option value="auto">auto</option>
            <option value="webgpu" disabled={!!p.backendsAvailable && !p.backendsAvailable.includes('webgpu')}>WebGPU</option>
            <option value="wasm">wasm</option>
          </select>
        </label>
        <span className="ll-muted">last run: {p.backendInUse ? <span className="ll-backend-used" data-testid="backend-in-use">{p.backendInUse}</span> : 'none yet'}</span>
        <label className="ll-backend" title="wasm threads in the worker (auto: 1 on up to 2 cores, else all cores but one, at most 4)">
          threads
          <select aria-label="threads" value={String(p.threads)} onChange={(e) => p.onThreads(e.target.value === 'auto' ? 'auto' : Number(e.target.value))}>
            {THREAD_CHOICES.map((t) => (
              <option key={String(t)} value={String(t)}>{t === 'auto' ? `auto (${wasmThreadCount('auto')})` : t}</option>
            ))}
          </select>
        </label>
        <label className="ll-check"><input type="checkbox" checked={p.snap} onChange={(e) => p.onSnap(e.target.checked)} />snap to grid</label>
      </div>
    </details>
  );
}
