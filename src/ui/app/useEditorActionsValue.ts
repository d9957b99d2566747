/** The callbacks node cards use (EditorActions): edits go to the subgraph open on the canvas. */
import { useMemo } from 'react';
import type { GraphDocument } from '../../graph/document.ts';
import { REPEAT_INPUT_TYPE, REPEAT_OUTPUT_TYPE } from '../../graph/zones.ts';
import type { EditorActions } from '../canvas/actions.ts';
import * as edits from '../store/docEdits.ts';
import type { EditorStore } from '../store/editorStore.ts';
import type { GalleryItem, RunStore } from '../run/runStore.ts';
import { RANDOMIZED_SEEDS_KEY, randomizedSeedsOf, type RunController } from '../run/runController.ts';
import type { SubgraphView } from './useSubgraphView.ts';

export function useEditorActionsValue(store: EditorStore, view: SubgraphView, controller: RunController, runs: RunStore, setViewer: (item: GalleryItem) => void): EditorActions {
  return useMemo<EditorActions>(() => ({
    setParam(nodeId, name, value, final) {
      const store = view.store;
      store.edit(`Set ${nodeId}.${name}`, (d) => {
        edits.setParam(d, nodeId, name, value);
        // Both ends of a repeat zone carry the same state list; keep them in step.
        const node = d.nodes.find((n) => n.id === nodeId);
        if (node && name === 'state' && (node.type === REPEAT_INPUT_TYPE || node.type === REPEAT_OUTPUT_TYPE) && node.zone) {
          for (const other of d.nodes) {
            if (other !== node && other.zone === node.zone && (other.type === REPEAT_INPUT_TYPE || other.type === REPEAT_OUTPUT_TYPE)) {
              other.params.state = structuredClone(value) as never;
            }
          }
        }
      }, { group: `param:${nodeId}:${name}` });
      if (final) store.seal();
    },
    toggleCollapsed(nodeId) {
      const store = view.store;
      const collapsed = !store.getSnapshot().doc.nodes.find((n) => n.id === nodeId)?.ui?.collapsed;
      store.edit(collapsed ? `Collapse ${nodeId}` : `Expand ${nodeId}`, (d) => edits.setCollapsed(d, nodeId, collapsed));
    },
    setParamAsInput(nodeId, name, asInput) {
      view.store.edit(`${asInput ? 'Input from' : 'Widget for'} ${nodeId}.${name}`, (d) => edits.setParamAsInput(d, nodeId, name, asInput));
    },
    setSeedRandomize(key, on) {
      store.edit(`${on ? 'Randomise' : 'Fix'} seed ${key}`, (d) => {
        d.ui ??= {};
        d.ui.extra ??= {};
        const list = new Set(randomizedSeedsOf(d.ui as GraphDocument['ui']));
        if (on) list.add(key);
        else list.delete(key);
        d.ui.extra[RANDOMIZED_SEEDS_KEY] = [...list];
      });
    },
    runNode: (nodeId) => void controller.run([view.flatId(nodeId)]),
    openImage: (url) => {
      const item = runs.getSnapshot().gallery.find((g) => g.url === url);
      if (item) setViewer(item);
    },
  }), [store, view.store, view.flatId, controller, runs, setViewer]);
}
