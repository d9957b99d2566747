/**
 * Content signatures for the cache (ComfyUI semantics): a node's signature is a hash of its type,
 * type version, params and the signatures of what feeds each input port. Equal signatures mean
 * equal outputs for deterministic nodes.
 */

/** Strings at least this long (a data: URL image, a long prompt list) enter signatures as a digest. */
export const LONG_STRING_CHARS = 4096;
const longDigests = new Map<string, string>();
const MAX_LONG_DIGESTS = 32;
let longHashes = 0;

/** How many times a long string has been hashed in this process (each distinct one once, while remembered). */
export function longStringHashCount(): number {
  return longHashes;
}

/**
 * A long string as `\u0003<length>:<hash>\u0003`, hashed once per distinct string: a 1 MB data:
 * URL param is not re-hashed on every run (V8 keeps a string's own hash, so the lookup is cheap for
 * the same string). The control characters cannot come from JSON.stringify, which escapes them.
 */
function longStringToken(text: string): string {
  let token = longDigests.get(text);
  if (token === undefined) {
    longHashes++;
    token = `\u0003${text.length}:${hashString(text)}\u0003`;
    longDigests.set(text, token);
    if (longDigests.size > MAX_LONG_DIGESTS) longDigests.delete(longDigests.keys().next().value!);
  }
  return token;
}

/** Stable JSON: object keys sorted, so `{a,b}` and `{b,a}` hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string' && value.length >= LONG_STRING_CHARS) return longStringToken(value);
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return `"${String(value)}"`;
    if (typeof value === 'bigint') return `"${value}n"`;
    return JSON.stringify(value) ?? 'null';
  }
  if (ArrayBuffer.isView(value)) return `"<${value.constructor.name}:${value.byteLength}>"`;
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i]);
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  out = '{';
  for (let i = 0; i < keys.length; i++) out += (i > 0 ? ',' : '') + JSON.stringify(keys[i]) + ':' + canonicalJson(record[keys[i]]);
  return out + '}';
}

/**
 * 106-bit string hash: two independent 53-bit lanes (cyrb53-style multiply/xor mixing with
 * different seeds), computed in one pass. Collisions would silently serve a wrong cached value,
 * hence the width.
 */
export function hashString(text: string): string {
  let a1 = 0xdeadbeef ^ 0x9e3779b1;
  let a2 = 0x41c6ce57 ^ 0x9e3779b1;
  let b1 = 0xdeadbeef ^ 0x85ebca6b;
  let b2 = 0x41c6ce57 ^ 0x85ebca6b;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    a1 = Math.imul(a1 ^ ch, 2654435761);
    a2 = Math.imul(a2 ^ ch, 1597334677);
    b1 = Math.imul(b1 ^ ch, 2246822519);
    b2 = Math.imul(b2 ^ ch, 3266489917);
  }
  return finish(a1, a2).toString(36) + '.' + finish(b1, b2).toString(36);
}

function finish(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export interface SignatureParts {
  type: string;
  version: number;
  params: Record<string, unknown>;
  /** port name → signature of the upstream node and the port it comes from. */
  inputs: Record<string, string>;
  /** Anything else the result depends on (model table entries, a per-run nonce for volatile nodes). */
  extra?: unknown;
}

/** The part of a signature's text that type, version and params make (`nodeSignature` takes it as `head`). */
export function signatureHead(type: string, version: number, params: Record<string, unknown>): string {
  // Field separators are control characters that JSON output never contains unescaped.
  return `${type}\u0001${version}\u0001${canonicalJson(params)}\u0001`;
}

export function nodeSignature(parts: SignatureParts, head = signatureHead(parts.type, parts.version, parts.params)): string {
  let text = head;
  const ports = Object.keys(parts.inputs).sort();
  for (const port of ports) text += `${port}=${parts.inputs[port]}\u0002`;
  if (parts.extra !== undefined) text += `\u0001${canonicalJson(parts.extra)}`;
  return hashString(text);
}

/**
 * Approximate bytes held by a value: typed arrays and buffers count their byteLength, strings two
 * bytes a character; plain objects, arrays and tensors are walked. Other class instances (model
 * sessions) count a nominal size, since their memory is not ours to measure or free.
 */
export function valueBytes(value: unknown): number {
  const flat = flatBytes(value);
  if (flat >= 0) return flat;
  // The general walk, for what the fast path declines (values nesting past FLAT_DEPTH or holding
  // more than SEEN_SCAN_LIMIT objects). Depth first, last child first, each object counted once:
  // from 16 levels down an object counts a nominal 64, so the visiting order matters here. The
  // stacks and the seen list are shared and used from their current ends (so a nested call would
  // be safe); the seen list is scanned linearly while it is short and becomes a Set after that.
  const base = walkValues.length;
  const seenBase = walkSeen.length;
  let seenSet: Set<object> | undefined;
  let total = 0;
  walkValues.push(value);
  walkDepths.push(0);
  try {
    while (walkValues.length > base) {
      const v = walkValues.pop();
      const depth = walkDepths.pop()!;
      if (v === null || v === undefined) continue;
      if (typeof v === 'string') total += 2 * v.length;
      else if (typeof v !== 'object') total += 8;
      else {
        if (seenSet) {
          if (seenSet.has(v)) continue;
          seenSet.add(v);
        } else {
          let seen = false;
          for (let i = seenBase; i < walkSeen.length; i++) {
            if (walkSeen[i] === v) {
              seen = true;
              break;
            }
          }
          if (seen) continue;
          walkSeen.push(v);
          if (walkSeen.length - seenBase > SEEN_SCAN_LIMIT) seenSet = new Set(walkSeen.slice(seenBase));
        }
        if (ArrayBuffer.isView(v)) total += v.byteLength;
        else if (v instanceof ArrayBuffer) total += v.byteLength;
        else if (depth >= 16) total += 64;
        else if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            walkValues.push(v[i]);
            walkDepths.push(depth + 1);
          }
        } else if (isWalkable(v)) {
          const items = Object.values(v);
          for (let i = 0; i < items.length; i++) {
            walkValues.push(items[i]);
            walkDepths.push(depth + 1);
          }
        } else total += 64;
      }
    }
  } finally {
    walkValues.length = base;
    walkDepths.length = base;
    walkSeen.length = seenBase;
  }
  return total;
}

/** Objects a walk keeps in its linear seen list before it switches to a Set. */
const SEEN_SCAN_LIMIT = 64;
const walkValues: unknown[] = [];
const walkDepths: number[] = [];
const walkSeen: object[] = [];

/**
 * Fast path for most outputs objects (scalars, strings, typed arrays, tensors, and records and
 * arrays of those a few levels deep, handles counted nominally): the same count as the general
 * walk, by recursion without the walk's stacks or per-object `Object.values` arrays. -1 when the
 * value nests deeper than `FLAT_DEPTH` or holds more objects than the seen list scans; the general
 * walk then measures it. Within `FLAT_DEPTH` (< 16) the order of the visit cannot change a count.
 */
function flatBytes(value: unknown): number {
  if (value === null || typeof value !== 'object') return -1;
  const base = flatSeen.length;
  try {
    return flatObjectBytes(value, 0, base);
  } finally {
    flatSeen.length = base;
  }
}

/** Levels the fast path walks (a step's outputs: outputs → state value → scheduler state → history). */
const FLAT_DEPTH = 5;
const flatSeen: object[] = [];

function flatObjectBytes(v: object, depth: number, seenBase: number): number {
  for (let i = seenBase; i < flatSeen.length; i++) if (flatSeen[i] === v) return 0;
  if (flatSeen.length - seenBase >= SEEN_SCAN_LIMIT) return -1;
  flatSeen.push(v);
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (v instanceof ArrayBuffer) return v.byteLength;
  let total = 0;
  if (Array.isArray(v)) {
    if (depth >= FLAT_DEPTH) return -1;
    for (let i = 0; i < v.length; i++) {
      const inner = flatItemBytes(v[i], depth, seenBase);
      if (inner < 0) return -1;
      total += inner;
    }
    return total;
  }
  if (!isWalkable(v)) return 64;
  if (depth >= FLAT_DEPTH) return -1;
  // for-in sees the own enumerable keys here: plain and null-prototype objects, and tensors, whose
  // prototypes hold only (non-enumerable) class methods.
  for (const key in v as Record<string, unknown>) {
    const inner = flatItemBytes((v as Record<string, unknown>)[key], depth, seenBase);
    if (inner < 0) return -1;
    total += inner;
  }
  return total;
}

function flatItemBytes(item: unknown, depth: number, seenBase: number): number {
  if (item === null || item === undefined) return 0;
  if (typeof item === 'string') return 2 * item.length;
  if (typeof item !== 'object') return 8;
  return flatObjectBytes(item, depth + 1, seenBase);
}

/** A tensor (or a TensorLike class instance): dtype/shape/data are own fields. */
function isTensorLike(v: object): v is { dtype: string; shape: unknown[]; data: ArrayBufferView } {
  const t = v as { dtype?: unknown; shape?: unknown; data?: unknown };
  return typeof t.dtype === 'string' && Array.isArray(t.shape) && ArrayBuffer.isView(t.data);
}

function isWalkable(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || isTensorLike(v);
}

/** Every ArrayBuffer reachable inside a value (walked like `valueBytes`). */
export function collectBuffers(value: unknown, into: Set<ArrayBufferLike> = new Set()): Set<ArrayBufferLike> {
  const seen = new Set<object>();
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (ArrayBuffer.isView(v)) into.add(v.buffer);
    else if (v instanceof ArrayBuffer) into.add(v);
    else if (depth < 16 && Array.isArray(v)) for (const item of v) stack.push({ v: item, depth: depth + 1 });
    else if (depth < 16 && isWalkable(v)) for (const item of Object.values(v)) stack.push({ v: item, depth: depth + 1 });
  }
  return into;
}
