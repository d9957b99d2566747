/** The "Tidy up" command: lays the graph out anew (one undoable edit), then fits the view to it. */
import { useCallback } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { NodeCatalog } from '../catalog.ts';
import type { EditorStore } from '../store/editorStore.ts';
import * as edits from '../store/docEdits.ts';
import { tidyPositions } from '../layout/tidy.ts';
import { fitWholeGraph } from '../canvas/FitViewButton.tsx';

export function useTidyUp(store: EditorStore, catalog: NodeCatalog | undefined): () => void {
  const flow = useReactFlow();
  return useCallback(() => {
    if (!catalog) return;
    const doc = store.getSnapshot().doc;
    if (doc.nodes.length === 0) return;
    const at = tidyPositions(doc, catalog);
    store.edit('Tidy up', (d) => edits.moveNodes(d, at));
    // The canvas takes the new positions on its next render; fit once it has them.
    setTimeout(() => fitWholeGraph(flow, document.querySelector<HTMLElement>('.ll-canvas'), { padding: 0.08, maxZoom: 1, duration: 200 }), 60);
  }, [store, catalog, flow]);
}
