/**
 * Small elementwise and batch operations on float32 tensors (latent math). Each takes a `what`
 * label so errors name the node and port the bad tensor came from.
 */
import { toFloat32 } from './fp16.ts';
import { shapeSize, Tensor, type TensorLike } from './tensor.ts';

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** A float32 view of any tensor-like value, or a clear error naming `what`. */
export function requireFloatTensor(value: unknown, what: string, rank?: number): Tensor<'float32'> {
  const t = value as TensorLike | undefined;
  if (!t || typeof t !== 'object' || !Array.isArray(t.shape) || !t.data || typeof t.dtype !== 'string') {
    throw new Error(`${what}: expected a tensor, got ${value === undefined ? 'nothing' : typeof value}`);
  }
  if (rank !== undefined && t.shape.length !== rank) {
    throw new Error(`${what}: expected a ${rank}-D tensor, got shape ${shapeText(t.shape)}`);
  }
  if (t.data.length !== shapeSize(t.shape)) {
    throw new Error(`${what}: data has ${t.data.length} elements but shape ${shapeText(t.shape)} needs ${shapeSize(t.shape)}`);
  }
  return toFloat32(t);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** a · factor. */
export function multiplyTensor(a: TensorLike, factor: number): Tensor<'float32'> {
  const src = toFloat32(a).data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] * factor;
  return new Tensor('float32', a.shape, out);
}

/** a · (1 − t) + b · t, elementwise; shapes must match. */
export function lerpTensors(a: TensorLike, b: TensorLike, t: number, what = 'lerp'): Tensor<'float32'> {
  if (!sameShape(a.shape, b.shape)) throw new Error(`${what}: shapes differ, ${shapeText(a.shape)} vs ${shapeText(b.shape)}`);
  const x = toFloat32(a).data;
  const y = toFloat32(b).data;
  const out = new Float32Array(x.length);
  const s = 1 - t;
  for (let i = 0; i < x.length; i++) out[i] = x[i] * s + y[i] * t;
  return new Tensor('float32', a.shape, out);
}

/** Concatenation along dimension 0; all other dimensions must match. */
export function concatBatch(parts: readonly TensorLike[], what = 'concat'): Tensor<'float32'> {
  if (parts.length === 0) throw new Error(`${what}: nothing to concatenate`);
  const rest = parts[0].shape.slice(1);
  let batch = 0;
  for (const p of parts) {
    if (p.shape.length < 1 || !sameShape(p.shape.slice(1), rest)) {
      throw new Error(`${what}: all but the batch dimension must match, got ${parts.map((q) => shapeText(q.shape)).join(' and ')}`);
    }
    batch += p.shape[0];
  }
  const out = new Float32Array(batch * shapeSize(rest));
  let offset = 0;
  for (const p of parts) {
    const data = toFloat32(p).data;
    out.set(data, offset);
    offset += data.length;
  }
  return new Tensor('float32', [batch, ...rest], out);
}

/** Nearest integer, halves to even (Python's round, numpy's rint). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Crops the last two dimensions around the center to the aspect ratio of width × height, as
 * ComfyUI's `common_upscale(..., crop="center")` does before resizing.
 */
export function centerCropToAspect(t: TensorLike, width: number, height: number): Tensor<'float32'> {
  const src = toFloat32(t);
  const oldH = src.shape[src.shape.length - 2];
  const oldW = src.shape[src.shape.length - 1];
  const oldAspect = oldW / oldH;
  const newAspect = width / height;
  let x = 0;
  let y = 0;
  if (oldAspect > newAspect) x = roundHalfEven((oldW - oldW * (newAspect / oldAspect)) / 2);
  else if (oldAspect < newAspect) y = roundHalfEven((oldH - oldH * (oldAspect / newAspect)) / 2);
  if (x === 0 && y === 0) return src;
  const h = oldH - 2 * y;
  const w = oldW - 2 * x;
  const planes = shapeSize(src.shape.slice(0, -2));
  const out = new Float32Array(planes * h * w);
  for (let p = 0; p < planes; p++) {
    for (let r = 0; r < h; r++) {
      const from = p * oldH * oldW + (r + y) * oldW + x;
      out.set(src.data.subarray(from, from + w), (p * h + r) * w);
    }
  }
  return new Tensor('float32', [...src.shape.slice(0, -2), h, w], out);
}
