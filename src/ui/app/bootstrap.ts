/**
 * Start-up: the document comes from the autosave (a reload or a crashed tab restores it), else
 * from the default example. Runs before the first render of the canvas.
 */
import type { GraphIssue } from '../../graph/document.ts';
import type { NodeCatalog } from '../catalog.ts';
import { DEFAULT_EXAMPLE, emptyDocument, exampleGraphs, openGraphText, type OpenResult } from '../files.ts';
import type { EditorStore } from '../store/editorStore.ts';
import { readAutosave, type KeyValueStore } from '../store/autosave.ts';

export interface BootResult {
  source: 'autosave' | 'example' | 'empty';
  issues: GraphIssue[];
  issueSource?: string;
}

export async function loadInitialDocument(store: EditorStore, catalog: NodeCatalog, kv: KeyValueStore | undefined): Promise<BootResult> {
  const params = new URLSearchParams(location.search);
  const fresh = params.has('fresh'); // ?fresh ignores the autosave (tests, "reset")
  if (kv && !fresh) {
    try {
      const saved = await readAutosave(kv);
      if (saved) {
        const opened = openGraphText(saved.json, 'autosave', catalog);
        if (opened.doc) {
          store.load(opened.doc, saved.fileName);
          return { source: 'autosave', issues: opened.loaderIssues, issueSource: 'autosave' };
        }
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
      return { source: 'example', issues: opened.loaderIssues, issueSource: opened.source };
    }
    store.load(emptyDocument());
    return { source: 'empty', issues: opened.loaderIssues, issueSource: opened.source };
  }
  store.load(emptyDocument());
  return { source: 'empty', issues: [] };
}
