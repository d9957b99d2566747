/**
 * The view of a newly loaded document (or of a subgraph opened in the canvas): its saved
 * viewport when that shows the whole graph, otherwise fitted once its nodes are on the canvas.
 */
import { useEffect, type RefObject } from 'react';
import type { Edge, Node, ReactFlowInstance } from '@xyflow/react';
import type { EditorStore } from '../store/editorStore.ts';
import { fitWholeGraph } from './FitViewButton.tsx';

/** Whether the graph's bounds, seen through `viewport`, fit inside the canvas element. */
function graphVisibleAt(
  viewport: { x: number; y: number; zoom: number },
  bounds: { x: number; y: number; width: number; height: number },
  canvas: HTMLElement | null,
): boolean {
  if (!canvas || !(bounds.width > 0)) return true;
  const { width, height } = canvas.getBoundingClientRect();
  const left = bounds.x * viewport.zoom + viewport.x;
  const top = bounds.y * viewport.zoom + viewport.y;
  return left >= 0 && top >= 0 && left + bounds.width * viewport.zoom <= width && top + bounds.height * viewport.zoom <= height;
}

export function useViewOnLoad(loadId: number, flow: ReactFlowInstance<Node, Edge>, store: EditorStore, canvasRef: RefObject<HTMLDivElement | null>): void {
  useEffect(() => {
    const viewport = store.getSnapshot().doc.ui?.viewport;
    let tries = 0;
    let t: ReturnType<typeof setTimeout>;
    const settle = () => {
      // A canvas just mounted gets its nodes a frame or two later.
      if (flow.getNodes().length === 0 && store.getSnapshot().doc.nodes.length > 0 && ++tries < 20) {
        t = setTimeout(settle, 50);
        return;
      }
      // The saved view is kept when it shows the whole graph; otherwise (or without one) fit.
      if (viewport && graphVisibleAt(viewport, flow.getNodesBounds(flow.getNodes()), canvasRef.current)) void flow.setViewport(viewport);
      else fitWholeGraph(flow, canvasRef.current, { padding: 0.08, maxZoom: 1 });
    };
    t = setTimeout(settle, 60);
    return () => clearTimeout(t);
  }, [loadId, flow, store]);
}
