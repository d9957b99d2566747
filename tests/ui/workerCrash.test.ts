/**
 * The editor's path through a worker crash, on a real worker thread (the Node host of the same
 * engine worker API): the run in flight fails with the crash as its reason, the editor's crash
 * listeners hear it, the document is untouched, and the next run works on a fresh worker.
 */
import * as Comlink from 'comlink';
import { readFileSync } from 'node:fs';
import { nodeWorker } from '../../src/worker/nodeWorker.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { connectEngineWorker } from '../../src/ui/run/connectWorker.ts';
import { RunController } from '../../src/ui/run/runController.ts';
import { RunStore } from '../../src/ui/run/runStore.ts';
import { createEditorStore } from '../../src/ui/store/editorStore.ts';
import { setParam } from '../../src/ui/store/docEdits.ts';

it('a crashed worker fails the run with its reason, is reported, and the next run works', async () => {
  const loaded = loadGraph(readFileSync(new URL('../../graphs/math-demo.json', import.meta.url), 'utf8'));
  if (!loaded.ok) throw new Error('math-demo.json does not load');
  let first = true;
  const engine = connectEngineWorker({
    spawn: () => {
      const handle = nodeWorker();
      if (first) {
        first = false;
        // The Node worker entry's test hook kills the thread from inside, mid-run.
        const raw = Comlink.wrap<{ crashForTest(): void }>(handle.endpoint);
        setTimeout(() => raw.crashForTest().catch(() => {}), 400);
      }
      return handle;
    },
  });
  const crashes: string[] = [];
  engine.onCrash((reason) => crashes.push(reason));
  const store = createEditorStore(loaded.graph);
  store.edit('many steps', (d) => setParam(d, 'steps', 'value', 900_000));
  const runs = new RunStore();
  const controller = new RunController(engine, store, runs, () => 'wasm', () => ['finish']);
  const docBefore = store.getSnapshot().doc;
  try {
    await controller.run();
    expect(crashes).toHaveLength(1);
    expect(runs.getSnapshot().message).toMatch(/^Failed: .*crashed/);
    expect(store.getSnapshot().doc).toBe(docBefore);

    store.edit('few steps', (d) => setParam(d, 'steps', 'value', 2));
    await controller.run();
    expect(runs.getSnapshot().message).toMatch(/^Done in/);
    expect(runs.getSnapshot().nodes.finish.values).toBe('result = 6.5');
  } finally {
    engine.dispose();
  }
}, 60_000);
