/**
 * Seeds marked "randomise after run" (ComfyUI's control_after_generate): the document lists them
 * under `ui.extra`, and each queued copy after the first, and the document itself, gets fresh ones.
 */
import { produce } from 'immer';
import type { GraphDocument } from '../../graph/document.ts';
import type { EditorStore } from '../store/editorStore.ts';
import * as edits from '../store/docEdits.ts';
import { randomSeed } from '../widgets/numeric.ts';

export const RANDOMIZED_SEEDS_KEY = 'randomizeSeeds';

export function randomizedSeedsOf(ui: { extra?: Record<string, unknown> } | undefined): string[] {
  const list = ui?.extra?.[RANDOMIZED_SEEDS_KEY];
  return Array.isArray(list) ? list.filter((k): k is string => typeof k === 'string') : [];
}

/** Seeds marked "randomise after run" whose node and param still exist. */
export function liveRandomizedSeeds(doc: GraphDocument): string[] {
  return randomizedSeedsOf(doc.ui).filter((k) => {
    const [id, name] = splitKey(k);
    return doc.nodes.some((n) => n.id === id && name in n.params);
  });
}

export function withFreshSeeds(doc: GraphDocument, keys: readonly string[]): GraphDocument {
  return produce(doc, (d) => {
    for (const key of keys) {
      const [id, name] = splitKey(key);
      edits.setParam(d, id, name, randomSeed());
    }
  });
}

/** One undoable edit that gives the document's marked seeds fresh values (clean: a run is not an edit). */
export function rerollSeeds(store: EditorStore, keys: readonly string[]): void {
  store.edit('Randomise seeds after run', (d) => {
    for (const key of keys) {
      const [id, name] = splitKey(key);
      edits.setParam(d, id, name, randomSeed());
    }
  }, { keepsClean: true });
}

function splitKey(key: string): [string, string] {
  const dot = key.lastIndexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}
