/**
 * Deep frozenness: a document that is frozen all the way down (as immer produces them) can never
 * change, so what was computed from its objects may be kept by identity (the engine's memos, the
 * worker client's document patches).
 */

const verifiedFrozen = new WeakSet<object>();

/**
 * Whether `value` and everything reachable from it is frozen (answers are remembered for objects).
 * `like` is a value known to be deeply frozen (an earlier version of the document): parts that are
 * the same objects as its parts at the same place need no look-up.
 */
export function isDeepFrozen(value: unknown, like?: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function';
  if (value === like || verifiedFrozen.has(value)) return true;
  if (depth > 64 || !Object.isFrozen(value) || ArrayBuffer.isView(value)) return false;
  const other = typeof like === 'object' && like !== null ? (like as Record<string, unknown>) : undefined;
  if (Array.isArray(value)) {
    const same = Array.isArray(other) ? other : undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (same && item === same[i]) continue;
      if (!isDeepFrozen(item, undefined, depth + 1)) return false;
    }
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) if (!isDeepFrozen(record[key], other?.[key], depth + 1)) return false;
  }
  verifiedFrozen.add(value);
  return true;
}

/** Freezes `value` and every plain object and array reachable from it (typed arrays are left as they are). */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const item of Object.values(value as Record<string, unknown>)) deepFreeze(item);
  return value;
}
