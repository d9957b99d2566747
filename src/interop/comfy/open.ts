/**
 * Opening a ComfyUI workflow as a LatentLoom graph, shared by the CLI (src/cli/loadFile.ts) and the
 * editor (src/ui/files.ts): recognising workflow JSON text, picking the workflow out of a ComfyUI
 * PNG's text chunks, and converting it through the graph loader. Framework-free: no Node, no DOM,
 * and nothing is fetched.
 */
import { loadGraph, type LoadResult } from '../../persistence/load.ts';
import { detectComfyFormat } from './detect.ts';
import { importComfyWorkflow } from './toGraph.ts';
import { ComfyImportError, type ImportOptions } from './types.ts';

/** A ComfyUI workflow (API or UI form) as parsed JSON, when the text is one; else undefined. */
export function comfyWorkflowJson(text: string): unknown {
  if (text.includes('"latentloom.graph"')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
  return detectComfyFormat(json) ? json : undefined;
}

/**
 * The workflow a ComfyUI PNG carries: SaveImage stores the API form as `prompt` and the editor's
 * form as `workflow`; the API form wins when both are there.
 */
export function comfyWorkflowFromPngText(chunks: Readonly<Record<string, string>>): unknown {
  for (const keyword of ['prompt', 'workflow']) {
    const json = Object.hasOwn(chunks, keyword) ? comfyWorkflowJson(chunks[keyword]) : undefined;
    if (json) return json;
  }
  return undefined;
}

/**
 * Converts a ComfyUI workflow and loads the result as a graph file. On success the first warnings
 * are `converted` ones: "converted from a ComfyUI workflow (API|UI format)", then the converter's.
 * A conversion failure is a load failure whose message names the ComfyUI node and class.
 */
export function loadComfyWorkflow(json: unknown, source: string, options: ImportOptions = {}): LoadResult {
  let converted;
  try {
    converted = importComfyWorkflow(json, options);
  } catch (error) {
    if (error instanceof ComfyImportError) {
      return { ok: false, issues: [{ code: 'invalid-document', severity: 'error', message: `${source} is a ComfyUI workflow that cannot be converted: ${error.message}` }] };
    }
    throw error;
  }
  const loaded = loadGraph(converted.document);
  if (!loaded.ok) return loaded;
  const form = converted.format === 'api' ? 'API' : 'UI';
  const notes = [`converted from a ComfyUI workflow (${form} format)`, ...converted.warnings];
  return {
    ...loaded,
    warnings: [...notes.map((message) => ({ code: 'converted' as const, severity: 'warning' as const, message })), ...loaded.warnings],
  };
}
