/**
 * Prepares engine values for postMessage. Typed arrays the engine no longer needs are
 * transferred (moved, not copied); ones the output cache still holds, ones that view part of a
 * larger buffer (e.g. a WebAssembly heap) and shared memory are copied, since moving them would
 * detach memory someone else still reads. Class instances that cannot be cloned (model
 * sessions) become a short description instead of failing the whole message.
 */

export interface Cloneable<T> {
  value: T;
  transfers: ArrayBuffer[];
}

export interface CloneOptions {
  /** Buffers that must not be moved (the engine cache's). */
  held?: ReadonlySet<ArrayBufferLike>;
  /** false: copy nothing, move nothing, rely on structured clone (events). */
  transfer?: boolean;
}

const MAX_DEPTH = 32;

export function toCloneable<T>(value: T, options: CloneOptions = {}): Cloneable<T> {
  const transfers = new Set<ArrayBuffer>();
  const seen = new Map<object, unknown>();
  const held = options.held ?? new Set<ArrayBufferLike>();
  const move = options.transfer !== false;

  const visit = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v !== 'object') return typeof v === 'function' ? undefined : v;
    if (seen.has(v)) return seen.get(v);
    if (ArrayBuffer.isView(v)) {
      const view = v as ArrayBufferView & { slice?: () => ArrayBufferView };
      const buffer = view.buffer;
      const whole = view.byteOffset === 0 && view.byteLength === buffer.byteLength;
      let out: unknown = view;
      if (move) {
        if (buffer instanceof ArrayBuffer && whole && !held.has(buffer)) transfers.add(buffer);
        else if (typeof view.slice === 'function') {
          const copy = view.slice() as ArrayBufferView;
          transfers.add(copy.buffer as ArrayBuffer);
          out = copy;
        }
      }
      seen.set(v, out);
      return out;
    }
    if (v instanceof ArrayBuffer) {
      const out = move && held.has(v) ? v.slice(0) : v;
      if (move) transfers.add(out);
      seen.set(v, out);
      return out;
    }
    if (depth > MAX_DEPTH) return '[too deep]';
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      for (const item of v) out.push(visit(item, depth + 1));
      return out;
    }
    const proto = Object.getPrototypeOf(v);
    const plain = proto === Object.prototype || proto === null;
    const tensorLike = 'dtype' in v && 'shape' in v && 'data' in v;
    if (!plain && !tensorLike) {
      const name = (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      const out = { unserializable: name };
      seen.set(v, out);
      return out;
    }
    const out: Record<string, unknown> = {};
    seen.set(v, out);
    for (const [key, item] of Object.entries(v)) {
      const cloned = visit(item, depth + 1);
      if (cloned !== undefined) out[key] = cloned;
    }
    return out;
  };

  const cloned = visit(value, 0) as T;
  return { value: cloned, transfers: [...transfers] };
}
