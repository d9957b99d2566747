/**
 * The ☆ toggles' state for the node cards: the document's exposed params, and the edit that
 * toggles one. Inside a subgraph open on the canvas the cards name their nodes by local id; the
 * list names them by flat id (`<subgraph>/<inner>`), so keys are mapped by the view's prefix.
 */
import { useMemo } from 'react';
import type { GraphDocument } from '../../graph/document.ts';
import type { EditorStore } from '../store/editorStore.ts';
import type { Exposure } from '../canvas/exposure.ts';
import { exposedKeys, setExposed } from './exposure.ts';

/** `prefix`: '' at the top level, `<subgraph>/` (one segment per level) while a subgraph is open. */
export function useExposureValue(store: EditorStore, doc: GraphDocument, prefix: string): Exposure {
  const app = doc.app;
  return useMemo(() => {
    const exposed = new Set<string>();
    for (const key of exposedKeys({ app })) if (key.startsWith(prefix)) exposed.add(key.slice(prefix.length));
    return {
      exposed,
      toggle(node: string, param: string, on: boolean) {
        store.edit(`${on ? 'Show' : 'Hide'} ${prefix}${node}.${param} in the app form`, (d) => setExposed(d, prefix + node, param, on));
      },
    };
  }, [store, app, prefix]);
}
