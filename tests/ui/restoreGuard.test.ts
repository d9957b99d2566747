import type { KeyValueStore } from '../../src/ui/store/autosave.ts';
import { AUTOSAVE_KEY } from '../../src/ui/store/autosave.ts';
import { HELD_KEY, RESTORING_KEY, discardHeld, finishWhenSettled, planRestore, restoreFinished, takeHeld } from '../../src/ui/store/restoreGuard.ts';

function memoryKv(): KeyValueStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: async (k) => data.get(k),
    set: async (k, v) => void data.set(k, v),
    delete: async (k) => void data.delete(k),
  };
}

const record = { savedAt: 5, fileName: 'huge.json', json: '{"format":"latentloom.graph"}' };

describe('autosave restore guard', () => {
  it('restores, marking the restore until the editor has settled', async () => {
    const kv = memoryKv();
    kv.data.set(AUTOSAVE_KEY, record);
    const plan = await planRestore(kv, () => 100);
    expect(plan).toEqual({ kind: 'restore', record });
    expect(kv.data.get(RESTORING_KEY)).toEqual({ startedAt: 100, savedAt: 5 });
    await restoreFinished(kv);
    expect(kv.data.has(RESTORING_KEY)).toBe(false);
    // The next start-up restores again.
    expect((await planRestore(kv)).kind).toBe('restore');
  });

  it('a restore that never finished is not repeated: the record is held back until the user decides', async () => {
    const kv = memoryKv();
    kv.data.set(AUTOSAVE_KEY, record);
    await planRestore(kv, () => 100); // …and the tab froze: the mark stays
    const plan = await planRestore(kv);
    expect(plan).toEqual({ kind: 'held', record, startedAt: 100 });
    expect(kv.data.get(HELD_KEY)).toEqual(record);
    expect(kv.data.has(RESTORING_KEY)).toBe(false);
    // "Restore it anyway": guarded like a start-up restore.
    expect(await takeHeld(kv, () => 200)).toEqual(record);
    expect(kv.data.get(RESTORING_KEY)).toEqual({ startedAt: 200, savedAt: 5 });
    expect(kv.data.has(HELD_KEY)).toBe(false);
  });

  it('"discard" drops the held record and the autosave that holds the same graph', async () => {
    const kv = memoryKv();
    kv.data.set(AUTOSAVE_KEY, record);
    kv.data.set(RESTORING_KEY, { startedAt: 1 });
    await planRestore(kv);
    await discardHeld(kv);
    expect([...kv.data.keys()]).toEqual([]);
    expect(await planRestore(kv)).toEqual({ kind: 'none' });
  });

  it('clears the mark only after the next frame and the settle time', async () => {
    const kv = memoryKv();
    kv.data.set(RESTORING_KEY, { startedAt: 1 });
    let frame: (() => void) | undefined;
    finishWhenSettled(kv, 10, (fn) => void (frame = fn));
    await new Promise((r) => setTimeout(r, 30));
    expect(kv.data.has(RESTORING_KEY)).toBe(true); // no frame drawn yet: a frozen tab never gets here
    frame!();
    await new Promise((r) => setTimeout(r, 30));
    expect(kv.data.has(RESTORING_KEY)).toBe(false);
  });
});
