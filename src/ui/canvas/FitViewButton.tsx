/**
 * Fitting the view to the whole graph, by the cards' measured or estimated sizes. React Flow's
 * own fitView counts only measured nodes and, while any node is unmeasured, waits for the next
 * measurement; cards off screen are never mounted (flowModel's estimatedLayout), so it would
 * leave most of a large graph out, or fit much later, unasked.
 */
import { ControlButton, getViewportForBounds, type ReactFlowInstance, type Node, type Edge } from '@xyflow/react';

export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 2.5;

export function fitWholeGraph<N extends Node>(
  flow: ReactFlowInstance<N, Edge>,
  canvas: HTMLElement | null,
  options: { padding?: number; maxZoom?: number; duration?: number } = {},
): void {
  const nodes = flow.getNodes();
  if (nodes.length === 0 || !canvas) return;
  const { width, height } = canvas.getBoundingClientRect();
  if (!(width > 0 && height > 0)) return;
  const bounds = flow.getNodesBounds(nodes);
  const viewport = getViewportForBounds(bounds, width, height, MIN_ZOOM, options.maxZoom ?? MAX_ZOOM, options.padding ?? 0.1);
  void flow.setViewport(viewport, options.duration ? { duration: options.duration } : undefined);
}

/** The Controls panel's "fit view" button, fitting with `fitWholeGraph`. */
export function FitViewButton({ onFit }: { onFit(): void }) {
  return (
    <ControlButton className="react-flow__controls-fitview" onClick={onFit} title="Fit view" aria-label="Fit view">
      <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 30">
        <path d="M3.692 4.63c0-.53.4-.938.939-.938h5.215V0H4.708C2.13 0 0 2.054 0 4.63v5.216h3.692V4.631zM27.354 0h-5.2v3.692h5.17c.53 0 .984.4.984.939v5.215H32V4.631A4.624 4.624 0 0027.354 0zm.954 24.83c0 .532-.4.94-.939.94h-5.215v3.768h5.215c2.577 0 4.631-2.13 4.631-4.707v-5.139h-3.692v5.139zm-23.677.94c-.531 0-.939-.4-.939-.94v-5.138H0v5.139c0 2.577 2.13 4.707 4.708 4.707h5.138V25.77H4.631z" />
      </svg>
    </ControlButton>
  );
}
