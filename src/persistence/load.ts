/**
 * `loadGraph`: the one way a graph file enters LatentLoom. It takes a parsed object, JSON text or
 * the file's bytes (UTF-8, an optional BOM); it parses text, enforces size limits,
 * copies the data safely, migrates old format versions, checks the schema and builds the
 * in-memory document. It never throws, whatever it is given.
 *
 * Loading checks the file's shape only; whether the graph makes sense against a node registry
 * (types, ports, cycles, zones) is `validateGraph`'s job.
 */
import { GRAPH_FORMAT, GRAPH_FORMAT_VERSION, type GraphDocument, type GraphIssue } from '../graph/document.ts';
import type { NodeRegistry } from '../graph/registry.ts';
import { upgradeNodes } from '../graph/upgradeNodes.ts';
import { DEFAULT_LIMITS, type GraphLimits } from './limits.ts';
import { FORMAT_MIGRATIONS, migrateDocument, type FormatMigration } from './migrations.ts';
import { sanitizeJson, scanJsonText } from './sanitize.ts';
import { GraphDocumentV2 } from './schemaV2.ts';
import { toDocument } from './toDocument.ts';
import { zodErrorToIssues } from './zodIssues.ts';

export interface LoadOptions {
  limits?: Partial<GraphLimits>;
  /**
   * When given, nodes saved by older versions of their type are upgraded with the type's
   * `migrate` (a `migrated` warning each). Without it the document is returned as saved.
   */
  registry?: NodeRegistry;
  /** The format migration chain; defaults to the one shipped (tests register their own). */
  migrations?: readonly FormatMigration[];
}

export type LoadResult =
  | { ok: true; graph: GraphDocument; warnings: GraphIssue[] }
  | { ok: false; issues: GraphIssue[] };

function fail(code: GraphIssue['code'], message: string, path?: string): LoadResult {
  return { ok: false, issues: [{ code, message, severity: 'error', ...(path !== undefined ? { path } : {}) }] };
}

function parseText(text: string, limits: GraphLimits): { ok: true; value: unknown } | { ok: false; result: LoadResult } {
  if (text.length > limits.maxTextLength) {
    return { ok: false, result: fail('too-large', `Graph text of ${text.length} characters exceeds the limit of ${limits.maxTextLength}`) };
  }
  // Checked before JSON.parse so deep junk and huge graphs are refused in one linear scan.
  const scan = scanJsonText(text, limits);
  if (scan.tooDeep) return { ok: false, result: fail('too-large', `JSON nesting deeper than ${limits.maxDepth} levels`) };
  if (scan.nodes > limits.maxNodes) {
    return { ok: false, result: fail('too-large', `Graph has more than ${limits.maxNodes} nodes (the limit)`, 'nodes') };
  }
  if (scan.edges > limits.maxEdges) {
    return { ok: false, result: fail('too-large', `Graph has more than ${limits.maxEdges} edges (the limit)`, 'edges') };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, result: fail('invalid-json', `Not valid JSON: ${detail}`) };
  }
}

/** Counts checked on the raw value before copying it, so a 100k-node file costs no more than its parse. */
function checkCounts(raw: Record<string, unknown>, limits: GraphLimits): LoadResult | undefined {
  const nodes = raw.nodes;
  if (Array.isArray(nodes) && nodes.length > limits.maxNodes) {
    return fail('too-large', `Graph has ${nodes.length} nodes; the limit is ${limits.maxNodes}`, 'nodes');
  }
  const edges = raw.edges;
  if (Array.isArray(edges) && edges.length > limits.maxEdges) {
    return fail('too-large', `Graph has ${edges.length} edges; the limit is ${limits.maxEdges}`, 'edges');
  }
  return undefined;
}

type Nested = { subgraph?: { nodes: Nested[]; edges: unknown[] } };

function countNested(nodes: readonly Nested[], edges: number): { nodes: number; edges: number } {
  const total = { nodes: nodes.length, edges };
  for (const node of nodes) {
    if (!node.subgraph) continue;
    const inner = countNested(node.subgraph.nodes, node.subgraph.edges.length);
    total.nodes += inner.nodes;
    total.edges += inner.edges;
  }
  return total;
}

function loadUnsafe(json: unknown, options: LoadOptions): LoadResult {
  const limits: GraphLimits = { ...DEFAULT_LIMITS, ...options.limits };
  let input = json;
  let text: string | undefined = typeof json === 'string' ? json : undefined;
  if (json instanceof Uint8Array || json instanceof ArrayBuffer) {
    if (json.byteLength > limits.maxTextLength) return fail('too-large', `Graph file of ${json.byteLength} bytes exceeds the limit of ${limits.maxTextLength}`);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(json);
    } catch {
      return fail('invalid-json', 'The file is not valid UTF-8 text');
    }
  }
  if (text !== undefined) {
    // A byte-order mark from some editors is not part of the JSON.
    const parsed = parseText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, limits);
    if (!parsed.ok) return parsed.result;
    input = parsed.value;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const got = input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input;
    return fail('invalid-document', `A graph file must be a JSON object, got ${got}`);
  }
  const counted = checkCounts(input as Record<string, unknown>, limits);
  if (counted) return counted;

  // What JSON.parse just built is ours and plain: check it in place rather than copy it.
  const clean = sanitizeJson(input, limits, text !== undefined);
  if (!clean.ok) return { ok: false, issues: clean.issues };
  const raw = clean.value as Record<string, unknown>;
  const warnings = [...clean.warnings];

  if (raw.format !== GRAPH_FORMAT) {
    const got = raw.format === undefined ? 'no "format" field' : `format ${JSON.stringify(raw.format).slice(0, 80)}`;
    return fail('invalid-document', `Not a LatentLoom graph: expected "format": "${GRAPH_FORMAT}", found ${got}`, 'format');
  }
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    const found = typeof version === 'number' ? String(version) : (JSON.stringify(version)?.slice(0, 80) ?? 'nothing');
    return fail('unsupported-version', `"version" must be an integer format version, found ${found}`, 'version');
  }
  const migrated = migrateDocument(raw, version, options.migrations ?? FORMAT_MIGRATIONS, GRAPH_FORMAT_VERSION);
  if (!migrated.ok) return { ok: false, issues: migrated.issues };
  warnings.push(...migrated.warnings);

  // A migration may have produced anything; the current schema has the last word.
  const parsed = GraphDocumentV2.safeParse(migrated.value);
  if (!parsed.success) return { ok: false, issues: zodErrorToIssues(parsed.error, migrated.value) };
  // Subgraphs hold nodes of their own: the limits count every node and edge, nested ones too.
  const total = countNested(parsed.data.nodes as Nested[], parsed.data.edges.length);
  if (total.nodes > limits.maxNodes) return fail('too-large', `Graph has ${total.nodes} nodes counting those inside subgraphs; the limit is ${limits.maxNodes}`, 'nodes');
  if (total.edges > limits.maxEdges) return fail('too-large', `Graph has ${total.edges} edges counting those inside subgraphs; the limit is ${limits.maxEdges}`, 'edges');
  const graph = toDocument(parsed.data, warnings);
  if (!options.registry) return { ok: true, graph, warnings };
  // A node whose migration fails stays as saved; validateGraph reports it as an error, but the
  // file still opens so the user can fix that node.
  const upgraded = upgradeNodes(graph, options.registry);
  const notes = upgraded.issues.map((i): GraphIssue => ({ ...i, severity: 'warning' }));
  return { ok: true, graph: upgraded.graph, warnings: [...warnings, ...notes] };
}

/**
 * Parses (when given text), limits, migrates and checks a graph file.
 * Returns `{ ok: true, graph, warnings }` or `{ ok: false, issues }`; never throws.
 */
export function loadGraph(json: unknown, options: LoadOptions = {}): LoadResult {
  try {
    return loadUnsafe(json, options);
  } catch (error) {
    // Last line of defence: a bug here must still not crash the caller.
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof RangeError ? 'too-large' : 'invalid-document';
    return fail(code, `Could not load the graph: ${message}`);
  }
}
