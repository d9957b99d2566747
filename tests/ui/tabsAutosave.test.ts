/**
 * The open tabs survive a reload (real IndexedDB API via fake-indexeddb): the documents of the
 * tabs not shown are written under their own key and come back, in order, around the shown one.
 */
import { IDBFactory } from 'fake-indexeddb';
import { openIndexedDbStore } from '../../src/ui/store/autosave.ts';
import { createEditorStore } from '../../src/ui/store/editorStore.ts';
import { setParam } from '../../src/ui/store/docEdits.ts';
import { emptyDocument } from '../../src/ui/files.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { DocumentTabs, type TabHandoff } from '../../src/ui/tabs/documentTabs.ts';
import { TABS_KEY, restoreTabs, startTabsAutosave, type TabsRecord } from '../../src/ui/tabs/tabsAutosave.ts';
import { leafOf, mathDemo } from './inProcessEngine.ts';

/** No per-tab state beside the document: these tests are about the documents only. */
const nothingAside: TabHandoff<undefined> = { leave: () => undefined, enter: () => {}, drop: () => {} };

const openJson = (json: string) => {
  const loaded = loadGraph(json);
  return loaded.ok ? loaded.graph : undefined;
};

describe('tabs autosave', () => {
  it('writes the tabs not shown and puts them back around the shown one after a reload', async () => {
    const kv = await openIndexedDbStore(new IDBFactory());
    const store = createEditorStore(emptyDocument());
    const tabs = new DocumentTabs(store, nothingAside);
    const doc = mathDemo();
    const leaf = leafOf(doc);
    tabs.open(doc, 'one.json');
    store.edit('bias 7', (d) => setParam(d, leaf, 'bias', 7));
    const second = tabs.open({ ...doc, meta: { ...doc.meta, title: 'Second' } }, 'two.json');
    tabs.open({ ...doc, meta: { ...doc.meta, title: 'Third' } }, 'three.json');
    tabs.switchTo(second);
    const autosave = startTabsAutosave(tabs, kv, { delayMs: 10 });
    await autosave.flush();
    const record = (await kv.get(TABS_KEY)) as TabsRecord;
    expect(record.tabs.map((t) => t && t.fileName)).toEqual(['one.json', null, 'three.json']);
    expect(record.tabs[0]!.dirty).toBe(true);
    expect(record.tabs[2]!.dirty).toBe(false);
    autosave.stop();

    // A reload: the shown document comes back through the autosave proper, the others here.
    const reloaded = createEditorStore(emptyDocument());
    const again = new DocumentTabs(reloaded, nothingAside);
    again.open(store.getSnapshot().doc, 'two.json', { dirty: true });
    expect(await restoreTabs(again, kv, openJson)).toBe(2);
    const shown = again.getSnapshot();
    expect(shown.tabs.map((t) => t.title)).toEqual(['Math demo: doubling in a repeat zone', 'Second', 'Third']);
    expect(shown.tabs.map((t) => t.dirty)).toEqual([true, true, false]);
    expect(shown.activeId).toBe(shown.tabs[1]!.id);
    again.switchTo(shown.tabs[0]!.id);
    const first = reloaded.getSnapshot();
    expect(first.doc.nodes.find((n) => n.id === leaf)!.params.bias).toBe(7);
    expect(first.fileName).toBe('one.json');
    expect(first.canUndo).toBe(false); // undo steps are not saved
  });

  it('an unreadable tab is left out; no record restores nothing', async () => {
    const kv = await openIndexedDbStore(new IDBFactory());
    const store = createEditorStore(emptyDocument());
    const tabs = new DocumentTabs(store, nothingAside);
    tabs.open(mathDemo(), 'shown.json');
    expect(await restoreTabs(tabs, kv, openJson)).toBe(0);
    await kv.set(TABS_KEY, { tabs: [{ json: '{"not a graph": true}', dirty: true }, null, { json: JSON.stringify(mathDemo()), fileName: 'ok.json', dirty: false }] });
    expect(await restoreTabs(tabs, kv, openJson)).toBe(1);
    expect(tabs.getSnapshot().tabs.map((t) => t.fileName)).toEqual(['shown.json', 'ok.json']);
  });
});
