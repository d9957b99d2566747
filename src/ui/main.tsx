/** Editor entry: the engine worker, the autosave database, and the React app. */
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './theme.css';
import { App } from './app/App.tsx';
import { connectEngineWorker } from './run/connectWorker.ts';
import { THREADS_KEY } from './app/settings.ts';
import { parseThreadSetting } from '../runtime/threads.ts';
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
});
