/**
 * Picking and dragging the boxes of the far level of detail (FarCanvas). The cards are not
 * displayed there, so a press lands on React Flow's pane: over a box it is taken here before the
 * pane sees it (React capture handlers run at the root, ahead of the pane's own listeners). A
 * click selects the box (Ctrl/⌘ toggles it), a drag moves it, or the selection it belongs to,
 * through React Flow's node changes, and commits through the canvas's own drag-stop handler;
 * a double-click zooms in on it. Presses beside the boxes pan and box-select as usual.
 */
import { useCallback, useMemo, useRef, type MouseEvent as ReactMouseEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { useStoreApi, type Edge, type Node, type NodeChange, type ReactFlowInstance } from '@xyflow/react';
import type { FlowNode } from './flowModel.ts';
import { nodeAt, nodeSize } from './farScene.ts';

/** Pointer travel (screen px) before a press on a box becomes a drag. */
const DRAG_THRESHOLD = 3;
/** The zoom a double-click on a box zooms in to (cards drawn in full). */
const ZOOM_IN = 1;

export interface FarPointer {
  /** For the element around the canvas. */
  handlers: {
    onPointerDownCapture(e: ReactPointerEvent): void;
    onMouseDownCapture(e: ReactMouseEvent): void;
    onClickCapture(e: ReactMouseEvent): void;
  };
  /** Zooms in on the box under a double-click; false when there is none (or the view is not far). */
  zoomInOnBox(e: ReactMouseEvent): boolean;
}

export function useFarPointer(options: {
  far: boolean;
  flow: Pick<ReactFlowInstance, 'screenToFlowPosition' | 'setCenter'>;
  snap: boolean;
  snapGrid: [number, number];
  onDragStop(event: MouseEvent, node: Node, nodes: Node[]): void;
}): FarPointer {
  const store = useStoreApi<FlowNode, Edge>();
  const latest = useRef(options);
  latest.current = options;
  // Set from a press on a box until its click has gone by, so the pane neither pans nor clears the selection.
  const pressed = useRef(false);

  const boxAt = useCallback((e: { clientX: number; clientY: number; target: EventTarget }) => {
    if (!latest.current.far || !(e.target instanceof Element) || !e.target.classList.contains('react-flow__pane')) return undefined;
    const p = latest.current.flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    return nodeAt(store.getState().nodeLookup.values(), p);
  }, [store]);

  const onPointerDownCapture = useCallback((e: ReactPointerEvent) => {
    pressed.current = false;
    // Shift-drag box-selects, over boxes too; other buttons pan, and so does a finger (d3-zoom pans on touchstart).
    if (e.button !== 0 || e.shiftKey || e.pointerType === 'touch') return;
    const hit = boxAt(e);
    if (!hit) return;
    e.stopPropagation();
    pressed.current = true;
    const state = store.getState();
    const toggle = e.ctrlKey || e.metaKey;
    if (toggle) state.triggerNodeChanges([{ id: hit.id, type: 'select', selected: !hit.selected }]);
    else if (!hit.selected) state.addSelectedNodes([hit.id]);
    if (toggle && hit.selected) return;
    // A selected box drags the whole selection with it.
    const dragged = hit.selected && !toggle
      ? [...state.nodeLookup.values()].filter((n) => n.selected && n.type !== 'zoneFrame' && n.draggable !== false)
      : [hit];
    const start = new Map(dragged.map((n) => [n.id, { ...n.position }]));
    const zoom = state.transform[2];
    const x0 = e.clientX;
    const y0 = e.clientY;
    let moving = false;
    const positions = (ev: PointerEvent) => {
      const { snap, snapGrid: [gx, gy] } = latest.current;
      return [...start].map(([id, p]) => {
        const x = p.x + (ev.clientX - x0) / zoom;
        const y = p.y + (ev.clientY - y0) / zoom;
        return { id, position: snap ? { x: Math.round(x / gx) * gx, y: Math.round(y / gy) * gy } : { x, y } };
      });
    };
    const move = (ev: PointerEvent) => {
      if (!moving && Math.hypot(ev.clientX - x0, ev.clientY - y0) < DRAG_THRESHOLD) return;
      moving = true;
      const changes: NodeChange<FlowNode>[] = positions(ev).map(({ id, position }) => ({ id, type: 'position', position, dragging: true }));
      store.getState().triggerNodeChanges(changes);
    };
    const up = (ev: PointerEvent) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      window.removeEventListener('pointercancel', up);
      if (!moving) return;
      const moved = positions(ev);
      store.getState().triggerNodeChanges(moved.map(({ id, position }) => ({ id, type: 'position', position, dragging: false })));
      const lookup = store.getState().nodeLookup;
      const nodes = moved.map(({ id, position }) => {
        const n = lookup.get(id)!;
        return { ...n.internals.userNode, position, measured: nodeSize(n) } as Node;
      });
      latest.current.onDragStop(ev, nodes.find((n) => n.id === hit.id) ?? nodes[0], nodes);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    window.addEventListener('pointercancel', up);
  }, [boxAt, store]);

  // d3-zoom pans on mousedown, which follows the pointerdown taken above.
  const onMouseDownCapture = useCallback((e: ReactMouseEvent) => {
    if (pressed.current) e.stopPropagation();
  }, []);

  const onClickCapture = useCallback((e: ReactMouseEvent) => {
    if (!pressed.current) return;
    pressed.current = false;
    e.stopPropagation();
  }, []);

  const zoomInOnBox = useCallback((e: ReactMouseEvent) => {
    const hit = boxAt(e);
    if (!hit) return false;
    const { width, height } = nodeSize(hit);
    void latest.current.flow.setCenter(hit.internals.positionAbsolute.x + width / 2, hit.internals.positionAbsolute.y + height / 2, { zoom: ZOOM_IN, duration: 200 });
    return true;
  }, [boxAt]);

  return useMemo(() => ({ handlers: { onPointerDownCapture, onMouseDownCapture, onClickCapture }, zoomInOnBox }), [onPointerDownCapture, onMouseDownCapture, onClickCapture, zoomInOnBox]);
}
