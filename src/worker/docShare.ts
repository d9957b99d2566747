/**
 * The worker receives each document by structured clone: new objects on every run, which would
 * defeat the engine's memos keyed by object identity (src/engine/prepMemo.ts). The worker keeps
 * its own deeply frozen copy of the last document and, for each new one, reuses every part that
 * equals the last one's: an unchanged document comes back as the very same object, and a changed
 * param leaves every other node the same object as before.
 */

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const MAX_DEPTH = 64;

/** Items matched by their `id` when every item of the earlier list has a distinct string id (nodes). */
function byId(list: readonly unknown[]): Map<string, unknown> | undefined {
  const map = new Map<string, unknown>();
  for (const item of list) {
    const id = isPlain(item) ? item.id : undefined;
    if (typeof id !== 'string' || map.has(id)) return undefined;
    map.set(id, item);
  }
  return map;
}

function share(prev: unknown, next: unknown, depth: number): unknown {
  if (prev === next || next === null || typeof next !== 'object') return next;
  // Anything but plain data (a typed array, say) is kept as it came, unfrozen: the engine then
  // simply does not memoise that document.
  if (depth > MAX_DEPTH) return next;
  if (Array.isArray(next)) {
    const before = Array.isArray(prev) ? prev : undefined;
    const ids = before && before.length > 0 ? byId(before) : undefined;
    let same = before !== undefined && before.length === next.length;
    const out = new Array<unknown>(next.length);
    for (let i = 0; i < next.length; i++) {
      const item: unknown = next[i];
      const id = ids && isPlain(item) ? item.id : undefined;
      const match = typeof id === 'string' ? ids!.get(id) : before?.[i];
      out[i] = share(match, item, depth + 1);
      if (same && out[i] !== before![i]) same = false;
    }
    return same ? before : Object.freeze(out);
  }
  if (!isPlain(next)) return next;
  const before = isPlain(prev) ? prev : undefined;
  const keys = Object.keys(next);
  let same = before !== undefined && Object.keys(before).length === keys.length;
  const out: Plain = {};
  for (const key of keys) {
    const value = share(before?.[key], next[key], depth + 1);
    out[key] = value;
    if (same && (!Object.hasOwn(before!, key) || before![key] !== value)) same = false;
  }
  return same ? before : Object.freeze(out);
}

/**
 * `next` as a deeply frozen value whose parts equal to `prev`'s parts are `prev`'s objects
 * (`prev` itself when all is equal). `prev` must come from an earlier call; `next` is not changed.
 */
export function shareUnchanged<T>(prev: T | undefined, next: T): T {
  return share(prev, next, 0) as T;
}
