/**
 * The editor's side of restoreGuard.ts: clears the "restoring" mark once a restored graph is up,
 * and holds the state of the "not restored" notice with its actions.
 */
import { useCallback, useState } from 'react';
import type { NodeCatalog } from '../catalog.ts';
import { openGraphText, type OpenResult } from '../files.ts';
import type { AutosaveRecord, KeyValueStore } from '../store/autosave.ts';
import { discardHeld, finishWhenSettled, takeHeld } from '../store/restoreGuard.ts';
import type { BootResult } from './bootstrap.ts';

export interface RestoreGuard {
  held: AutosaveRecord | undefined;
  /** After start-up: settle a restore, or show the notice for a held-back graph. */
  booted(boot: BootResult): void;
  restoreHeld(): void;
  discard(): void;
  dismiss(): void;
}

export function useRestoreGuard(kv: KeyValueStore | undefined, catalog: NodeCatalog | undefined, open: (opened: OpenResult) => void, onError: (message: string) => void): RestoreGuard {
  const [held, setHeld] = useState<AutosaveRecord>();
  const booted = useCallback((boot: BootResult) => {
    if (!kv) return;
    if (boot.source === 'autosave') finishWhenSettled(kv);
    if (boot.held) setHeld(boot.held.record);
  }, [kv]);
  const restoreHeld = useCallback(() => {
    if (!kv || !catalog) return;
    setHeld(undefined);
    takeHeld(kv).then((record) => {
      if (!record) return onError('The held-back graph is no longer stored');
      open(openGraphText(record.json, record.fileName ?? 'autosave', catalog));
      finishWhenSettled(kv);
    }, (e: unknown) => onError(`Could not read the held-back graph: ${String(e)}`));
  }, [kv, catalog, open, onError]);
  const discard = useCallback(() => {
    setHeld(undefined);
    if (kv) discardHeld(kv).catch((e: unknown) => onError(`Could not discard the held-back graph: ${String(e)}`));
  }, [kv, onError]);
  const dismiss = useCallback(() => setHeld(undefined), []);
  return { held, booted, restoreHeld, discard, dismiss };
}
