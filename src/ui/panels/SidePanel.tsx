/** Right-hand panel: gallery/history of output images, issues of the graph, models, and sweeps. */
import { useEffect, useState, type ReactNode } from 'react';
import type { GraphIssue } from '../../graph/document.ts';
import type { GalleryItem } from '../run/runStore.ts';

export interface SidePanelProps {
  gallery: readonly GalleryItem[];
  issues: readonly GraphIssue[];
  issueSource?: string;
  /** A huge graph is still being checked (in the analysis worker). */
  checking?: boolean;
  models: ReactNode;
  /** The open graph's description card (GraphInfo), docked above the tabs so it covers no node. */
  info?: ReactNode;
  /** The Sweep tab's content; drawn once the tab first shows, then kept mounted while another tab shows, so a running sweep goes on. */
  sweep?: ReactNode;
  /** Shows the Sweep tab whenever this changes to a value (a graph that carries a sweep was opened). */
  openSweep?: number;
  onOpenImage(item: GalleryItem): void;
  onDownload(item: GalleryItem): void;
  onSelectNode(id: string): void;
}

type Tab = 'gallery' | 'issues' | 'models' | 'sweep';

export function SidePanel(p: SidePanelProps) {
  const [tab, setTab] = useState<Tab>('gallery');
  useEffect(() => {
    if (p.openSweep !== undefined) setTab('sweep');
  }, [p.openSweep]);
  // The Sweep tab's content is drawn from the first time it shows (its code loads then), and
  // stays mounted after that.
  const [sweepShown, setSweepShown] = useState(false);
  if (tab === 'sweep' && !sweepShown) setSweepShown(true);
  const errors = p.issues.filter((i) => i.severity !== 'warning').length;
  return (
    <aside className="ll-side">
      {p.info}
      <div className="ll-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'gallery'} onClick={() => setTab('gallery')}>Gallery ({p.gallery.length})</button>
        <button type="button" role="tab" aria-selected={tab === 'issues'} onClick={() => setTab('issues')} data-testid="issues-tab"
          className={errors ? 'has-errors' : ''}>Issues ({p.issues.length}{p.checking ? ', checking…' : ''})</button>
        <button type="button" role="tab" aria-selected={tab === 'models'} onClick={() => setTab('models')}>Models</button>
        {p.sweep && <button type="button" role="tab" aria-selected={tab === 'sweep'} onClick={() => setTab('sweep')} data-testid="sweep-tab">Sweep</button>}
      </div>
      {tab === 'gallery' && (
        <div className="ll-gallery" data-testid="gallery">
          {p.gallery.length === 0 && <p className="ll-muted">Run the graph: images appear here.</p>}
          {p.gallery.map((item) => (
            <figure key={item.id} className="ll-gallery-item">
              <img src={item.url} decoding="async" alt={`${item.nodeId} run ${item.runId}`} onClick={() => p.onOpenImage(item)} />
              <figcaption>
                {item.title ?? item.nodeId} · {item.width}×{item.height} · run {item.runId}
                <button type="button" className="ll-small-button" onClick={() => p.onDownload(item)} data-testid="download-png">PNG</button>
              </figcaption>
            </figure>
          ))}
        </div>
      )}
      {tab === 'issues' && (
        <div className="ll-issues" data-testid="issues">
          {p.issueSource && <p className="ll-muted">Last opened: {p.issueSource}</p>}
          {p.issues.length === 0 && <p className="ll-muted">No issues.</p>}
          <ul>
            {p.issues.map((issue, i) => (
              <li key={i} className={`ll-issue ${issue.severity ?? 'error'}`}>
                <code>{issue.code}</code>{' '}
                {issue.node ? (
                  <button type="button" className="ll-link" onClick={() => p.onSelectNode(issue.node!)}>{issue.node}{issue.port ? `.${issue.port}` : ''}</button>
                ) : null}{' '}
                {issue.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {tab === 'models' && <div className="ll-models">{p.models}</div>}
      {p.sweep && sweepShown && <div className="ll-sweep-tab" hidden={tab !== 'sweep'}>{p.sweep}</div>}
    </aside>
  );
}
