/**
 * A graph that froze or crashed the editor must not come back by itself on every reload. Before
 * the autosave is restored at start-up a "restoring" mark is written; it is cleared once the
 * editor has drawn the restored graph and stayed up a moment. If the mark is still there at the
 * next start-up, that restore never finished (the tab froze, crashed or was closed meanwhile):
 * the autosave is then held back — kept under its own key, not restored — and the editor offers
 * to restore it anyway or to discard it.
 */
import { AUTOSAVE_KEY, readAutosave, type AutosaveRecord, type KeyValueStore } from './autosave.ts';

export const RESTORING_KEY = 'autosave.restoring';
export const HELD_KEY = 'autosave.held';

export type RestorePlan =
  | { kind: 'none' }
  | { kind: 'restore'; record: AutosaveRecord }
  /** The last restore of this record did not finish: not restored now. */
  | { kind: 'held'; record: AutosaveRecord; startedAt: number };

async function readRecord(kv: KeyValueStore, key: string): Promise<AutosaveRecord | undefined> {
  const value = (await kv.get(key)) as Partial<AutosaveRecord> | undefined;
  if (!value || typeof value.json !== 'string') return undefined;
  return { savedAt: Number(value.savedAt ?? 0), fileName: value.fileName, json: value.json };
}

/** Start-up: what to do with the autosave. Writes the "restoring" mark when it says restore. */
export async function planRestore(kv: KeyValueStore, now: () => number = Date.now): Promise<RestorePlan> {
  const record = await readAutosave(kv);
  const mark = (await kv.get(RESTORING_KEY)) as { startedAt?: number } | undefined;
  if (!record) {
    if (mark) await kv.delete(RESTORING_KEY);
    return { kind: 'none' };
  }
  if (mark) {
    await kv.set(HELD_KEY, record);
    await kv.delete(RESTORING_KEY);
    return { kind: 'held', record, startedAt: Number(mark.startedAt ?? 0) };
  }
  await kv.delete(HELD_KEY); // a record held back at an earlier start-up and left there
  await kv.set(RESTORING_KEY, { startedAt: now(), savedAt: record.savedAt });
  return { kind: 'restore', record };
}

/** The restored graph is drawn and the editor is responsive: the next start-up restores again. */
export async function restoreFinished(kv: KeyValueStore): Promise<void> {
  await kv.delete(RESTORING_KEY);
}

/** The user asks for the held-back graph: it is restored under the same guard. */
export async function takeHeld(kv: KeyValueStore, now: () => number = Date.now): Promise<AutosaveRecord | undefined> {
  const record = await readRecord(kv, HELD_KEY);
  if (!record) return undefined;
  await kv.set(RESTORING_KEY, { startedAt: now(), savedAt: record.savedAt });
  await kv.delete(HELD_KEY);
  return record;
}

/** The user discards the held-back graph (and the autosave, if it still is that graph). */
export async function discardHeld(kv: KeyValueStore): Promise<void> {
  const held = await readRecord(kv, HELD_KEY);
  const current = await readAutosave(kv);
  if (held && current && current.json === held.json) await kv.delete(AUTOSAVE_KEY);
  await kv.delete(HELD_KEY);
}

/** How long the editor must stay up after drawing a restored graph before the mark is cleared (ms). */
export const RESTORE_SETTLE_MS = 1500;

/**
 * Clears the mark once the restored graph has been drawn (the next frame) and the editor has
 * then kept running for `settleMs`; a freeze before that leaves the mark for the next start-up.
 */
export function finishWhenSettled(
  kv: KeyValueStore,
  settleMs = RESTORE_SETTLE_MS,
  nextFrame: (fn: () => void) => void = (fn) => requestAnimationFrame(fn),
): void {
  nextFrame(() => setTimeout(() => void restoreFinished(kv).catch(() => {}), settleMs));
}
