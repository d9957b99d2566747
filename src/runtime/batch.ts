/** Batch-axis helpers for model calls: split a batch into items, join results back. */
import { Tensor, shapeSize } from '../tensor/tensor.ts';

/** Item `i` of the leading (batch) axis, keeping a batch dim of 1. Shares no memory. */
export function batchItem(t: Tensor<'float32'>, i: number): Tensor<'float32'> {
  const per = shapeSize(t.shape.slice(1));
  return new Tensor('float32', [1, ...t.shape.slice(1)], t.data.slice(i * per, (i + 1) * per));
}

/** Concatenates tensors along the batch axis (all other dims must agree). */
export function concatBatch(parts: readonly Tensor<'float32'>[]): Tensor<'float32'> {
  if (parts.length === 1) return parts[0];
  const rest = parts[0].shape.slice(1);
  for (const p of parts) {
    if (p.shape.length !== rest.length + 1 || p.shape.slice(1).some((d, i) => d !== rest[i])) {
      throw new Error(`cannot stack tensors of shapes [${parts[0].shape.join(', ')}] and [${p.shape.join(', ')}] along the batch axis`);
    }
  }
  const data = new Float32Array(parts.reduce((n, p) => n + p.size, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.size;
  }
  return new Tensor('float32', [parts.reduce((n, p) => n + p.shape[0], 0), ...rest], data);
}

/** Repeats a batch-1 tensor to `batch` items; returns the tensor unchanged when it already has them. */
export function repeatBatch<D extends 'float32' | 'float16' | 'int32' | 'int64'>(t: Tensor<D>, batch: number): Tensor<D> {
  if (t.shape[0] === batch) return t;
  if (t.shape[0] !== 1) throw new Error(`cannot repeat a batch of ${t.shape[0]} to ${batch}`);
  const Ctor = t.data.constructor as new (n: number) => Tensor<D>['data'];
  const data = new Ctor(t.size * batch);
  for (let b = 0; b < batch; b++) (data as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(t.data as ArrayLike<unknown>, b * t.size);
  return new Tensor(t.dtype, [batch, ...t.shape.slice(1)], data);
}

/**
 * `v * scale + shift` into a new float32 tensor, optionally clamped to [0, 1]. A plain loop
 * rather than a per-element callback: the VAE nodes run it on every pixel, where a callback V8
 * cannot inline (several share one helper) costs about 3× as much.
 */
export function affineFloat(t: Tensor<'float32'>, scale: number, shift: number, clampUnit = false): Tensor<'float32'> {
  const out = new Float32Array(t.size);
  const d = t.data;
  if (clampUnit) {
    for (let i = 0; i < out.length; i++) {
      const v = d[i] * scale + shift;
      out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  } else {
    for (let i = 0; i < out.length; i++) out[i] = d[i] * scale + shift;
  }
  return new Tensor('float32', t.shape, out);
}

