/**
 * Workflow tabs (pure state, the real editor store, run stores and in-process engine): opening
 * in a new tab, switching, closing (a dirty tab asks), undo history per tab, and run state that
 * stays with the tab that ran (runs going on in the background: backgroundRuns.test.ts).
 */
import { DocumentTabs, FIRST_TAB, isUntouched } from '../../src/ui/tabs/documentTabs.ts';
import { runHandoff } from '../../src/ui/tabs/runHandoff.ts';
import { RunController } from '../../src/ui/run/runController.ts';
import { RunStore } from '../../src/ui/run/runStore.ts';
import { TabRuns } from '../../src/ui/tabs/tabRuns.ts';
import { createEditorStore } from '../../src/ui/store/editorStore.ts';
import { setParam } from '../../src/ui/store/docEdits.ts';
import { emptyDocument } from '../../src/ui/files.ts';
import { inProcessEngine, leafOf, mathDemo } from './inProcessEngine.ts';

function setup() {
  const store = createEditorStore(emptyDocument());
  const tabRuns = new TabRuns(() => new RunStore(), FIRST_TAB);
  const controller = new RunController(inProcessEngine(), store, tabRuns, () => 'wasm', (d) => (d.nodes.length ? [leafOf(d)] : []));
  let issues = 'none';
  const tabs = new DocumentTabs(store, runHandoff(controller, tabRuns, { save: () => issues, restore: (s) => void (issues = s ?? 'none') }));
  const asked: string[] = [];
  const answer = (discard: boolean) => async (action: string) => (asked.push(action), discard);
  /** The shown tab's run store, as the canvas reads it. */
  const runs = { getSnapshot: () => tabRuns.getShownStore().getSnapshot() };
  return { store, runs, controller, tabs, asked, answer, issues: () => issues, setIssues: (s: string) => void (issues = s) };
}

const bias = (doc: ReturnType<typeof mathDemo>) => doc.nodes.find((n) => n.id === leafOf(doc))!.params.bias;

describe('document tabs', () => {
  it('a fresh New is replaced by what opens; anything else opens a new tab, shown at once', () => {
    const { store, tabs } = setup();
    expect(isUntouched(store.getSnapshot())).toBe(true);
    const first = tabs.open(mathDemo(), 'math-demo.json');
    expect(tabs.getSnapshot().tabs).toHaveLength(1);
    expect(tabs.getSnapshot().activeId).toBe(first);
    const second = tabs.open(emptyDocument());
    expect(second).not.toBe(first);
    expect(tabs.getSnapshot().tabs.map((t) => t.title)).toEqual(['Math demo: doubling in a repeat zone', 'Untitled']);
    expect(store.getSnapshot().doc.nodes).toHaveLength(0);
    // Opening from the untouched New replaces it.
    tabs.open(mathDemo(), 'again.json');
    expect(tabs.getSnapshot().tabs.map((t) => t.fileName)).toEqual(['math-demo.json', 'again.json']);
    tabs.switchTo(first);
    expect(store.getSnapshot().fileName).toBe('math-demo.json');
  });

  it('each tab has its own undo history, dirty flag and document; undo acts on the shown tab only', () => {
    const { store, tabs } = setup();
    const doc = mathDemo();
    const leaf = leafOf(doc);
    const first = tabs.open(doc, 'one.json');
    store.edit('bias 11', (d) => setParam(d, leaf, 'bias', 11));
    const second = tabs.open(doc, 'two.json');
    expect(store.getSnapshot().canUndo).toBe(false);
    expect(store.getSnapshot().dirty).toBe(false);
    store.edit('bias 22', (d) => setParam(d, leaf, 'bias', 22));
    expect(tabs.getSnapshot().tabs.map((t) => t.dirty)).toEqual([true, true]);
    expect(store.undo()).toBe(true);
    expect(bias(store.getSnapshot().doc)).toBe(bias(doc));
    expect(store.undo()).toBe(false); // tab 1's edit is not in this tab's history

    const loadId = store.getSnapshot().loadId;
    tabs.switchTo(first);
    expect(store.getSnapshot().loadId).toBeGreaterThan(loadId); // the view re-fits
    expect(bias(store.getSnapshot().doc)).toBe(11);
    expect(store.getSnapshot().undoLabel).toBe('bias 11');
    expect(store.undo()).toBe(true);
    expect(bias(store.getSnapshot().doc)).toBe(bias(doc));

    tabs.switchTo(second);
    expect(store.getSnapshot().canUndo).toBe(false);
    expect(store.getSnapshot().canRedo).toBe(true);
    expect(store.redo()).toBe(true);
    expect(bias(store.getSnapshot().doc)).toBe(22);
    expect(() => tabs.switchTo(99)).toThrow(/No document tab 99/);
  });

  it('closing a tab with unsaved edits asks; Cancel keeps it, Discard closes it; the last tab leaves a New', async () => {
    const { store, tabs, asked, answer } = setup();
    const doc = mathDemo();
    const first = tabs.open(doc, 'one.json');
    const second = tabs.open(doc, 'two.json');
    store.edit('bias 5', (d) => setParam(d, leafOf(doc), 'bias', 5));
    tabs.switchTo(first);
    // A clean tab closes without a question.
    expect(await tabs.close(first, answer(false), emptyDocument)).toBe(true);
    expect(asked).toEqual([]);
    expect(tabs.getSnapshot().activeId).toBe(second);
    expect(bias(store.getSnapshot().doc)).toBe(5);
    expect(await tabs.close(second, answer(false), emptyDocument)).toBe(false);
    expect(asked).toEqual(['Close "Math demo: doubling in a repeat zone"']);
    expect(bias(store.getSnapshot().doc)).toBe(5);
    expect(await tabs.close(second, answer(true), emptyDocument)).toBe(true);
    const left = tabs.getSnapshot().tabs;
    expect(left).toHaveLength(1);
    expect(left[0]!.id).not.toBe(second);
    expect(isUntouched(store.getSnapshot())).toBe(true);
  });

  it('the shown tab edited just now asks when closed, with nobody listening to the tabs', async () => {
    const { store, tabs, asked, answer } = setup();
    const doc = mathDemo();
    const only = tabs.open(doc, 'one.json');
    store.edit('bias 9', (d) => setParam(d, leafOf(doc), 'bias', 9));
    expect(await tabs.close(only, answer(false), emptyDocument)).toBe(false);
    expect(asked).toHaveLength(1);
  });

  it('a dirty tab that is not shown asks too, and closing it leaves the shown one alone', async () => {
    const { store, tabs, asked, answer } = setup();
    const doc = mathDemo();
    const first = tabs.open(doc, 'one.json');
    store.edit('bias 3', (d) => setParam(d, leafOf(doc), 'bias', 3));
    const second = tabs.open(emptyDocument());
    tabs.open(doc, 'three.json'); // replaces the untouched New
    expect(tabs.getSnapshot().tabs.map((t) => t.id)).toEqual([first, second]);
    expect(await tabs.close(first, answer(true), emptyDocument)).toBe(true);
    expect(asked).toHaveLength(1);
    expect(tabs.getSnapshot().tabs.map((t) => t.id)).toEqual([second]);
    expect(store.getSnapshot().fileName).toBe('three.json');
  });

  it('a finished run stays with its tab: another tab shows none of it, and it is back on return', async () => {
    const { store, runs, controller, tabs, issues, setIssues } = setup();
    const doc = mathDemo();
    const first = tabs.open(doc, 'one.json');
    setIssues('one.json issues');
    await controller.run();
    expect(runs.getSnapshot().nodes[leafOf(doc)]?.state).toBe('done');
    const message = runs.getSnapshot().message;
    expect(message).toMatch(/^Done/);

    tabs.open(doc, 'two.json');
    expect(runs.getSnapshot().nodes).toEqual({});
    expect(runs.getSnapshot().message).toBeUndefined();
    expect(runs.getSnapshot().lastRun).toBeUndefined();
    expect(issues()).toBe('none');

    tabs.switchTo(first);
    expect(runs.getSnapshot().nodes[leafOf(doc)]?.state).toBe('done');
    expect(runs.getSnapshot().message).toBe(message);
    expect(issues()).toBe('one.json issues');
    expect(store.getSnapshot().fileName).toBe('one.json');
  });

  it('tab titles and dirty markers follow the shown document while someone listens', () => {
    const { store, tabs } = setup();
    const doc = mathDemo();
    tabs.open(doc, 'one.json');
    let calls = 0;
    const stop = tabs.subscribe(() => void calls++);
    store.editWithoutHistory((d) => void (d.ui = { viewport: { x: 5, y: 5, zoom: 1 } }));
    expect(calls).toBe(0); // a pan changes nothing a tab shows
    store.edit('title', (d) => void (d.meta.title = 'Renamed'));
    expect(calls).toBe(1);
    expect(tabs.getSnapshot().tabs[0]).toMatchObject({ title: 'Renamed', dirty: true });
    stop();
  });
});
