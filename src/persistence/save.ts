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
  type PortRef,
  type SubgraphBody,
} from '../graph/document.ts';
import { UNSAFE_KEYS, type JsonValue } from './sanitize.ts';

type JsonObject = { [key: string]: JsonValue };

/** Any value as canonical JSON data: sorted keys, non-finite numbers as null, no unsafe keys. */
export function canonicalJson(value: unknown, depth = 0): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (depth > 200) throw new Error('saveGraph: value nested deeper than 200 levels (cyclic?)');
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

/** Sets `out[key]` to the canonical form of `value` unless it is undefined (fields keep call order). */
function put(out: JsonObject, key: string, value: unknown): void {
  if (value !== undefined) out[key] = canonicalJson(value);
}

function sortedMap<T>(map: Record<string, T>, each: (value: T) => JsonValue): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(map).sort()) if (!UNSAFE_KEYS.has(key)) out[key] = each(map[key]);
  return out;
}

function saveNode(node: GraphNode): JsonObject {
  const out: JsonObject = {};
  put(out, 'id', node.id);
  put(out, 'type', node.type);
  put(out, 'version', node.version);
  put(out, 'title', node.title);
  put(out, 'zone', node.zone);
  put(out, 'params', node.params ?? {});
  put(out, 'paramInputs', node.paramInputs);
  if (node.ui) {
    const ui: JsonObject = {};
    put(ui, 'x', node.ui.x);
    put(ui, 'y', node.ui.y);
    put(ui, 'width', node.ui.width);
    put(ui, 'height', node.ui.height);
    put(ui, 'collapsed', node.ui.collapsed);
    out.ui = ui;
  }
  if (node.subgraph) out.subgraph = saveSubgraph(node.subgraph);
  put(out, 'extra', node.extra);
  return out;
}

function saveSubgraph(body: SubgraphBody): JsonObject {
  return {
    nodes: body.nodes.map(saveNode),
    edges: saveEdges(body.edges),
    inputs: body.inputs.map((p) => ({ name: canonicalJson(p.name), type: canonicalJson(p.type), to: p.to.map(saveRef) })),
    outputs: body.outputs.map((p) => ({ name: canonicalJson(p.name), type: canonicalJson(p.type), from: saveRef(p.from) })),
  };
}

function saveEdges(edges: readonly GraphEdge[]): JsonValue[] {
  return edges.map((edge) => ({ from: saveRef(edge.from), to: saveRef(edge.to) }));
}

function saveRef(ref: PortRef): JsonObject {
  return { node: canonicalJson(ref.node), port: canonicalJson(ref.port) };
}

function saveModel(model: ModelRef): JsonObject {
  const out: JsonObject = {};
  put(out, 'source', model.source);
  put(out, 'title', model.title);
  if (model.files) {
    out.files = sortedMap(model.files, (f) => {
      const file: JsonObject = {};
      put(file, 'size', f.size);
      put(file, 'sha256', f.sha256);
      return file;
    });
  }
  put(out, 'extra', model.extra);
  return out;
}

/** The document as plain JSON data in canonical key order. */
export function saveGraph(doc: GraphDocument): JsonObject {
  const out: JsonObject = { format: GRAPH_FORMAT, version: GRAPH_FORMAT_VERSION };
  const meta: JsonObject = {};
  put(meta, 'title', doc.meta?.title);
  put(meta, 'description', doc.meta?.description);
  put(meta, 'extra', doc.meta?.extra);
  out.meta = meta;
  out.models = sortedMap(doc.models ?? {}, saveModel);
  out.nodes = (doc.nodes ?? []).map(saveNode);
  out.edges = saveEdges(doc.edges ?? []);
  if (doc.ui) {
    const ui: JsonObject = {};
    if (doc.ui.viewport) {
      const viewport: JsonObject = {};
      put(viewport, 'x', doc.ui.viewport.x);
      put(viewport, 'y', doc.ui.viewport.y);
      put(viewport, 'zoom', doc.ui.viewport.zoom);
      ui.viewport = viewport;
    }
    put(ui, 'extra', doc.ui.extra);
    out.ui = ui;
  }
  if (doc.app) {
    out.app = {
      exposed: doc.app.exposed.map((e) => {
        const item: JsonObject = {};
        put(item, 'node', e.node);
        put(item, 'param', e.param);
        put(item, 'label', e.label);
        return item;
      }),
    };
  }
  put(out, 'extra', doc.extra);
  return out;
}

/** `saveGraph` as pretty-printed text with a trailing newline, as files in graphs/ are written. */
export function saveGraphText(doc: GraphDocument): string {
  return `${JSON.stringify(saveGraph(doc), null, 2)}\n`;
}
