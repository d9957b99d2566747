/**
 * The pictures in a node's outputs, as PNG bytes: PNG byte arrays as they are (image/save and
 * image/preview encode in the worker already), IMAGE/MASK tensors encoded here. The worker does
 * this for a run's targets (WorkerRunOptions.pictures), so the editor's main thread never encodes
 * a PNG; the editor falls back to the same code for hosts that do not.
 */
import { imageTensorToPng } from '../tensor/image.ts';
import { isPng } from '../tensor/png.ts';
import type { TensorLike } from '../tensor/tensor.ts';

export interface Picture {
  png: Uint8Array;
  width: number;
  height: number;
}

function isTensorLike(v: unknown): v is TensorLike {
  if (!v || typeof v !== 'object') return false;
  const t = v as Partial<TensorLike>;
  return typeof t.dtype === 'string' && Array.isArray(t.shape) && ArrayBuffer.isView(t.data);
}

/** An image tensor [B,C,H,W] or [C,H,W] with C in {1,3,4}. */
export function imageTensorOf(v: unknown): TensorLike | undefined {
  if (!isTensorLike(v)) return undefined;
  const s = v.shape;
  const c = s.length === 4 ? s[1] : s.length === 3 ? s[0] : 0;
  return c === 1 || c === 3 || c === 4 ? v : undefined;
}

/**
 * Every picture in `outputs`, in port order (a list port gives one per item). `text` gives the PNG
 * text chunks for pictures encoded here (the graph); it is only called when a tensor needs encoding.
 */
export function picturesIn(outputs: Record<string, unknown>, text: () => Record<string, string> | undefined): Picture[] {
  const pictures: Picture[] = [];
  let chunks: Record<string, string> | undefined;
  let asked = false;
  const values = Object.values(outputs).flatMap((v) => (Array.isArray(v) ? v : [v]));
  for (const value of values) {
    if (value instanceof Uint8Array && isPng(value)) {
      const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
      pictures.push({ png: value, width: view.getUint32(16), height: view.getUint32(20) });
      continue;
    }
    const tensor = imageTensorOf(value);
    if (!tensor) continue;
    if (!asked) {
      chunks = text();
      asked = true;
    }
    const dims = tensor.shape.length === 4 ? tensor.shape : [1, ...tensor.shape];
    for (let b = 0; b < dims[0]; b++) {
      pictures.push({ png: imageTensorToPng(tensor, { batchIndex: b, ...(chunks ? { text: chunks } : {}) }), width: dims[3], height: dims[2] });
    }
  }
  return pictures;
}
