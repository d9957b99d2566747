/**
 * The first two gates of loading: a cheap scan of JSON text for nesting depth, and a safe deep
 * copy of a parsed value. The copy enforces the size limits, drops keys that could pollute
 * prototypes (`__proto__`, `constructor`, `prototype`), turns anything that is not plain JSON
 * data (functions, class instances, cyclic references) into a clear issue, and never throws.
 */
import type { GraphIssue } from '../graph/document.ts';
import type { GraphLimits } from './limits.ts';

/** Keys that would reach or replace an object's prototype when assigned. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Thrown inside the copy only; always caught and turned into an issue. */
class LimitExceeded extends Error {
  constructor(readonly issue: GraphIssue) {
    super(issue.message);
  }
}

function tooLarge(message: string, path: string): LimitExceeded {
  return new LimitExceeded({ code: 'too-large', message, path, severity: 'error' });
}

export interface TextScan {
  /** Nesting went deeper than the limit (the scan stopped there). */
  tooDeep: boolean;
  /** Objects directly inside the top-level "nodes" / "edges" arrays, counted up to the limit + 1. */
  nodes: number;
  edges: number;
}

/**
 * One linear pass over JSON text, before JSON.parse: nesting depth (ignoring brackets inside
 * strings) and the number of node and edge objects. Refusing on these costs a fraction of
 * parsing, so deep junk and 100k-node files are turned away fast. Stops at the first limit hit.
 */
export function scanJsonText(text: string, limits: Pick<GraphLimits, 'maxDepth' | 'maxNodes' | 'maxEdges'>): TextScan {
  const scan: TextScan = { tooDeep: false, nodes: 0, edges: 0 };
  let depth = 0;
  let inString = false;
  let stringStart = 0;
  let lastTopString = '';
  let arrayKey = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) {
        inString = false;
        // At depth 1 the last string before a '[' is that array's key ("nodes": [ … ]).
        if (depth === 1) lastTopString = i - stringStart <= 8 ? text.slice(stringStart, i) : '';
      }
    } else if (c === 0x22) {
      inString = true;
      stringStart = i + 1;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limits.maxDepth) {
        scan.tooDeep = true;
        return scan;
      }
      if (depth === 2) arrayKey = c === 0x5b ? lastTopString : '';
      else if (depth === 3 && c === 0x7b) {
        if (arrayKey === 'nodes' && ++scan.nodes > limits.maxNodes) return scan;
        if (arrayKey === 'edges' && ++scan.edges > limits.maxEdges) return scan;
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return scan;
}

export type SanitizeResult =
  | { ok: true; value: JsonValue; warnings: GraphIssue[] }
  | { ok: false; issues: GraphIssue[] };

function describePath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out || '(document)';
}

/**
 * Copies `input` into fresh plain JSON data. Objects are rebuilt from their own enumerable
 * string keys only; unsafe keys are dropped with a warning.
 *
 * `inPlace` is for data fresh from JSON.parse, which the caller owns and which is plain data
 * already: the same checks run, unsafe keys are deleted and non-finite numbers replaced in
 * place, and no copy is made (half the allocation when loading big files).
 */
export function sanitizeJson(input: unknown, limits: GraphLimits, inPlace = false): SanitizeResult {
  const warnings: GraphIssue[] = [];
  let valueCount = 0;
  const path: (string | number)[] = [];
  // The objects being copied, outermost first; only searched once the depth limit is hit, to
  // tell a cyclic reference (a caller-built object) from plain deep nesting.
  const open: object[] = [];

  /** The value as JSON data; `undefined` where JSON.stringify would leave a property out. */
  const copy = (value: unknown, depth: number): JsonValue | undefined => {
    if (++valueCount > limits.maxValues) {
      throw tooLarge(`Document has more than ${limits.maxValues} values`, describePath(path));
    }
    if (value === null || typeof value === 'boolean') return value as null | boolean;
    if (typeof value === 'number') {
      if (Number.isFinite(value)) return value;
      // JSON has no NaN/Infinity (1e400 parses as Infinity); read them as null like JSON.stringify
      // writes them, so load → save → load is stable, and say so.
      warnings.push({
        code: 'invalid-document',
        message: `Number ${value} at ${describePath(path)} is not finite; read as null`,
        path: describePath(path),
        severity: 'warning',
      });
      return null;
    }
    if (typeof value === 'string') {
      if (value.length > limits.maxStringLength) {
        throw tooLarge(
          `String of ${value.length} characters at ${describePath(path)} exceeds the limit of ${limits.maxStringLength}`,
          describePath(path),
        );
      }
      return value;
    }
    if (typeof value !== 'object') {
      // undefined, functions, symbols, bigints are not JSON: left out of objects as
      // JSON.stringify does (so `{ title: undefined }` from an editor is fine), null in arrays.
      return undefined;
    }
    if (depth > limits.maxDepth) {
      const cycleStart = open.findIndex((o) => open.indexOf(o) !== open.lastIndexOf(o) || o === value);
      if (cycleStart !== -1) {
        const where = describePath(path.slice(0, cycleStart + 1));
        throw new LimitExceeded({
          code: 'invalid-document',
          message: `Cyclic reference at ${where}: a graph document must be plain JSON data`,
          path: where,
          severity: 'error',
        });
      }
      throw tooLarge(`Nesting deeper than ${limits.maxDepth} levels at ${describePath(path)}`, describePath(path));
    }
    open.push(value);
    try {
      if (Array.isArray(value)) {
        const length = value.length;
        if (length > limits.maxValues) {
          throw tooLarge(`Array of ${length} items at ${describePath(path)} is too large`, describePath(path));
        }
        const out: JsonValue[] = inPlace ? (value as JsonValue[]) : new Array(length);
        for (let i = 0; i < length; i++) {
          path.push(i);
          out[i] = copy(value[i], depth + 1) ?? null;
          path.pop();
        }
        return out;
      }
      const out = (inPlace ? value : {}) as { [key: string]: JsonValue };
      for (const key of Object.keys(value)) {
        if (key.length > limits.maxStringLength) {
          throw tooLarge(`Key of ${key.length} characters at ${describePath(path)} is too long`, describePath(path));
        }
        if (UNSAFE_KEYS.has(key)) {
          warnings.push({
            code: 'unsafe-key',
            message: `Dropped the key "${key}" at ${describePath(path)}: it could alter object prototypes`,
            path: describePath([...path, key]),
            severity: 'warning',
          });
          if (inPlace) delete out[key];
          continue;
        }
        path.push(key);
        const item = copy((value as Record<string, unknown>)[key], depth + 1);
        path.pop();
        if (item !== undefined) out[key] = item;
      }
      return out;
    } finally {
      open.pop();
    }
  };

  try {
    return { ok: true, value: copy(input, 1) ?? null, warnings };
  } catch (error) {
    if (error instanceof LimitExceeded) return { ok: false, issues: [error.issue] };
    // A throwing getter or Proxy trap in a caller-built object, or the engine's own stack limit.
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof RangeError ? 'too-large' : 'invalid-document';
    return {
      ok: false,
      issues: [{ code, message: `Could not read the document at ${describePath(path)}: ${message}`, path: describePath(path), severity: 'error' }],
    };
  }
}

export { describePath };
