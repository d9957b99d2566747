/** The breadcrumb shown while a subgraph is open: the whole graph › subgraph › …, each a way back. */
import type { SubgraphView } from '../app/useSubgraphView.ts';

export function SubgraphBar({ view }: { view: Pick<SubgraphView, 'path' | 'titles' | 'close' | 'ports'> }) {
  if (view.path.length === 0) return null;
  return (
    <nav className="ll-view-bar" aria-label="subgraph path" data-testid="subgraph-bar">
      <button type="button" className="ll-icon-button" onClick={() => view.close(0)} data-testid="subgraph-root">⌂ Whole graph</button>
      {view.titles.map((title, i) => (
        <span key={i}>
          {' › '}
          {i === view.titles.length - 1 ? <strong>{title}</strong> : <button type="button" className="ll-icon-button" onClick={() => view.close(i + 1)}>{title}</button>}
        </span>
      ))}
      <span className="ll-view-ports" title={[...view.ports.inputs.map((p) => `in: ${p}`), ...view.ports.outputs.map((p) => `out: ${p}`)].join('\n')}>
        {view.ports.inputs.length} input(s) · {view.ports.outputs.length} output(s)
      </span>
    </nav>
  );
}
