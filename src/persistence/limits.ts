/**
 * Size limits for graph files. A file beyond any of them is refused with code `too-large`
 * before any expensive work, so a hostile or corrupt file cannot hang the loader.
 */
export interface GraphLimits {
  maxNodes: number;
  maxEdges: number;
  /** Nesting depth of objects/arrays, the document itself being depth 1. */
  maxDepth: number;
  /** Longest string (in UTF-16 code units) anywhere in the document, keys included. */
  maxStringLength: number;
  /** Longest JSON text accepted by loadGraph. */
  maxTextLength: number;
  /** Total count of JSON values (objects, arrays, scalars) in the document. */
  maxValues: number;
}

export const DEFAULT_LIMITS: Readonly<GraphLimits> = Object.freeze({
  maxNodes: 20_000,
  maxEdges: 100_000,
  maxDepth: 64,
  maxStringLength: 1_000_000,
  maxTextLength: 64 * 1024 * 1024,
  maxValues: 2_000_000,
});
