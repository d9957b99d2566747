/** Reads a graph from a .json file, or from a PNG that LatentLoom saved (graph in its metadata). */
import { readFile } from 'node:fs/promises';
import { loadGraph, type LoadResult } from '../persistence/load.ts';
import { isPng, readPngText } from '../tensor/png.ts';
import { PNG_GRAPH_KEYWORD } from '../../nodes/image/save.ts';

export async function loadGraphFile(path: string): Promise<LoadResult> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { ok: false, issues: [{ code: 'invalid-document', severity: 'error', message: `Cannot read ${path}: ${why}` }] };
  }
  if (isPng(bytes)) {
    let text: string | undefined;
    try {
      text = readPngText(bytes, path)[PNG_GRAPH_KEYWORD];
    } catch (error) {
      return { ok: false, issues: [{ code: 'invalid-document', severity: 'error', message: (error as Error).message }] };
    }
    if (text === undefined) {
      return { ok: false, issues: [{ code: 'invalid-document', severity: 'error', message: `${path} is a PNG without an embedded LatentLoom graph` }] };
    }
    return loadGraph(text);
  }
  return loadGraph(new TextDecoder().decode(bytes));
}
