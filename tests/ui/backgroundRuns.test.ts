/**
 * Runs of document tabs (pure state, the real editor store, run stores and in-process engine): a
 * run goes on when its tab is put aside and reports to that tab only, its pictures in that tab's
 * gallery; Run on another tab meanwhile queues behind it, the queue naming each run's tab; runs
 * take turns in queue order; Cancel stops only the shown tab's run; closing a tab with a run
 * asks and stops it while other tabs' runs go on; the tab strip's activity follows each tab.
 */
import type { GraphDocument } from '../../src/graph/document.ts';
import { DocumentTabs, FIRST_TAB, type Losses } from '../../src/ui/tabs/documentTabs.ts';
import { runHandoff } from '../../src/ui/tabs/runHandoff.ts';
import { activityOf, TabRuns } from '../../src/ui/tabs/tabRuns.ts';
import { RunController } from '../../src/ui/run/runController.ts';
import { RunStore } from '../../src/ui/run/runStore.ts';
import { waitingLine } from '../../src/ui/run/runQueue.ts';
import { createEditorStore } from '../../src/ui/store/editorStore.ts';
import { emptyDocument } from '../../src/ui/files.ts';
import { encodePng } from '../../src/tensor/png.ts';
import { inProcessEngine, leafOf, mathDemo } from './inProcessEngine.ts';

function picture(): GraphDocument {
  const data = new Uint8Array(8 * 8 * 3).map((_, i) => (i * 11) % 256);
  const source = `data:image/png;base64,${Buffer.from(encodePng({ width: 8, height: 8, channels: 3, data })).toString('base64')}`;
  return {
    format: 'latentloom.graph', version: 1, meta: { title: 'picture' }, models: {},
    nodes: [
      { id: 'load', type: 'image/load', version: 1, params: { source }, ui: { x: 0, y: 0 } },
      { id: 'save', type: 'image/save', version: 1, params: { filename_prefix: 'x', embed_graph: false }, ui: { x: 300, y: 0 } },
    ],
    edges: [{ from: { node: 'load', port: 'image' }, to: { node: 'save', port: 'images' } }],
  };
}

/** The math demo looping `steps` times: long enough to still be going while the test acts. */
function slowMath(steps: number): GraphDocument {
  const doc = mathDemo();
  doc.meta.title = `math ${steps}`;
  doc.nodes.find((n) => n.id === 'steps')!.params.value = steps;
  return doc;
}

function setup() {
  const store = createEditorStore(emptyDocument());
  const tabRuns = new TabRuns(() => new RunStore(), FIRST_TAB);
  const controller = new RunController(inProcessEngine(), store, tabRuns, () => 'wasm', (d) => (d.nodes.some((n) => n.id === 'save') ? ['save'] : [leafOf(d)]));
  const tabs = new DocumentTabs(store, runHandoff(controller, tabRuns, { save: () => undefined, restore: () => {} }));
  const asked: { action: string; loses?: Losses }[] = [];
  const answer = (yes: boolean) => async (action: string, loses?: Losses) => (asked.push({ action, loses }), yes);
  return { store, tabRuns, controller, tabs, asked, answer, of: (tab: number) => tabRuns.storeOf(tab).getSnapshot() };
}

const until = async (what: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('runs of document tabs', () => {
  it('a run goes on when its tab is put aside; its statuses and picture land on its own tab only', async () => {
    const { tabs, controller, tabRuns, of } = setup();
    const a = tabs.open(picture(), 'a.json');
    const running = controller.run();
    const b = tabs.open(slowMath(3), 'b.json');
    expect(tabRuns.shownTab).toBe(b);
    expect(controller.running).toBe(true); // not cancelled
    await running;
    expect(of(a).gallery).toHaveLength(1);
    expect(of(a).gallery[0]!.nodeId).toBe('save');
    expect(of(a).nodes.save?.state).toBe('done');
    expect(of(a).message).toMatch(/^Done/);
    // The shown tab got nothing of it.
    expect(of(b)).toMatchObject({ running: false, nodes: {}, gallery: [], runId: 0 });
    expect(tabRuns.getShownStore().getSnapshot().message).toBeUndefined();
    tabs.switchTo(a);
    expect(tabRuns.getShownStore().getSnapshot().gallery).toHaveLength(1);
    expect(tabRuns.getShownStore().getSnapshot().nodes.save?.previewUrl).toBe(of(a).gallery[0]!.url);
  });

  it('switching back to a tab whose run is going shows its live state', async () => {
    const { tabs, controller, tabRuns, of } = setup();
    const doc = slowMath(200_000);
    const a = tabs.open(doc, 'a.json');
    const running = controller.run();
    const b = tabs.open(picture(), 'b.json');
    await until(() => of(a).nodes.loop_out?.state === 'running');
    expect(activityOf(of(a)).running).toBe(true);
    expect(tabRuns.getActivity().has(a)).toBe(true);
    expect(tabRuns.getActivity().has(b)).toBe(false);
    tabs.switchTo(a);
    const shown = tabRuns.getShownStore().getSnapshot();
    expect(shown.running).toBe(true);
    expect(shown.nodes.loop_out?.state).toBe('running');
    controller.cancel(); // the shown tab's run
    await running;
    expect(of(a).message).toBe('Cancelled');
    expect(tabRuns.getActivity().size).toBe(0);
  });

  it('Run on another tab queues behind the run going, naming its tab; each result goes to its own tab', async () => {
    const { tabs, controller, of } = setup();
    const a = tabs.open(slowMath(20_000), 'a.json');
    const first = controller.run();
    const b = tabs.open(picture(), 'b.json');
    void controller.run(undefined, 2);
    const queued = controller.getQueue();
    expect(queued.current).toMatchObject({ tab: a });
    expect(queued.waiting.map((q) => [q.id, q.tab])).toEqual([[2, b], [3, b]]);
    // B's status line says its runs wait for A's; A's says nothing of them.
    const titleOf = (id: number) => tabs.getSnapshot().tabs.find((t) => t.id === id)?.title;
    expect(waitingLine(queued, b, titleOf)).toBe('Queued: 2 runs, after the run of "math 20000"');
    expect(waitingLine(queued, a, titleOf)).toBeUndefined();
    expect(controller.hasRuns(a) && controller.hasRuns(b)).toBe(true);
    // Cancel on tab B does not stop tab A's run: only B's own.
    controller.cancel();
    expect(controller.getQueue().current?.tab).toBe(a);
    // Back on A, one more: it waits after B's two (queue order, whatever tab is shown).
    tabs.switchTo(a);
    void controller.run();
    expect(controller.getQueue().waiting.map((q) => q.tab)).toEqual([b, b, a]);
    await first;
    expect(controller.running).toBe(false);
    expect(of(a).runId).toBe(2);
    expect(of(a).message).toMatch(/^Done/);
    expect(of(a).gallery).toEqual([]);
    expect(of(b).runId).toBe(2);
    expect(of(b).gallery).toHaveLength(1); // the rerun came from the cache: no second entry
    expect(of(b).nodes.save?.state).toBe('cached');
  });

  it('closing a tab with a run asks, then stops its run and drops its queued ones; other tabs go on', async () => {
    const { tabs, controller, asked, answer, of } = setup();
    const a = tabs.open(slowMath(200_000), 'a.json');
    const first = controller.run();
    const b = tabs.open(picture(), 'b.json');
    void controller.run();
    tabs.switchTo(a);
    void controller.run();
    expect(controller.getQueue().waiting.map((q) => q.tab)).toEqual([b, a]);
    expect(await tabs.close(a, answer(false), emptyDocument, (id) => controller.hasRuns(id))).toBe(false);
    expect(asked).toEqual([{ action: 'Close "math 200000"', loses: { edits: false, run: true } }]);
    expect(controller.getQueue().current?.tab).toBe(a);
    expect(await tabs.close(a, answer(true), emptyDocument, (id) => controller.hasRuns(id))).toBe(true);
    expect(controller.getQueue().waiting.map((q) => q.tab)).toEqual([b]);
    await first;
    expect(of(b).gallery).toHaveLength(1);
    expect(of(b).message).toMatch(/^Done/);
    expect(controller.hasRuns(a) || controller.hasRuns(b)).toBe(false);
    // A clean tab without runs closes without a question.
    asked.length = 0;
    expect(await tabs.close(b, answer(false), emptyDocument, (id) => controller.hasRuns(id))).toBe(true);
    expect(asked).toEqual([]);
  });

  it('closing a tab put aside whose run is going stops it; nothing of it reaches any tab', async () => {
    const { tabs, controller, tabRuns, of } = setup();
    const a = tabs.open(slowMath(200_000), 'a.json');
    const first = controller.run();
    const b = tabs.open(picture(), 'b.json');
    await until(() => of(a).nodes.loop_out?.state === 'running');
    const closedStore = tabRuns.storeOf(a);
    expect(await tabs.close(a, async () => true, emptyDocument, (id) => controller.hasRuns(id))).toBe(true);
    await first;
    await new Promise((r) => setTimeout(r, 50)); // late events, if any
    expect(controller.running).toBe(false);
    expect(closedStore.getSnapshot()).toMatchObject({ running: false, nodes: {}, gallery: [] });
    expect(of(b)).toMatchObject({ running: false, nodes: {}, runId: 0 });
    expect(tabRuns.getActivity().size).toBe(0);
    expect(tabs.getSnapshot().tabs.map((t) => t.id)).toEqual([b]);
  });

  it('each tab has its own gallery; a closed tab frees its pictures', async () => {
    const { tabs, controller, tabRuns, of } = setup();
    const a = tabs.open(picture(), 'a.json');
    await controller.run();
    const b = tabs.open({ ...picture(), meta: { title: 'other' } }, 'b.json'); // the same picture, another tab
    expect(tabRuns.getShownStore().getSnapshot().gallery).toEqual([]);
    await controller.run();
    // The engine's cache is shared, the gallery is not: B gets the picture it never had.
    expect(of(b).nodes.save?.state).toBe('cached');
    expect(of(b).gallery).toHaveLength(1);
    expect(of(b).gallery[0]!.url).not.toBe(of(a).gallery[0]!.url);
    expect(of(a).gallery).toHaveLength(1);
    await controller.run(); // and a rerun there adds none
    expect(of(b).gallery).toHaveLength(1);
    const revoked: string[] = [];
    const revoke = URL.revokeObjectURL;
    URL.revokeObjectURL = (url: string) => void revoked.push(url);
    try {
      const url = of(a).gallery[0]!.url;
      await tabs.close(a, async () => true, emptyDocument);
      expect(revoked).toContain(url);
    } finally {
      URL.revokeObjectURL = revoke;
    }
  });

  it('activity: the step progress of the node under way; none without steps', () => {
    expect(activityOf({ running: false, nodes: { a: { state: 'done' } } })).toEqual({ running: false });
    expect(activityOf({ running: true, nodes: {} })).toEqual({ running: true });
    expect(activityOf({ running: true, nodes: { a: { state: 'done' }, b: { state: 'running' }, c: { state: 'pending' } } })).toEqual({ running: true });
    expect(activityOf({ running: true, nodes: { a: { state: 'done' }, z: { state: 'running', progress: { value: 3, max: 12 } } } }))
      .toEqual({ running: true, progress: 0.25 });
    // A download's bytes are not the run's steps.
    expect(activityOf({ running: true, nodes: { m: { state: 'running', progress: { value: 5, max: 10, unit: 'bytes' } }, n: { state: 'pending' } } }))
      .toEqual({ running: true });
  });
});
