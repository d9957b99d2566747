/**
 * Reads a graph from a .json file, or from a PNG that LatentLoom saved (graph in its metadata).
 * Only a regular file is read, within the size caps of src/security/paths.ts: a FIFO or a device
 * named as the graph would otherwise block or never end.
 */
import { resolve } from 'node:path';
import { openRegularFile } from '../security/fileAccess.ts';
import { loadGraph, type LoadResult } from '../persistence/load.ts';
import { isPng, readPngText } from '../tensor/png.ts';
import { PNG_GRAPH_KEYWORD } from '../../nodes/image/save.ts';

export async function loadGraphFile(path: string): Promise<LoadResult> {
  let bytes: Uint8Array;
  try {
    bytes = (await openRegularFile(resolve(path), /\.png$/i.test(path) ? 'image' : 'json', path))!;
  } catch (error) {
    return { ok: false, issues: [{ code: 'invalid-document', severity: 'error', message: `Cannot read the graph file: ${(error as Error).message}` }] };
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
