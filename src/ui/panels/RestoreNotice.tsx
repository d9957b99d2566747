/** Says that the last session's graph was held back (restoreGuard.ts) and offers to restore or discard it. */
import type { AutosaveRecord } from '../store/autosave.ts';

export interface RestoreNoticeProps {
  record: AutosaveRecord;
  onRestore(): void;
  onDiscard(): void;
  onDismiss(): void;
}

export function RestoreNotice({ record, onRestore, onDiscard, onDismiss }: RestoreNoticeProps) {
  const saved = record.savedAt ? new Date(record.savedAt).toLocaleString() : 'earlier';
  const size = `${Math.max(1, Math.round(record.json.length / 1024))} KiB`;
  return (
    <div className="ll-restore-notice" role="alert" data-testid="restore-notice">
      <span>
        Your last session&apos;s graph{record.fileName ? ` (${record.fileName}` : ' ('}{record.fileName ? ', ' : ''}{size}, saved {saved}) was
        not restored: restoring it did not finish last time (the editor froze, crashed or was closed). It is kept until you decide.
      </span>
      <button type="button" data-testid="restore-anyway" onClick={onRestore}>Restore it anyway</button>
      <button type="button" data-testid="restore-discard" onClick={onDiscard}>Discard it</button>
      <button type="button" className="ll-icon-button" aria-label="close" onClick={onDismiss}>×</button>
    </div>
  );
}
