/**
 * Feed assembly for `diffusion/denoise`: role mapping, batch-2 classifier-free guidance,
 * extra model inputs, and LCM's guidance-scale embedding. Kept apart from the node definition so
 * the benchmark's direct loop and tests can use the same code.
 */
import { Tensor } from '../../src/tensor/tensor.ts';
import type { TensorMeta } from '../../src/runtime/types.ts';
import { denoiserRoles, type DenoiserRoles } from '../../src/runtime/roles.ts';
import { concatBatch, repeatBatch } from '../../src/runtime/batch.ts';
import type { PortListItem } from '../../src/graph/nodeSpec.ts';

/** Sockets for a denoiser's extra inputs (everything but sample/timestep/context). */
export function denoiserExtraPorts(inputs: readonly TensorMeta[], outputs: readonly TensorMeta[], label: string): PortListItem[] {
  return denoiserRoles(inputs, outputs, label).extras.map((m) => ({ name: m.name, type: 'TENSOR' as const }));
}

/**
 * LCM's `timestep_cond`: a sinusoidal embedding of w = guidance_scale − 1, scaled by 1000
 * (sin half then cos half, as diffusers' `get_guidance_scale_embedding`).
 */
export function guidanceScaleEmbedding(guidanceScale: number, dim: number, batch: number): Tensor<'float32'> {
  // Each step rounded to float32 as torch computes it: the argument reaches thousands of radians,
  // so double-precision arguments would drift from diffusers' values by ~1e-4.
  const f = Math.fround;
  const w = f(f(guidanceScale - 1) * 1000);
  const half = Math.floor(dim / 2);
  const step = f(f(Math.log(10000)) / (half - 1));
  const row = new Float32Array(dim);
  for (let i = 0; i < half; i++) {
    const arg = f(w * f(Math.exp(f(i * -step))));
    row[i] = Math.sin(arg);
    row[half + i] = Math.cos(arg);
  }
  const data = new Float32Array(dim * batch);
  for (let b = 0; b < batch; b++) data.set(row, b * dim);
  return new Tensor('float32', [batch, dim], data);
}

/**
 * SDXL's `time_ids` for an uncropped image generated at its own size:
 * [original_h, original_w, crop_top, crop_left, target_h, target_w] per batch item.
 */
export function sdxlTimeIds(height: number, width: number, batch: number): Tensor<'float32'> {
  const row = [height, width, 0, 0, height, width];
  return new Tensor('float32', [batch, 6], Float32Array.from({ length: 6 * batch }, (_, i) => row[i % 6]));
}

/** Stacks a tensor with itself along the batch axis (any dtype), for a batch-2 CFG call. */
export function doubleBatch(t: Tensor): Tensor {
  const Ctor = t.data.constructor as new (n: number) => Tensor['data'];
  const data = new Ctor(t.size * 2);
  (data as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(t.data as ArrayLike<unknown>, 0);
  (data as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(t.data as ArrayLike<unknown>, t.size);
  return new Tensor(t.dtype, [t.shape[0] * 2, ...t.shape.slice(1)], data);
}

/** The conditioning's hidden states at the latent's batch size (a batch-1 prompt is repeated). */
export function contextForBatch(hidden: Tensor<'float32'>, batch: number, what: string): Tensor<'float32'> {
  if (hidden.shape.length !== 3) throw new Error(`${what} conditioning must be [B, L, D], got [${hidden.shape.join(', ')}]`);
  if (hidden.shape[0] !== batch && hidden.shape[0] !== 1) {
    throw new Error(`${what} conditioning has batch ${hidden.shape[0]} but the latent has ${batch}`);
  }
  return repeatBatch(hidden, batch);
}

/** Whether one call can carry 2B samples: the model's sample batch dim is free or exactly 2B. */
export function canBatchCfg(roles: DenoiserRoles, inputs: readonly TensorMeta[], batch: number, pos: Tensor, neg: Tensor): boolean {
  const dim = inputs.find((m) => m.name === roles.sample)?.shape?.[0];
  const batchOk = dim === undefined || dim === null || typeof dim === 'string' || dim === 2 * batch;
  return batchOk && pos.shape[1] === neg.shape[1] && pos.shape[2] === neg.shape[2];
}

/** Splits a [2B, …] output into its first and second halves (uncond, cond in diffusers order). */
export function splitHalves(t: Tensor<'float32'>): [Tensor<'float32'>, Tensor<'float32'>] {
  const half = t.size / 2;
  const shape = [t.shape[0] / 2, ...t.shape.slice(1)];
  return [new Tensor('float32', shape, t.data.slice(0, half)), new Tensor('float32', shape, t.data.slice(half))];
}

export { concatBatch };
