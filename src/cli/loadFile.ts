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
import type { ImportOptions } from '../interop/comfy/index.ts';
import { comfyWorkflowFromPngText, comfyWorkflowJson, loadComfyWorkflow } from '../interop/comfy/open.ts';

export interface LoadFileOptions {
  /** Checkpoint names of ComfyUI workflows → model packages (`--models FILE`). */
  comfy?: ImportOptions;
}

function failed(message: string): LoadResult {
  return { ok: false, issues: [{ code: 'invalid-document', severity: 'error', message }] };
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
    const workflow = comfyWorkflowFromPngText(chunks);
    if (workflow) return loadComfyWorkflow(workflow, path, options.comfy);
    return failed(`${path} is a PNG without an embedded LatentLoom graph or ComfyUI workflow`);
  }
  const text = new TextDecoder().decode(bytes);
  const json = comfyWorkflowJson(text);
  if (json) return loadComfyWorkflow(json, path, options.comfy);
  return loadGraph(text);
}
