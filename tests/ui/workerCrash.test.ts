/**
 * The editor's path through a worker crash, on a real worker thread (the Node host of the same
 * engine worker API): the run in flight fails with the crash as its reason, the editor's crash
 * listeners hear it, the document is untouched, and the next run works on a fresh worker. The
 * node types the editor starts from are asked once and kept, unless the answer was lost to a crash.
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

it('node types are asked of the worker once; an answer lost to a crash is asked again of a fresh worker', async () => {
  let spawned = 0;
  const engine = connectEngineWorker({
    spawn: () => {
      spawned++;
      const handle = nodeWorker();
      // The first worker is killed while it is still starting, before it can answer.
      if (spawned === 1) queueMicrotask(() => handle.terminate());
      return handle;
    },
  });
  try {
    await expect(engine.describeNodes()).rejects.toThrow(/crashed/);
    const types = await engine.describeNodes();
    expect(types.some((t) => t.type === 'math/add')).toBe(true);
    expect(spawned).toBe(2);
    // Kept: the same answer, no third worker, no second question.
    expect(await engine.describeNodes()).toBe(types);
    expect(spawned).toBe(2);
  } finally {
    engine.dispose();
  }
}, 60_000);
