/** Help overlay (keyboard shortcuts), full-size image viewer, and the toast line. */
import type { GalleryItem } from '../run/runStore.ts';
import type { Losses } from '../tabs/documentTabs.ts';

export const SHORTCUTS: readonly [string, string][] = [
  ['Ctrl+Enter', 'Run the graph (while a run is going: queue another)'],
  ['Esc', 'Cancel the run / close dialogs'],
  ['Double-click canvas, / or Shift+A', 'Add a node (search palette)'],
  ['Drag a wire onto empty canvas', 'Add a compatible node, wired'],
  ['Ctrl+Z / Ctrl+Shift+Z, Ctrl+Y', 'Undo / redo'],
  ['Ctrl+C / Ctrl+V / Ctrl+D', 'Copy / paste / duplicate selection'],
  ['Ctrl+A', 'Select all'],
  ['Delete / Backspace', 'Delete selection'],
  ['Shift+drag', 'Box select'],
  ['Ctrl+click', 'Add to selection'],
  ['Alt+A / Alt+T', 'Align left / top'],
  ['Alt+H / Alt+V', 'Distribute horizontally / vertically'],
  ['Alt+C', 'Collapse / expand selection'],
  ['Ctrl+G / Ctrl+Shift+G', 'Make a subgraph of the selection / unpack a subgraph'],
  ['Double-click a subgraph', 'Open it in its own view'],
  ['Ctrl+S / Ctrl+O', 'Save / open graph'],
  ['?', 'This help'],
];

export function HelpOverlay({ onClose }: { onClose(): void }) {
  return (
    <div className="ll-modal-backdrop" onClick={onClose}>
      <div className="ll-modal" role="dialog" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map(([k, v]) => (
              <tr key={k}><td><kbd>{k}</kbd></td><td>{v}</td></tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={onClose}>Close</button>
      </div>
    </div>
  );
}

export function ImageViewer({ item, onClose, onDownload }: { item: GalleryItem; onClose(): void; onDownload(): void }) {
  return (
    <div className="ll-modal-backdrop" onClick={onClose}>
      <div className="ll-viewer" role="dialog" aria-label="Image" onClick={(e) => e.stopPropagation()}>
        <img src={item.url} alt={item.nodeId} />
        <div>
          {item.nodeId} · {item.width}×{item.height}{' '}
          <button type="button" onClick={onDownload}>Download PNG</button> <button type="button" onClick={onClose}>Close</button>
        </div>
      </div>
    </div>
  );
}

export function Toast({ message, kind }: { message: string; kind: 'error' | 'info' }) {
  return <div className={`ll-toast ${kind}`} role="status" data-testid="toast">{message}</div>;
}

/**
 * Asks before the document's unsaved edits are dropped (New, Open, an example). An in-app
 * dialog rather than window.confirm: it matches the editor, and tests can answer it.
 */
/** `action`: what would drop the edits ("Close \"Toy image-to-image\""). */
export function ConfirmDiscard({ action, loses, onDiscard, onCancel }: { action: string; loses?: Losses; onDiscard(): void; onCancel(): void }) {
  const edits = loses?.edits ?? true;
  const run = loses?.run ?? false;
  const heading = edits && run ? 'Unsaved changes and a run' : run ? 'A run is under way' : 'Unsaved changes';
  const what = [edits && 'The graph has edits that are not saved.', run && 'This tab has a run under way or queued.'].filter(Boolean).join(' ');
  const lost = [edits && 'discard them', run && 'cancel its run'].filter(Boolean).join(' and ');
  return (
    <div className="ll-modal-backdrop" onClick={onCancel}>
      <div className="ll-modal ll-confirm" role="alertdialog" aria-label={heading} data-testid="confirm-dialog"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
          e.stopPropagation();
        }}>
        <h2>{heading}</h2>
        <p>{what} {action} and {lost}?</p>
        <div className="ll-confirm-buttons">
          <button type="button" onClick={onCancel} data-testid="confirm-cancel" autoFocus>Cancel</button>
          <button type="button" className="ll-danger" onClick={onDiscard} data-testid="confirm-discard">{edits ? 'Discard' : 'Stop the run'}</button>
        </div>
      </div>
    </div>
  );
}
