/**
 * Opening and saving graphs: JSON text, PNGs carrying the graph in their metadata, the examples
 * shipped in graphs/, and browser downloads. Opening goes through the loader (loadGraph) and the
 * validator, and returns every issue found; what is valid is loaded. ComfyUI workflows (API or UI
 * JSON, or a ComfyUI PNG's `prompt` / `workflow` text) are converted first, as the CLI does.
 */
import type { GraphDocument, GraphIssue } from '../graph/document.ts';
import { validateGraph } from '../graph/validate.ts';
import { isHeavyGraph } from './analysis/graphAnalysis.ts';
import { loadGraph, type LoadResult } from '../persistence/load.ts';
import { comfyWorkflowFromPngText, comfyWorkflowJson, loadComfyWorkflow } from '../interop/comfy/open.ts';
import type { ImportOptions } from '../interop/comfy/types.ts';
import { saveGraphText } from '../persistence/save.ts';
import { isPng, readPngText } from '../tensor/png.ts';
import type { NodeCatalog } from './catalog.ts';
import { withTidyLayout } from './layout/tidy.ts';

export const PNG_GRAPH_KEYWORD = 'latentloom.graph';

export interface OpenResult {
  doc?: GraphDocument;
  /** Loader warnings/errors and validator issues together, loader's first. */
  issues: GraphIssue[];
  /** The loader's own part of `issues` (the validator's part is recomputed live by the editor). */
  loaderIssues: GraphIssue[];
  source: string;
  /** The graph is too large to validate here: `issues` holds the loader's only. */
  validationDeferred?: boolean;
  /** Set when the file was a ComfyUI workflow: the notice to show ("converted from …"). */
  converted?: string;
}

export interface OpenOptions {
  /** Checkpoint names of ComfyUI workflows → model packages; the toy names are always known. */
  comfy?: ImportOptions;
}

/** Graph JSON text, or a ComfyUI workflow's JSON text (converted). */
export function openGraphText(text: string, source: string, catalog: NodeCatalog | undefined, options: OpenOptions = {}): OpenResult {
  const comfy = comfyWorkflowJson(text);
  return openLoaded(comfy ? loadComfyWorkflow(comfy, source, options.comfy) : loadGraph(text), source, catalog);
}

/** True when the text is a ComfyUI workflow (API or UI form) rather than a LatentLoom graph. */
export function isComfyWorkflowText(text: string): boolean {
  return comfyWorkflowJson(text) !== undefined;
}

function convertedNotice(loaded: LoadResult & { ok: true }): string | undefined {
  const notes = loaded.warnings.filter((w) => w.code === 'converted');
  if (!notes.length) return undefined;
  const rest = notes.length - 1;
  return `${notes[0].message[0].toUpperCase()}${notes[0].message.slice(1)}${rest ? `, with ${rest} conversion warning(s): ${notes.slice(1).map((n) => n.message).join('; ')}` : ''}`;
}

function openLoaded(loaded: LoadResult, source: string, catalog: NodeCatalog | undefined): OpenResult {
  if (!loaded.ok) return { issues: loaded.issues, loaderIssues: loaded.issues, source };
  // A huge graph is validated by the editor's live analysis, in its worker, not here.
  const deferred = isHeavyGraph(loaded.graph);
  const issues = [...loaded.warnings, ...(catalog && !deferred ? validateGraph(loaded.graph, catalog.registry) : [])];
  const converted = convertedNotice(loaded);
  const doc = catalog ? withTidyLayout(loaded.graph, catalog, converted !== undefined) : loaded.graph;
  return { doc, issues, loaderIssues: loaded.warnings, source, ...(deferred ? { validationDeferred: true } : {}), ...(converted ? { converted } : {}) };
}

function failed(source: string, message: string): OpenResult {
  const issues: GraphIssue[] = [{ code: 'invalid-document', message: `${source}: ${message}`, severity: 'error' }];
  return { issues, loaderIssues: issues, source };
}

/**
 * Opens a dropped or picked file: graph JSON, a PNG with the graph in its text chunks, or a
 * ComfyUI workflow (JSON, or a ComfyUI PNG: `prompt` wins over `workflow`).
 */
export async function openGraphFile(file: Blob & { name?: string }, catalog: NodeCatalog | undefined, options: OpenOptions = {}): Promise<OpenResult> {
  const name = file.name ?? 'file';
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (isPng(bytes)) {
    let text: Record<string, string>;
    try {
      text = readPngText(bytes, name);
    } catch (e) {
      return failed(name, e instanceof Error ? e.message : String(e));
    }
    const graph = Object.hasOwn(text, PNG_GRAPH_KEYWORD) ? text[PNG_GRAPH_KEYWORD] : undefined;
    if (graph !== undefined) return openLoaded(loadGraph(graph), name, catalog);
    const workflow = comfyWorkflowFromPngText(text);
    if (workflow) return openLoaded(loadComfyWorkflow(workflow, name, options.comfy), name, catalog);
    return failed(name, `a PNG without a "${PNG_GRAPH_KEYWORD}" text chunk or a ComfyUI workflow, so it holds no graph`);
  }
  return openGraphText(new TextDecoder().decode(bytes), name, catalog, options);
}

export function graphFileText(doc: GraphDocument): string {
  return saveGraphText(doc);
}

export function downloadBytes(bytes: Uint8Array | string, fileName: string, mime: string): void {
  const blob = new Blob([bytes as BlobPart], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function safeFileName(title: string | undefined, ext: string): string {
  const stem = (title ?? 'graph').trim().replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'graph';
  return `${stem}.${ext}`;
}

/** The example graphs shipped in graphs/, bundled at build time. */
const EXAMPLE_TEXTS = import.meta.glob('../../graphs/*.json', { eager: true, query: '?raw', import: 'default' }) as Record<string, string>;

export interface ExampleGraph {
  name: string;
  text: string;
}

export function exampleGraphs(): ExampleGraph[] {
  return Object.entries(EXAMPLE_TEXTS)
    .map(([path, text]) => ({ name: path.split('/').pop()!.replace(/\.json$/, ''), text }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const DEFAULT_EXAMPLE = 'toy-txt2img';

export function emptyDocument(): GraphDocument {
  return { format: 'latentloom.graph', version: 1, meta: { title: 'Untitled' }, models: {}, nodes: [], edges: [] };
}
