/**
 * The canvas's view commands: collapse or expand a zone in place, "show the whole pipeline"
 * (expand every zone, then fit), and opening a subgraph on double-click.
 */
import { useCallback, useMemo, type MouseEvent as ReactMouseEvent, type RefObject } from 'react';
import type { Node, ReactFlowInstance, Edge } from '@xyflow/react';
import type { GraphDocument, GraphNode } from '../../graph/document.ts';
import { isSubgraphNode } from '../../graph/subgraphs.ts';
import { setZoneCollapsed } from '../../graph/zoneCollapse.ts';
import { unpackSubgraph } from '../../graph/subgraphEdits.ts';
import type { EditorStore } from '../store/editorStore.ts';
import type { CollapsedView } from './collapsedView.ts';
import { fitWholeGraph } from './FitViewButton.tsx';
import type { ViewActions } from './viewActions.ts';

export interface CanvasViewDeps {
  store: EditorStore;
  flow: ReactFlowInstance<Node, Edge>;
  canvasRef: RefObject<HTMLDivElement | null>;
  latest: RefObject<{ doc: GraphDocument; collapsed: CollapsedView; allMembers: ReadonlyMap<string, string[]> }>;
  onOpenSubgraph?(nodeId: string): void;
  onToast?(message: string, kind?: 'error' | 'info'): void;
}

export function useCanvasViewActions({ store, flow, canvasRef, latest, onOpenSubgraph, onToast }: CanvasViewDeps) {
  const viewActions = useMemo<ViewActions>(() => ({
    openSubgraph: (id) => onOpenSubgraph?.(id),
    setZoneCollapsed: (zone, collapse) => {
      const ids = latest.current!.allMembers.get(zone);
      if (!ids) return;
      store.edit(`${collapse ? 'Collapse' : 'Expand'} zone ${zone}`, (d) => setZoneCollapsed(d, zone, ids, collapse));
    },
  }), [store, onOpenSubgraph]);
  // One undo step: every zone expanded, every subgraph unpacked with room made for it.
  const showWholePipeline = useCallback(() => {
    const { collapsed: view, allMembers: zones, doc } = latest.current!;
    const subgraphs = doc.nodes.filter(isSubgraphNode);
    if (view.boxes.length > 0 || subgraphs.length > 0) {
      store.edit('Show the whole pipeline', (d) => {
        // Right to left, so that each shift moves only what lies beyond the thing opened.
        for (const box of [...view.boxes].sort((a, b) => b.position.x - a.position.x)) setZoneCollapsed(d, box.zone, zones.get(box.zone)!, false);
        const right = d.nodes.filter((n) => isSubgraphNode(n as GraphNode)).sort((a, b) => (b.ui?.x ?? 0) - (a.ui?.x ?? 0)).map((n) => n.id);
        for (const id of right) unpackSubgraph(d, id, { makeRoom: true });
      });
      onToast?.(`Showing the whole pipeline${subgraphs.length ? ` (${subgraphs.length} subgraph(s) unpacked)` : ''}: Ctrl+Z folds it back`, 'info');
    }
    setTimeout(() => fitWholeGraph(flow, canvasRef.current, { duration: 200 }), 80);
  }, [store, flow, onToast]);
  // Double-click opens: a subgraph into its own view, a collapsed zone in place.
  const onNodeDoubleClick = useCallback((e: ReactMouseEvent, n: Node) => {
    if ((e.target as HTMLElement).closest('input, textarea, select, button, img')) return;
    const box = latest.current!.collapsed.byId.get(n.id);
    if (box) return viewActions.setZoneCollapsed(box.zone, false);
    const node = latest.current!.doc.nodes.find((x) => x.id === n.id);
    if (node && isSubgraphNode(node)) onOpenSubgraph?.(n.id);
  }, [onOpenSubgraph, viewActions]);
  return { viewActions, showWholePipeline, onNodeDoubleClick };
}
