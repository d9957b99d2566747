/**
 * Editor entry, kept small so that the engine worker starts while the editor's own bundle is
 * still loading: the worker (its bundle and node definitions) is what the first paint waits
 * for, so it is spawned and asked for its node types first, the autosave database is opened
 * meanwhile, and the React app comes in through a dynamic import (startEditor.tsx).
 */
import '@xyflow/react/dist/style.css';
import './theme.css';
import { connectEngineWorker } from './run/connectWorker.ts';
import { THREADS_KEY } from './app/settings.ts';
import { parseThreadSetting } from '../runtime/threads.ts';
import { openIndexedDbStore, type KeyValueStore } from './store/autosave.ts';
import { LOAD_MARKS } from './app/loadMarks.ts';

performance.mark(LOAD_MARKS.entry);
const engine = connectEngineWorker({ threads: () => parseThreadSetting(localStorage.getItem(THREADS_KEY)) });
// The connection keeps this answer: the app's own call gets it without a second round trip.
void engine.describeNodes().then(() => performance.mark(LOAD_MARKS.nodeTypes), () => {});

async function openAutosaveStore(): Promise<KeyValueStore | undefined> {
  try {
    return await openIndexedDbStore(indexedDB);
  } catch {
    return undefined; // private mode or blocked storage: the editor works, without autosave
  }
}

void Promise.all([import('./app/startEditor.tsx'), openAutosaveStore()]).then(([{ startEditor }, kv]) => {
  performance.mark(LOAD_MARKS.appLoaded);
  startEditor(document.getElementById('root')!, engine, kv);
});
