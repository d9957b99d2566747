/**
 * The React app's mount, loaded by the entry (main.tsx) through a dynamic import. Once the
 * editor is interactive and the page idle, the toolbar's backend is started and the shipped
 * models are read ahead in the worker, so the first Run does not pay for them (and the first
 * paint does not compete with them). A failure is the first Run's to report.
 */
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import type { EngineConnection, BackendChoice } from '../run/engineConnection.ts';
import type { KeyValueStore } from '../store/autosave.ts';

export function startEditor(root: HTMLElement, engine: EngineConnection, kv: KeyValueStore | undefined): void {
  const warmUp = () => void engine.warmUp?.((localStorage.getItem('latentloom.backend') as BackendChoice | null) ?? 'auto').catch(() => {});
  const whenIdle = () => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(warmUp, { timeout: 2000 });
    else setTimeout(warmUp, 500);
  };
  createRoot(root).render(<App engine={engine} kv={kv} onInteractive={whenIdle} />);
}
