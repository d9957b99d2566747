import { imageTensorToPng } from '../../src/tensor/image.ts';
import { checkWorkingSet, type TensorLike } from '../../src/tensor/tensor.ts';

/**
 * PNG bytes for every image of an NCHW batch (a 3-D [C, H, W] tensor is one image). Encoding one
 * image holds its 8-bit scanlines, their filtered copy and the deflate output (at worst as large),
 * so that working set is checked against the memory budget first (`where` names the node).
 */
export function encodeImageBatch(images: TensorLike, text: Record<string, string> | undefined, signal: AbortSignal, where = 'PNG encoding'): Uint8Array[] {
  if (!images || !Array.isArray(images.shape) || !ArrayBuffer.isView(images.data)) {
    throw new Error('input "images" is not an image tensor');
  }
  const batch = images.shape.length === 4 ? images.shape[0] : 1;
  const [channels, height, width] = images.shape.slice(-3) as number[];
  const scanlines = height * (1 + width * Math.min(4, channels));
  checkWorkingSet(3 * scanlines, `encoding a ${width}×${height} PNG`, where);
  const out: Uint8Array[] = [];
  for (let i = 0; i < batch; i++) {
    signal.throwIfAborted();
    out.push(imageTensorToPng(images, { batchIndex: i, ...(text ? { text } : {}) }));
  }
  return out;
}
