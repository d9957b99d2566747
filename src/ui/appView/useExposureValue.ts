/** The ☆ toggles' state for the node cards: the document's exposed params, and the edit that toggles one. */
import { useMemo } from 'react';
import type { GraphDocument } from '../../graph/document.ts';
import type { EditorStore } from '../store/editorStore.ts';
import type { Exposure } from '../canvas/exposure.ts';
import { exposedKeys, setExposed } from './exposure.ts';

/** `enabled` false (a subgraph open on the canvas: app params name top-level nodes) hides the toggles. */
export function useExposureValue(store: EditorStore, doc: GraphDocument, enabled: boolean): Exposure | null {
  const app = doc.app;
  return useMemo(() => (enabled ? {
    exposed: exposedKeys({ app }),
    toggle(node: string, param: string, on: boolean) {
      store.edit(`${on ? 'Show' : 'Hide'} ${node}.${param} in the app form`, (d) => setExposed(d, node, param, on));
    },
  } : null), [store, app, enabled]);
}
