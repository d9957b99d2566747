/**
 * Committing a drag to the document: the dropped positions as one undo step (a collapsed zone's
 * box moves its members; a card dropped into or out of a zone frame joins or leaves that zone),
 * and the viewport an auto-pan left during the drag. While the drag runs its positions live in
 * React Flow's state only (the canvas's node list); the document changes once, at the drop.
 */
import { useCallback, useRef, type MouseEvent as ReactMouseEvent, type RefObject } from 'react';
import type { Node } from '@xyflow/react';
import type { GraphDocument } from '../../graph/document.ts';
import type { EditorStore } from '../store/editorStore.ts';
import * as edits from '../store/docEdits.ts';
import type { CollapsedView } from './collapsedView.ts';
import { isRepeatNode, zoneAtPoint, ZONE_PREFIX, type FlowNode } from './flowModel.ts';

export interface DragCommitDeps {
  store: EditorStore;
  /** The canvas's current React Flow nodes (positions, sizes, drag state). */
  nodesRef: RefObject<FlowNode[]>;
  latest: RefObject<{ doc: GraphDocument; collapsed: CollapsedView; members: ReadonlyMap<string, string[]> }>;
  /** The viewport shown now (React Flow's), saved at a drop that followed an auto-pan. */
  currentViewport: () => { x: number; y: number; zoom: number };
}

export function useDragCommit({ store, nodesRef, latest, currentViewport }: DragCommitDeps) {
  // The viewport is saved when a pan ends, which also happens on every step of a drag's auto-pan
  // (a node dragged to the canvas's edge): each save is a document change that re-renders the
  // editor's panels. During a drag the last viewport waits here and is saved with the drop.
  const viewportDuringDrag = useRef<{ x: number; y: number; zoom: number } | undefined>(undefined);
  const writeViewport = useCallback(
    (viewport: { x: number; y: number; zoom: number }) => {
      const x = Math.round(viewport.x);
      const y = Math.round(viewport.y);
      // A pan's end reported after the drop already saved this viewport: no second change.
      const saved = latest.current!.doc.ui?.viewport;
      if (saved && saved.x === x && saved.y === y && saved.zoom === viewport.zoom) return;
      store.editWithoutHistory((d) => {
        d.ui = { ...(d.ui ?? {}), viewport: { x, y, zoom: viewport.zoom } };
      });
    },
    [store, latest],
  );
  const saveViewport = useCallback(
    (_: unknown, viewport: { x: number; y: number; zoom: number }) => {
      if (nodesRef.current!.some((n) => n.dragging)) viewportDuringDrag.current = viewport;
      else writeViewport(viewport);
    },
    [writeViewport, nodesRef],
  );

  const commitDrag = useCallback(
    (_: unknown, _node: Node, dragged: Node[]) => {
      // The viewport shown at the drop, not the last one a pan's end reported: the auto-pan's
      // last step may not have reported its end yet when the button comes up.
      const panned = viewportDuringDrag.current;
      viewportDuringDrag.current = undefined;
      if (panned) writeViewport(currentViewport());
      const positions: Record<string, { x: number; y: number }> = {};
      const { collapsed: view, doc: current } = latest.current!;
      for (const n of dragged) {
        const box = view.byId.get(n.id);
        if (box) {
          // A collapsed zone's box carries its members along.
          const dx = Math.round(n.position.x - box.position.x);
          const dy = Math.round(n.position.y - box.position.y);
          for (const m of current.nodes) if (box.members.includes(m.id)) positions[m.id] = { x: (m.ui?.x ?? 0) + dx, y: (m.ui?.y ?? 0) + dy };
        } else if (!n.id.startsWith(ZONE_PREFIX)) positions[n.id] = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
      }
      const ids = Object.keys(positions);
      if (ids.length === 0) return;
      const byId = new Map(nodesRef.current!.map((n) => [n.id, n as Node]));
      for (const n of dragged) byId.set(n.id, n);
      const moved = new Set(ids);
      const { members } = latest.current!;
      store.edit(`Move ${ids.length === 1 ? ids[0] : `${ids.length} nodes`}`, (d) => {
        edits.moveNodes(d, positions);
        // Dragging a node into a zone frame puts it in that zone; dragging it out takes it out.
        for (const id of ids) {
          const node = d.nodes.find((x) => x.id === id);
          if (view.hidden.has(id)) continue;
          const rf = byId.get(id);
          if (!node || !rf || isRepeatNode(node)) continue;
          const w = rf.measured?.width ?? 200;
          const h = rf.measured?.height ?? 100;
          const zone = zoneAtPoint({ x: rf.position.x + w / 2, y: rf.position.y + h / 2 }, members, byId, moved);
          if (zone !== node.zone) edits.setZone(d, [id], zone);
        }
      });
      store.seal();
    },
    [store, writeViewport, nodesRef, latest, currentViewport],
  );
  const commitSelectionDrag = useCallback((e: ReactMouseEvent, dragged: Node[]) => commitDrag(e, dragged[0], dragged), [commitDrag]);
  return { commitDrag, commitSelectionDrag, saveViewport };
}
