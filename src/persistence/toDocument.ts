/**
 * Builds the in-memory GraphDocument from a schema-checked version-2 file (older versions are
 * migrated to 2 first). Unknown fields of the
 * document, meta, models, nodes and graph ui go under their `extra` so a round trip keeps them;
 * unknown fields of edges, port refs, node ui and viewport have no `extra` and are dropped with a
 * warning.
 */
import {
  GRAPH_FORMAT,
  GRAPH_FORMAT_VERSION,
  type AppExposedParam,
  type GraphDocument,
  type GraphEdge,
  type GraphIssue,
  type GraphMeta,
  type GraphNode,
  type GraphUi,
  type ModelFileInfo,
  type ModelRef,
  type NodeUi,
  type PortRef,
  type SubgraphBody,
} from '../graph/document.ts';
import { KNOWN_FIELDS_V2 as KNOWN, type GraphDocumentV2Parsed } from './schemaV2.ts';

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
  dropUnknown(ui, KNOWN.nodeUi, where, warnings, node);
  const out: NodeUi = { x: ui.x as number, y: ui.y as number };
  if (ui.collapsed !== undefined) out.collapsed = ui.collapsed as boolean;
  if (ui.width !== undefined) out.width = ui.width as number;
  if (ui.height !== undefined) out.height = ui.height as number;
  return out;
}

function toNode(raw: Loose, index: number, warnings: GraphIssue[], list = 'nodes'): GraphNode {
  const where = `${list}[${index}]`;
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
  if (raw.subgraph !== undefined) node.subgraph = toSubgraph(raw.subgraph as Loose, `${where}.subgraph`, warnings, nodeId);
  const extra = collectExtra(raw, KNOWN.node, where, warnings);
  if (extra) node.extra = extra;
  return node;
}

function toRef(r: Loose, where: string, warnings: GraphIssue[]): PortRef {
  dropUnknown(r, KNOWN.portRef, where, warnings);
  return { node: r.node as string, port: r.port as string };
}

/** A subgraph's inside; its nodes are read as top-level nodes are, at their nested path. */
function toSubgraph(raw: Loose, where: string, warnings: GraphIssue[], node: string): SubgraphBody {
  dropUnknown(raw, KNOWN.subgraph, where, warnings, node);
  const inner = (list: unknown, key: string) => (list as Loose[]).map((item) => ({ item, at: `${where}.${key}` }));
  return {
    nodes: inner(raw.nodes, 'nodes').map(({ item, at }, i) => toNode(item, i, warnings, at)),
    edges: inner(raw.edges, 'edges').map(({ item, at }, i) => toEdge(item, i, warnings, at)),
    inputs: (raw.inputs as Loose[]).map((p, i) => {
      const at = `${where}.inputs[${i}]`;
      dropUnknown(p, KNOWN.subgraphInput, at, warnings, node);
      return { name: p.name as string, type: p.type as string, to: (p.to as Loose[]).map((r, j) => toRef(r, `${at}.to[${j}]`, warnings)) };
    }),
    outputs: (raw.outputs as Loose[]).map((p, i) => {
      const at = `${where}.outputs[${i}]`;
      dropUnknown(p, KNOWN.subgraphOutput, at, warnings, node);
      return { name: p.name as string, type: p.type as string, from: toRef(p.from as Loose, `${at}.from`, warnings) };
    }),
  };
}

function toApp(raw: Loose, warnings: GraphIssue[]): { exposed: AppExposedParam[] } {
  dropUnknown(raw, KNOWN.app, 'app', warnings);
  return {
    exposed: (raw.exposed as Loose[]).map((e, i) => {
      dropUnknown(e, KNOWN.appExposed, `app.exposed[${i}]`, warnings);
      const item: AppExposedParam = { node: e.node as string, param: e.param as string };
      if (e.label !== undefined) item.label = e.label as string;
      return item;
    }),
  };
}

function toEdge(raw: Loose, index: number, warnings: GraphIssue[], list = 'edges'): GraphEdge {
  const where = `${list}[${index}]`;
  dropUnknown(raw, KNOWN.edge, where, warnings);
  return { from: toRef(raw.from as Loose, `${where}.from`, warnings), to: toRef(raw.to as Loose, `${where}.to`, warnings) };
}

function toModel(raw: Loose, key: string, warnings: GraphIssue[]): ModelRef {
  const where = `models.${key}`;
  const model: ModelRef = { source: raw.source as string };
  if (raw.title !== undefined) model.title = raw.title as string;
  if (raw.files !== undefined) {
    const files: Record<string, ModelFileInfo> = {};
    for (const [name, info] of Object.entries(raw.files as Record<string, Loose>)) {
      dropUnknown(info, KNOWN.modelFile, `${where}.files.${name}`, warnings);
      const file: ModelFileInfo = {};
      if (info.size !== undefined) file.size = info.size as number;
      if (info.sha256 !== undefined) file.sha256 = info.sha256 as string;
      files[name] = file;
    }
    model.files = files;
  }
  const extra = collectExtra(raw, KNOWN.model, where, warnings);
  if (extra) model.extra = extra;
  return model;
}

function toMeta(raw: Loose, warnings: GraphIssue[]): GraphMeta {
  const meta: GraphMeta = {};
  if (raw.title !== undefined) meta.title = raw.title as string;
  if (raw.description !== undefined) meta.description = raw.description as string;
  const extra = collectExtra(raw, KNOWN.meta, 'meta', warnings);
  if (extra) meta.extra = extra;
  return meta;
}

function toGraphUi(raw: Loose, warnings: GraphIssue[]): GraphUi {
  const ui: GraphUi = {};
  if (raw.viewport !== undefined) {
    const vp = raw.viewport as Loose;
    dropUnknown(vp, KNOWN.viewport, 'ui.viewport', warnings);
    ui.viewport = { x: vp.x as number, y: vp.y as number, zoom: vp.zoom as number };
  }
  const extra = collectExtra(raw, KNOWN.graphUi, 'ui', warnings);
  if (extra) ui.extra = extra;
  return ui;
}

export function toDocument(parsed: GraphDocumentV2Parsed, warnings: GraphIssue[]): GraphDocument {
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
  if (parsed.app !== undefined) doc.app = toApp(parsed.app as Loose, warnings);
  const extra = collectExtra(raw, KNOWN.document, '(document)', warnings);
  if (extra) doc.extra = extra;
  return doc;
}
