/**
 * The open graph's description (meta.description), shown when a graph with one is opened (an
 * example tells a newcomer what it does and what to try) and again from the toolbar's ℹ. It is
 * docked at the top of the side panel: over the canvas it covered the nodes the fit put there.
 */
export function GraphInfo({ title, description, onClose }: { title?: string; description: string; onClose(): void }) {
  return (
    <div className="ll-graph-info" data-testid="graph-info" role="note" aria-label="About this graph">
      <button type="button" className="ll-icon-button" onClick={onClose} aria-label="close graph info" title="Close">×</button>
      {title && <strong>{title}</strong>}
      <p>{description}</p>
    </div>
  );
}
