import { imageTensorToPng } from '../../src/tensor/image.ts';
import type { TensorLike } from '../../src/tensor/tensor.ts';

/** PNG bytes for every image of an NCHW batch (a 3-D [C, H, W] tensor is one image). */
export function encodeImageBatch(images: TensorLike, text: Record<string, string> | undefined, signal: AbortSignal): Uint8Array[] {
  if (!images || !Array.isArray(images.shape) || !ArrayBuffer.isView(images.data)) {
    throw new Error('input "images" is not an image tensor');
  }
  const batch = images.shape.length === 4 ? images.shape[0] : 1;
  const out: Uint8Array[] = [];
  for (let i = 0; i < batch; i++) {
    signal.throwIfAborted();
    out.push(imageTensorToPng(images, { batchIndex: i, ...(text ? { text } : {}) }));
  }
  return out;
}
