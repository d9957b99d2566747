/**
 * The canvas's view commands: collapse or expand a zone in place, "show the whole pipeline"
 * (expand every zone, then fit), and opening a subgraph on double-click.
 */
import { useCallback, useMemo, type MouseEvent as ReactMouseEvent, type RefObject } from 'react';
import type { Node, ReactFlowInstance, Edge } from '@xyflow/react';
import type { GraphDocument } from '../../graph/document.ts';
import { isSubgraphNode } from '../../graph/subgraphs.ts';
import { setZoneCollapsed } from '../../graph/zoneCollapse.ts';
import type { EditorStore } from '../store/editorStore.ts';
import type { CollapsedView } from './collapsedView.ts';
import { fitWholeGraph } from './FitViewButton.tsx';
import type { FlowNode } from './flowModel.ts';
import type { ViewActions } from './viewActions.ts';

export interface CanvasViewDeps {
  store: EditorStore;
  flow: ReactFlowInstance<Node, Edge>;
  canvasRef: RefObject<HTMLDivElement | null>;
  latest: RefObject<{ doc: GraphDocument; collapsed: CollapsedView; allMembers: ReadonlyMap<string, string[]> }>;
  onOpenSubgraph?(nodeId: string): void;
}

export function useCanvasViewActions({ store, flow, canvasRef, latest, onOpenSubgraph }: CanvasViewDeps) {
  const viewActions = useMemo<ViewActions>(() => ({
    openSubgraph: (id) => onOpenSubgraph?.(id),
    setZoneCollapsed: (zone, collapse) => {
      const ids = latest.current!.allMembers.get(zone);
      if (!ids) return;
      store.edit(`${collapse ? 'Collapse' : 'Expand'} zone ${zone}`, (d) => setZoneCollapsed(d, zone, ids, collapse));
    },
  }), [store, onOpenSubgraph]);
  const showWholePipeline = useCallback(() => {
    const { collapsed: view, allMembers: zones } = latest.current!;
    if (view.boxes.length > 0) {
      store.edit('Expand all zones', (d) => {
        // Right to left, so that each zone's shift moves only what lies beyond it.
        for (const box of [...view.boxes].sort((a, b) => b.position.x - a.position.x)) setZoneCollapsed(d, box.zone, zones.get(box.zone)!, false);
      });
    }
    setTimeout(() => fitWholeGraph(flow, canvasRef.current, { duration: 200 }), 80);
  }, [store, flow]);
  const onNodeDoubleClick = useCallback((e: ReactMouseEvent, n: Node) => {
    const node = latest.current!.doc.nodes.find((x) => x.id === n.id);
    if (node && isSubgraphNode(node) && !(e.target as HTMLElement).closest('input, textarea, select, button')) onOpenSubgraph?.(n.id);
  }, [onOpenSubgraph]);
  return { viewActions, showWholePipeline, onNodeDoubleClick };
}
