/**
 * Opening and saving graphs: JSON text, PNGs carrying the graph in their metadata, the examples
 * shipped in graphs/, and browser downloads. Opening goes through the loader (loadGraph) and the
 * validator, and returns every issue found; what is valid is loaded.
 */
import type { GraphDocument, GraphIssue } from '../graph/document.ts';
import { validateGraph } from '../graph/validate.ts';
import { isHeavyGraph } from './analysis/graphAnalysis.ts';
import { loadGraph } from '../persistence/load.ts';
import { saveGraphText } from '../persistence/save.ts';
import { isPng, readPngText } from '../tensor/png.ts';
import type { NodeCatalog } from './catalog.ts';

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
}

export function openGraphText(text: string, source: string, catalog: NodeCatalog | undefined): OpenResult {
  const loaded = loadGraph(text);
  if (!loaded.ok) return { issues: loaded.issues, loaderIssues: loaded.issues, source };
  // A huge graph is validated by the editor's live analysis, in its worker, not here.
  const deferred = isHeavyGraph(loaded.graph);
  const issues = [...loaded.warnings, ...(catalog && !deferred ? validateGraph(loaded.graph, catalog.registry) : [])];
  return { doc: loaded.graph, issues, loaderIssues: loaded.warnings, source, ...(deferred ? { validationDeferred: true } : {}) };
}

function failed(source: string, message: string): OpenResult {
  const issues: GraphIssue[] = [{ code: 'invalid-document', message: `${source}: ${message}`, severity: 'error' }];
  return { issues, loaderIssues: issues, source };
}

/** Opens a dropped or picked file: graph JSON, or a PNG with the graph in its text chunks. */
export async function openGraphFile(file: Blob & { name?: string }, catalog: NodeCatalog | undefined): Promise<OpenResult> {
  const name = file.name ?? 'file';
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (isPng(bytes)) {
    let text: Record<string, string>;
    try {
      text = readPngText(bytes, name);
    } catch (e) {
      return failed(name, e instanceof Error ? e.message : String(e));
    }
    const graph = text[PNG_GRAPH_KEYWORD];
    if (graph === undefined) {
      return failed(name, `a PNG without a "${PNG_GRAPH_KEYWORD}" text chunk, so it holds no graph`);
    }
    return openGraphText(graph, name, catalog);
  }
  return openGraphText(new TextDecoder().decode(bytes), name, catalog);
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
