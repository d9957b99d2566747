/**
 * A sweep in the editor, on the real engine in-process (math-demo: finish = start · 2^steps + bias):
 * every point runs through the run queue and its scalar outputs are collected; a failing point is
 * recorded with its error; cancel removes the queued points and stops the running one; a point
 * removed from the queue by hand, or another graph opened, stops the sweep.
 */
import { readFileSync } from 'node:fs';
import { defaultRegistry } from '../../nodes/index.ts';
import { createEngineWorkerApi } from '../../src/worker/engineApi.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import type { EngineConnection, EngineRunOptions } from '../../src/ui/run/engineConnection.ts';
import { RunController } from '../../src/ui/run/runController.ts';
import { RunStore } from '../../src/ui/run/runStore.ts';
import { createEditorStore } from '../../src/ui/store/editorStore.ts';
import { SweepSession, type SweepSnapshot } from '../../src/ui/sweep/sweepSession.ts';

const registry = defaultRegistry();
const kinds = (type: string) => registry.get(type)?.params;

function mathDemo(): GraphDocument {
  const loaded = loadGraph(readFileSync(new URL('../../graphs/math-demo.json', import.meta.url), 'utf8'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.graph;
}

/** `start` 0 keeps a long zone finite (0 · 2^n), so it runs its whole count. */
function setup(start?: number) {
  const doc = mathDemo();
  if (start !== undefined) doc.nodes.find((n) => n.id === 'start')!.params.value = start;
  const api = createEngineWorkerApi({ registry, services: {} });
  const options: EngineRunOptions[] = [];
  const engine: EngineConnection = {
    describeNodes: async () => api.describeNodes(),
    run: (graph, runOptions, onEvent) => {
      options.push(runOptions);
      return api.run(graph, { outputs: runOptions.outputs }, onEvent);
    },
    cancel: () => api.cancel(),
    onCrash: () => () => {},
    dispose: () => {},
  };
  const store = createEditorStore(doc);
  const runs = new RunStore();
  const controller = new RunController(engine, store, runs, () => 'wasm', () => ['finish']);
  const session = new SweepSession(controller, kinds);
  return { doc, controller, runs, session, options };
}

const settled = (session: SweepSession) => new Promise<SweepSnapshot>((resolve) => {
  const check = () => {
    const s = session.getSnapshot();
    if (s.status === 'done' || s.status === 'cancelled') {
      off();
      resolve(s);
    }
  };
  const off = session.subscribe(check);
  check();
});

describe('sweep session', () => {
  it('queues the product of two params, one run per point, and collects each one\'s outputs', async () => {
    const { doc, runs, controller, session, options } = setup();
    expect(session.start(doc, { axes: [{ param: 'start.value', values: '1,2' }, { param: 'steps.value', values: '1..3' }], metrics: ['finish.result'] })).toBe(true);
    expect(controller.getQueue().waiting.map((q) => q.label)).toEqual(expect.arrayContaining(['sweep 6/6 · start.value=2 steps.value=3']));
    expect(session.getSnapshot()).toMatchObject({ status: 'running', total: 6 });
    const done = await settled(session);
    expect(done).toMatchObject({ status: 'done', total: 6, settled: 6, failed: 0 });
    expect(done.results.map((r) => [r.values['start.value'], r.values['steps.value'], r.metrics['finish.result']])).toEqual([
      ['1', '1', 2.5], ['1', '2', 4.5], ['1', '3', 8.5], ['2', '1', 4.5], ['2', '2', 8.5], ['2', '3', 16.5],
    ]);
    expect(done.seconds).toBeGreaterThan(0);
    expect(runs.getSnapshot().runId).toBe(6);
    // Only the metrics' nodes run, without live previews.
    expect(options.map((o) => [o.outputs, o.previewLatents])).toEqual(Array.from({ length: 6 }, () => [['finish'], false]));
  });

  it('records a failing point with its error and goes on', async () => {
    const { doc, session } = setup();
    session.start(doc, { axes: [{ param: 'finish.bias', values: '0,2000000000,1' }] });
    const done = await settled(session);
    expect(done).toMatchObject({ status: 'done', failed: 1 });
    expect(done.results.map((r) => r.metrics['finish.result'])).toEqual([48, undefined, 49]);
    expect(done.results[1].error).toMatch(/finish/);
  });

  it('refuses a plan it cannot run, saying why, and queues nothing', () => {
    const { doc, controller, session } = setup();
    expect(session.start(doc, { axes: [{ param: 'nope.value', values: '1,2' }] })).toBe(false);
    expect(session.getSnapshot().error).toBe('sweep nope.value=1: the graph has no node "nope"');
    expect(session.start(doc, { axes: [{ param: 'start.value', values: '1' }], metrics: ['gone.result'] })).toBe(false);
    expect(session.getSnapshot().error).toMatch(/metric gone\.result: the graph has no node "gone"/);
    expect(session.start(doc, { axes: [{ param: 'start.value', values: '1..3000' }] })).toBe(false);
    expect(session.getSnapshot().error).toMatch(/3000 points; the editor runs at most/);
    expect(controller.getQueue().waiting).toEqual([]);
  });

  it('cancel removes the queued points and stops the running one; what finished is kept', async () => {
    const { doc, controller, runs, session } = setup(0);
    // A long zone first, so the sweep is still going when it is cancelled.
    session.start(doc, { axes: [{ param: 'steps.value', values: '3,1000000,4,5' }] });
    await vi.waitFor(() => expect(runs.getSnapshot().runId).toBe(2), { timeout: 10_000 });
    expect(controller.running).toBe(true);
    session.cancel();
    expect(controller.getQueue().waiting).toEqual([]);
    const done = await settled(session);
    expect(done).toMatchObject({ status: 'cancelled', settled: 4, failed: 0 });
    expect(done.results.map((r) => r.values['steps.value'])).toEqual(['3']);
    expect(runs.getSnapshot().runId).toBe(2);
  });

  it('a point removed from the run queue by hand, or another graph opened, stops the sweep', async () => {
    const { doc, controller, runs, session } = setup(0);
    session.start(doc, { axes: [{ param: 'steps.value', values: '1000000,3,4' }] });
    const [, second] = controller.getQueue().waiting;
    controller.dequeue(second.id);
    const done = await settled(session);
    expect(done.status).toBe('cancelled');
    expect(controller.getQueue().waiting).toEqual([]);
    session.start(doc, { axes: [{ param: 'steps.value', values: '1000000,3' }] });
    expect(session.getSnapshot().status).toBe('running');
    controller.detach();
    expect((await settled(session)).status).toBe('cancelled');
  });
});
