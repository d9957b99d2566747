/**
 * Start-up: the document comes from the autosave (a reload or a crashed tab restores it), else
 * from the default example. Runs before the first render of the canvas. A restore that did not
 * finish last time is not repeated (restoreGuard.ts): the example opens, and `held` says why.
 */
import type { GraphIssue } from '../../graph/document.ts';
import type { NodeCatalog } from '../catalog.ts';
import { DEFAULT_EXAMPLE, emptyDocument, exampleGraphs, openGraphText, type OpenResult } from '../files.ts';
import type { EditorStore } from '../store/editorStore.ts';
import type { AutosaveRecord, KeyValueStore } from '../store/autosave.ts';
import { planRestore, restoreFinished } from '../store/restoreGuard.ts';

export interface BootResult {
  source: 'autosave' | 'example' | 'empty';
  issues: GraphIssue[];
  issueSource?: string;
  /** The autosave held back: restoring it did not finish at the last start-up. */
  held?: { record: AutosaveRecord; startedAt: number };
}

export async function loadInitialDocument(store: EditorStore, catalog: NodeCatalog, kv: KeyValueStore | undefined): Promise<BootResult> {
  const params = new URLSearchParams(location.search);
  const fresh = params.has('fresh'); // ?fresh ignores the autosave (tests, "reset")
  let held: BootResult['held'];
  if (kv && !fresh) {
    try {
      const plan = await planRestore(kv);
      if (plan.kind === 'held') held = { record: plan.record, startedAt: plan.startedAt };
      if (plan.kind === 'restore') {
        const opened = openGraphText(plan.record.json, 'autosave', catalog);
        if (opened.doc) {
          // The autosave holds work that may never have been saved: switching away asks first.
          store.load(opened.doc, plan.record.fileName, { dirty: true });
          return { source: 'autosave', issues: opened.loaderIssues, issueSource: 'autosave' };
        }
        await restoreFinished(kv); // unreadable: nothing was restored, so nothing to guard
      }
    } catch {
      // An unreadable autosave must not stop the editor from starting; fall through to the example.
    }
  }
  const wanted = params.get('example') ?? DEFAULT_EXAMPLE;
  const example = exampleGraphs().find((e) => e.name === wanted) ?? exampleGraphs()[0];
  if (example) {
    const opened: OpenResult = openGraphText(example.text, `${example.name}.json`, catalog);
    if (opened.doc) {
      store.load(opened.doc, `${example.name}.json`);
      return { source: 'example', issues: opened.loaderIssues, issueSource: opened.source, held };
    }
    store.load(emptyDocument());
    return { source: 'empty', issues: opened.loaderIssues, issueSource: opened.source, held };
  }
  store.load(emptyDocument());
  return { source: 'empty', issues: [], held };
}
