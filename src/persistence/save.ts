/**
 * `saveGraph`: the document as a plain JSON object in canonical key order, so load → save → load
 * is stable and saved files diff cleanly. Fixed fields come in a fixed order; free-form maps
 * (params, models, extra) are sorted by key. Array order (nodes, edges) is the user's and kept.
 */
import {
  GRAPH_FORMAT,
  GRAPH_FORMAT_VERSION,
  type GraphDocument,
  type GraphEdge,
  type GraphNode,
  type ModelRef,
} from '../graph/document.ts';
import { UNSAFE_KEYS, type JsonValue } from './sanitize.ts';

type JsonObject = { [key: string]: JsonValue };

/** Objects this module already built in canonical order; they are taken as they are. */
const built = new WeakSet<object>();

/** Any value as canonical JSON data: sorted keys, non-finite numbers as null, no unsafe keys. */
export function canonicalJson(value: unknown, depth = 0): JsonValue {
  if (depth > 200) throw new Error('saveGraph: value nested deeper than 200 levels (cyclic?)');
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'object' && built.has(value)) return value as JsonObject;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : canonicalJson(v, depth + 1)));
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (UNSAFE_KEYS.has(key) || item === undefined || typeof item === 'function') continue;
      out[key] = canonicalJson(item, depth + 1);
    }
    return out;
  }
  return null; // bigint, symbol, function: not representable
}

/** Builds an object from [key, value] pairs in the given order, leaving out undefined values. */
function ordered(entries: readonly (readonly [string, unknown])[]): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of entries) if (value !== undefined) out[key] = canonicalJson(value);
  built.add(out);
  return out;
}

function sortedMap<T>(map: Record<string, T> | undefined, each: (value: T) => JsonValue): JsonObject | undefined {
  if (map === undefined) return undefined;
  const out: JsonObject = {};
  for (const key of Object.keys(map).sort()) if (!UNSAFE_KEYS.has(key)) out[key] = each(map[key]);
  built.add(out);
  return out;
}

function keepArray(items: JsonValue[]): JsonValue[] {
  built.add(items);
  return items;
}

function saveNode(node: GraphNode): JsonObject {
  const ui = node.ui
    ? ordered([
        ['x', node.ui.x],
        ['y', node.ui.y],
        ['width', node.ui.width],
        ['height', node.ui.height],
        ['collapsed', node.ui.collapsed],
      ])
    : undefined;
  return ordered([
    ['id', node.id],
    ['type', node.type],
    ['version', node.version],
    ['title', node.title],
    ['zone', node.zone],
    ['params', node.params ?? {}],
    ['paramInputs', node.paramInputs],
    ['ui', ui],
    ['extra', node.extra],
  ]);
}

function saveEdge(edge: GraphEdge): JsonObject {
  return ordered([
    ['from', ordered([['node', edge.from.node], ['port', edge.from.port]])],
    ['to', ordered([['node', edge.to.node], ['port', edge.to.port]])],
  ]);
}

function saveModel(model: ModelRef): JsonObject {
  const files = sortedMap(model.files, (f) => ordered([['size', f.size], ['sha256', f.sha256]]));
  return ordered([
    ['source', model.source],
    ['title', model.title],
    ['files', files],
    ['extra', model.extra],
  ]);
}

/** The document as plain JSON data in canonical key order. */
export function saveGraph(doc: GraphDocument): JsonObject {
  const meta = ordered([
    ['title', doc.meta?.title],
    ['description', doc.meta?.description],
    ['extra', doc.meta?.extra],
  ]);
  const ui = doc.ui
    ? ordered([
        ['viewport', doc.ui.viewport ? ordered([['x', doc.ui.viewport.x], ['y', doc.ui.viewport.y], ['zoom', doc.ui.viewport.zoom]]) : undefined],
        ['extra', doc.ui.extra],
      ])
    : undefined;
  return ordered([
    ['format', GRAPH_FORMAT],
    ['version', GRAPH_FORMAT_VERSION],
    ['meta', meta],
    ['models', sortedMap(doc.models ?? {}, saveModel)],
    ['nodes', keepArray((doc.nodes ?? []).map(saveNode))],
    ['edges', keepArray((doc.edges ?? []).map(saveEdge))],
    ['ui', ui],
    ['extra', doc.extra],
  ]);
}

/** `saveGraph` as pretty-printed text with a trailing newline, as files in graphs/ are written. */
export function saveGraphText(doc: GraphDocument): string {
  return `${JSON.stringify(saveGraph(doc), null, 2)}\n`;
}
