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
