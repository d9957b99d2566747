/**
 * Builds the in-memory GraphDocument from a schema-checked version-1 file. Unknown fields of the
 * document, meta, models, nodes and graph ui go under their `extra` so a round trip keeps them;
 * unknown fields of edges, port refs, node ui and viewport have no `extra` and are dropped with a
 * warning.
 */
import {
  GRAPH_FORMAT,
  GRAPH_FORMAT_VERSION,
  type GraphDocument,
  type GraphEdge,
  type GraphIssue,
  type GraphMeta,
  type GraphNode,
  type GraphUi,
  type ModelFileInfo,
  type ModelRef,
  type NodeUi,
} from '../graph/document.ts';
import { KNOWN_FIELDS_V1, type GraphDocumentV1Parsed } from './schemaV1.ts';

type Loose = Record<string, unknown>;

function unknownKeys(obj: Loose, known: readonly string[]): string[] {
  const keys = Object.keys(obj);
  // Fast path: the usual object has only known fields.
  if (keys.length <= known.length && keys.every((k) => known.includes(k))) return [];
  return keys.filter((k) => !known.includes(k));
}

/** Unknown fields plus the file's own `extra`; a field present in both keeps the top-level one. */
function collectExtra(
  obj: Loose,
  known: readonly string[],
  where: string,
  warnings: GraphIssue[],
): Record<string, unknown> | undefined {
  const own = (obj.extra ?? undefined) as Loose | undefined;
  const extra: Loose = own ? { ...own } : {};
  for (const key of unknownKeys(obj, known)) {
    if (own && key in own) {
      warnings.push({
        code: 'unknown-field',
        message: `${where}: field "${key}" is both a top-level field and in "extra"; kept the top-level value`,
        path: `${where}.${key}`,
        severity: 'warning',
      });
    }
    extra[key] = obj[key];
  }
  return Object.keys(extra).length > 0 ? extra : undefined;
}

function dropUnknown(obj: Loose, known: readonly string[], where: string, warnings: GraphIssue[], node?: string): void {
  for (const key of unknownKeys(obj, known)) {
    warnings.push({
      code: 'unknown-field',
      message: `${where}: dropped unknown field "${key}"`,
      path: `${where}.${key}`,
      severity: 'warning',
      ...(node !== undefined ? { node } : {}),
    });
  }
}

function toNodeUi(ui: Loose, where: string, warnings: GraphIssue[], node: string): NodeUi {
  dropUnknown(ui, KNOWN_FIELDS_V1.nodeUi, where, warnings, node);
  const out: NodeUi = { x: ui.x as number, y: ui.y as number };
  if (ui.collapsed !== undefined) out.collapsed = ui.collapsed as boolean;
  if (ui.width !== undefined) out.width = ui.width as number;
  if (ui.height !== undefined) out.height = ui.height as number;
  return out;
}

function toNode(raw: Loose, index: number, warnings: GraphIssue[]): GraphNode {
  const where = `nodes[${index}]`;
  const nodeId = raw.id as string;
  const node: GraphNode = {
    id: nodeId,
    type: raw.type as string,
    version: raw.version as number,
    params: { ...(raw.params as Loose) },
  };
  if (raw.paramInputs !== undefined) node.paramInputs = [...(raw.paramInputs as string[])];
  if (raw.zone !== undefined) node.zone = raw.zone as string;
  if (raw.title !== undefined) node.title = raw.title as string;
  if (raw.ui !== undefined) node.ui = toNodeUi(raw.ui as Loose, `${where}.ui`, warnings, nodeId);
  const extra = collectExtra(raw, KNOWN_FIELDS_V1.node, where, warnings);
  if (extra) node.extra = extra;
  return node;
}

function toEdge(raw: Loose, index: number, warnings: GraphIssue[]): GraphEdge {
  const where = `edges[${index}]`;
  dropUnknown(raw, KNOWN_FIELDS_V1.edge, where, warnings);
  const ref = (r: Loose, side: string) => {
    dropUnknown(r, KNOWN_FIELDS_V1.portRef, `${where}.${side}`, warnings);
    return { node: r.node as string, port: r.port as string };
  };
  return { from: ref(raw.from as Loose, 'from'), to: ref(raw.to as Loose, 'to') };
}

function toModel(raw: Loose, key: string, warnings: GraphIssue[]): ModelRef {
  const where = `models.${key}`;
  const model: ModelRef = { source: raw.source as string };
  if (raw.title !== undefined) model.title = raw.title as string;
  if (raw.files !== undefined) {
    const files: Record<string, ModelFileInfo> = {};
    for (const [name, info] of Object.entries(raw.files as Record<string, Loose>)) {
      dropUnknown(info, KNOWN_FIELDS_V1.modelFile, `${where}.files.${name}`, warnings);
      const file: ModelFileInfo = {};
      if (info.size !== undefined) file.size = info.size as number;
      if (info.sha256 !== undefined) file.sha256 = info.sha256 as string;
      files[name] = file;
    }
    model.files = files;
  }
  const extra = collectExtra(raw, KNOWN_FIELDS_V1.model, where, warnings);
  if (extra) model.extra = extra;
  return model;
}

function toMeta(raw: Loose, warnings: GraphIssue[]): GraphMeta {
  const meta: GraphMeta = {};
  if (raw.title !== undefined) meta.title = raw.title as string;
  if (raw.description !== undefined) meta.description = raw.description as string;
  const extra = collectExtra(raw, KNOWN_FIELDS_V1.meta, 'meta', warnings);
  if (extra) meta.extra = extra;
  return meta;
}

function toGraphUi(raw: Loose, warnings: GraphIssue[]): GraphUi {
  const ui: GraphUi = {};
  if (raw.viewport !== undefined) {
    const vp = raw.viewport as Loose;
    dropUnknown(vp, KNOWN_FIELDS_V1.viewport, 'ui.viewport', warnings);
    ui.viewport = { x: vp.x as number, y: vp.y as number, zoom: vp.zoom as number };
  }
  const extra = collectExtra(raw, KNOWN_FIELDS_V1.graphUi, 'ui', warnings);
  if (extra) ui.extra = extra;
  return ui;
}

export function toDocumentV1(parsed: GraphDocumentV1Parsed, warnings: GraphIssue[]): GraphDocument {
  const raw = parsed as unknown as Loose;
  const models: Record<string, ModelRef> = {};
  for (const [key, model] of Object.entries(parsed.models)) models[key] = toModel(model as Loose, key, warnings);
  const doc: GraphDocument = {
    format: GRAPH_FORMAT,
    version: GRAPH_FORMAT_VERSION,
    meta: toMeta(parsed.meta as Loose, warnings),
    models,
    nodes: parsed.nodes.map((n, i) => toNode(n as Loose, i, warnings)),
    edges: parsed.edges.map((e, i) => toEdge(e as Loose, i, warnings)),
  };
  if (parsed.ui !== undefined) doc.ui = toGraphUi(parsed.ui as Loose, warnings);
  const extra = collectExtra(raw, KNOWN_FIELDS_V1.document, '(document)', warnings);
  if (extra) doc.extra = extra;
  return doc;
}
