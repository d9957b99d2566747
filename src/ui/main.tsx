/** Editor entry: the engine worker, the autosave database, and the React app. */
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './theme.css';
import { App } from './app/App.tsx';
import { connectEngineWorker } from './run/connectWorker.ts';
import { THREADS_KEY } from './app/settings.ts';
import { parseThreadSetting } from '../runtime/threads.ts';
import type { BackendChoice } from '../worker/engineApi.ts';
import { openIndexedDbStore, type KeyValueStore } from './store/autosave.ts';

const engine = connectEngineWorker({ threads: () => parseThreadSetting(localStorage.getItem(THREADS_KEY)) });

async function openAutosaveStore(): Promise<KeyValueStore | undefined> {
  try {
    return await openIndexedDbStore(indexedDB);
  } catch {
    return undefined; // private mode or blocked storage: the editor works, without autosave
  }
}

void openAutosaveStore().then((kv) => {
  createRoot(document.getElementById('root')!).render(<App engine={engine} kv={kv} />);
  // Once the page is idle: the toolbar's backend started and the shipped models read ahead in the
  // worker, so the first Run does not pay for them. A failure is the first Run's to report.
  const warmUp = () => void engine.warmUp?.((localStorage.getItem('latentloom.backend') as BackendChoice | null) ?? 'auto').catch(() => {});
  if (typeof requestIdleCallback === 'function') requestIdleCallback(warmUp, { timeout: 2000 });
  else setTimeout(warmUp, 500);
});
