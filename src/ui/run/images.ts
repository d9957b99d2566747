/**
 * Turning engine values into pictures for the editor: IMAGE/MASK tensors, LATENT previews
 * (already RGB tensors from the worker) and PNG bytes become object URLs; PNGs we offer for
 * download carry the graph in their metadata.
 */
import type { GraphDocument } from '../../graph/document.ts';
import { imageTensorToPng } from '../../tensor/image.ts';
import { encodePng, isPng, type RasterImage } from '../../tensor/png.ts';
import { imageTensorOf, picturesIn, type Picture } from '../../worker/pictures.ts';
import { saveGraphText } from '../../persistence/save.ts';
import { PNG_GRAPH_KEYWORD } from '../files.ts';

export type EditorImage = Picture;

/**
 * Every picture found in a node's outputs (tensors and PNG byte arrays), graph metadata embedded
 * in those encoded here. The worker sends them ready (RunResult `pictures`); this is for the rest.
 */
export function imagesFromOutputs(outputs: Record<string, unknown>, graph: GraphDocument | undefined): EditorImage[] {
  return picturesIn(outputs, () => (graph ? { [PNG_GRAPH_KEYWORD]: saveGraphText(graph) } : undefined));
}

interface RgbaPreviewLike {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

function isRgbaPreview(v: unknown): v is RgbaPreviewLike {
  const p = v as Partial<RgbaPreviewLike> | undefined;
  return !!p && typeof p === 'object' && typeof p.width === 'number' && typeof p.height === 'number'
    && (p.data instanceof Uint8ClampedArray || p.data instanceof Uint8Array) && p.data.length === p.width * p.height * 4;
}

/**
 * An object URL for a preview sent with node-progress. RGBA bytes (what the worker sends) are
 * painted on an OffscreenCanvas and encoded by the browser off the main thread; elsewhere
 * (Node tests, old browsers) they go through the PNG encoder like tensors and PNG bytes do.
 */
export async function previewObjectUrl(preview: unknown): Promise<string | undefined> {
  if (isRgbaPreview(preview) && typeof OffscreenCanvas === 'function' && typeof ImageData === 'function') {
    const canvas = new OffscreenCanvas(preview.width, preview.height);
    const context = canvas.getContext('2d');
    if (context) {
      const bytes = new Uint8ClampedArray(preview.data.buffer, preview.data.byteOffset, preview.data.byteLength);
      context.putImageData(new ImageData(bytes as Uint8ClampedArray<ArrayBuffer>, preview.width, preview.height), 0, 0);
      return URL.createObjectURL(await canvas.convertToBlob({ type: 'image/png' }));
    }
  }
  const png = previewToPng(preview);
  return png ? pngUrl(png) : undefined;
}

/** A preview sent with node-progress: an image tensor, PNG bytes, or RGBA { width, height, data }. */
export function previewToPng(preview: unknown): Uint8Array | undefined {
  if (preview instanceof Uint8Array && isPng(preview)) return preview;
  if (isRgbaPreview(preview)) return encodePng({ width: preview.width, height: preview.height, channels: 4, data: preview.data } as RasterImage);
  const tensor = imageTensorOf(preview);
  if (tensor) return imageTensorToPng(tensor);
  return undefined;
}

export function pngUrl(png: Uint8Array): string {
  return URL.createObjectURL(new Blob([png as BlobPart], { type: 'image/png' }));
}

/**
 * What a node's pictures are pictures of: the outputs wired into it. A Save and a Preview fed by
 * the same decode show the same picture, which the gallery keeps once.
 */
export function pictureSource(graph: GraphDocument, nodeId: string): string {
  const sources = graph.edges.filter((e) => e.to.node === nodeId).map((e) => `${e.from.node}.${e.from.port}`).sort();
  return sources.length ? sources.join('+') : `node:${nodeId}`;
}

/** Output nodes in the order their pictures are kept: image/save first (its PNG is the one to download). */
export function savesFirst(graph: GraphDocument, nodeIds: readonly string[]): string[] {
  const type = new Map(graph.nodes.map((n) => [n.id, n.type]));
  return [...nodeIds].sort((a, b) => Number(type.get(b) === 'image/save') - Number(type.get(a) === 'image/save'));
}
