/**
 * Reads a graph from a .json file, or from a PNG that LatentLoom saved (graph in its metadata).
 * ComfyUI workflows (API or UI JSON, or a ComfyUI PNG's `prompt` / `workflow` text) are converted
 * with a `converted` warning. Only a regular file is read, within the size caps of
 * src/security/paths.ts: a FIFO or a device named as the graph would otherwise block or never end.
 */
import { resolve } from 'node:path';
import { openRegularFile } from '../security/fileAccess.ts';
import { loadGraph, type LoadResult } from '../persistence/load.ts';
import { isPng, readPngText } from '../tensor/png.ts';
import { PNG_GRAPH_KEYWORD } from '../../nodes/image/save.ts';
import { ComfyImportError, detectComfyFormat, importComfyWorkflow, type ImportOptions } from '../interop/comfy/index.ts';

export interface LoadFileOptions {
  /** Checkpoint names of ComfyUI workflows → model packages (`--models FILE`). */
  comfy?: ImportOptions;
}

function failed(message: string): LoadResult {
  return { ok: false, issues: [{ code: 'invalid-document', severity: 'error', message }] };
}

/** A ComfyUI workflow as parsed JSON, when the text is one. */
function comfyJson(text: string): unknown {
  if (text.includes('"latentloom.graph"')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
  return detectComfyFormat(json) ? json : undefined;
}

function loadComfy(json: unknown, path: string, options: LoadFileOptions): LoadResult {
  let converted;
  try {
    converted = importComfyWorkflow(json, options.comfy);
  } catch (error) {
    if (error instanceof ComfyImportError) return failed(`${path} is a ComfyUI workflow that cannot be converted: ${error.message}`);
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

export async function loadGraphFile(path: string, options: LoadFileOptions = {}): Promise<LoadResult> {
  let bytes: Uint8Array;
  try {
    bytes = (await openRegularFile(resolve(path), /\.png$/i.test(path) ? 'image' : 'json', path))!;
  } catch (error) {
    return failed(`Cannot read the graph file: ${(error as Error).message}`);
  }
  if (isPng(bytes)) {
    let chunks: Record<string, string>;
    try {
      chunks = readPngText(bytes, path);
    } catch (error) {
      return failed((error as Error).message);
    }
    const text = chunks[PNG_GRAPH_KEYWORD];
    if (text !== undefined) return loadGraph(text);
    // ComfyUI's SaveImage stores the API form as `prompt` and the editor's form as `workflow`.
    for (const keyword of ['prompt', 'workflow']) {
      const json = chunks[keyword] !== undefined ? comfyJson(chunks[keyword]) : undefined;
      if (json) return loadComfy(json, path, options);
    }
    return failed(`${path} is a PNG without an embedded LatentLoom graph or ComfyUI workflow`);
  }
  const text = new TextDecoder().decode(bytes);
  const json = comfyJson(text);
  if (json) return loadComfy(json, path, options);
  return loadGraph(text);
}
