/**
 * Classifier-free guidance (Ho & Salimans 2022): uncond + s * (cond - uncond), with optional
 * guidance rescale (Lin et al. 2023, diffusers' rescale_noise_cfg), on separate predictions or on
 * one batch holding [uncond, cond] (uncond first, as diffusers concatenates them).
 * Float32 arithmetic in torch's op order; standard deviations are unbiased, per batch item.
 */
import { Tensor, shapeSize, type TensorLike } from '../tensor/tensor.ts';
import { kernels } from './kernels/index.ts';

const f32 = Math.fround;

export interface GuidanceOptions {
  /** Guidance rescale φ in [0, 1]; 0 (default) is plain CFG. */
  rescale?: number;
}

function floatArray(t: TensorLike<'float32'> | undefined, what: string): Float32Array {
  if (!t || t.dtype !== 'float32' || !(t.data instanceof Float32Array)) {
    throw new Error(`${what}: expected a float32 tensor, got ${t ? String(t.dtype) : String(t)}`);
  }
  if (t.data.length !== shapeSize(t.shape)) {
    throw new Error(`${what}: data has ${t.data.length} elements but shape [${t.shape.join(', ')}] needs ${shapeSize(t.shape)}`);
  }
  return t.data;
}

function checkScale(scale: number, rescale: number): void {
  if (!Number.isFinite(scale)) throw new Error(`CFG: guidance scale must be a finite number, got ${scale}`);
  if (!Number.isFinite(rescale) || rescale < 0 || rescale > 1) {
    throw new Error(`CFG: guidance rescale must be in [0, 1], got ${rescale}`);
  }
}

/** Unbiased standard deviation of each of `batch` equal chunks (double accumulation, float32 result). */
function chunkStd(x: Float32Array, batch: number): number[] {
  const per = x.length / batch;
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    let mean = 0;
    for (let i = 0; i < per; i++) mean += x[b * per + i];
    mean /= per;
    let ss = 0;
    for (let i = 0; i < per; i++) {
      const d = x[b * per + i] - mean;
      ss += d * d;
    }
    out.push(f32(Math.sqrt(ss / Math.max(per - 1, 1))));
  }
  return out;
}

/** Core: writes the guided prediction of `uncond`/`cond` views into a new array. */
function guide(
  uncond: Float32Array,
  cond: Float32Array,
  shape: readonly number[],
  scale: number,
  rescale: number,
): Float32Array {
  const n = cond.length;
  // uncond + s * (cond - uncond): wasm SIMD or JS kernel. The rescale below writes in place, so
  // it starts from its own copy (a kernel's result stays as the kernel made it).
  const guided = kernels().guidance(uncond, cond, f32(scale));
  const out = rescale > 0 ? guided.slice() : guided;
  if (rescale > 0) {
    const batch = shape[0] ?? 1;
    const per = n / batch;
    const stdCond = chunkStd(cond, batch);
    const stdCfg = chunkStd(out, batch);
    const phi = f32(rescale);
    const keep = f32(1 - rescale);
    for (let b = 0; b < batch; b++) {
      const ratio = f32(stdCond[b] / stdCfg[b]);
      for (let i = b * per; i < (b + 1) * per; i++) {
        const rescaled = f32(out[i] * ratio);
        out[i] = f32(phi * rescaled) + f32(keep * out[i]);
      }
    }
  }
  return out;
}

/** CFG on separate conditional and unconditional predictions of the same shape. */
export function classifierFreeGuidance(
  cond: TensorLike<'float32'>,
  uncond: TensorLike<'float32'>,
  scale: number,
  options: GuidanceOptions = {},
): Tensor<'float32'> {
  const c = floatArray(cond, 'CFG: cond');
  const u = floatArray(uncond, 'CFG: uncond');
  if (cond.shape.length !== uncond.shape.length || cond.shape.some((d, i) => d !== uncond.shape[i])) {
    throw new Error(`CFG: cond has shape [${cond.shape.join(', ')}] but uncond has shape [${uncond.shape.join(', ')}]`);
  }
  const rescale = options.rescale ?? 0;
  checkScale(scale, rescale);
  return new Tensor('float32', cond.shape, guide(u, c, cond.shape, scale, rescale));
}

/** CFG on one prediction whose batch is [uncond…, cond…] (2B items → B items). */
export function classifierFreeGuidanceBatched(
  prediction: TensorLike<'float32'>,
  scale: number,
  options: GuidanceOptions = {},
): Tensor<'float32'> {
  const data = floatArray(prediction, 'CFG: prediction');
  const batch2 = prediction.shape[0];
  if (prediction.shape.length < 1 || !batch2 || batch2 % 2 !== 0) {
    throw new Error(
      `CFG: a batched prediction needs an even batch [uncond, cond], got shape [${prediction.shape.join(', ')}]`,
    );
  }
  const half = data.length / 2;
  const shape = [batch2 / 2, ...prediction.shape.slice(1)];
  const rescale = options.rescale ?? 0;
  checkScale(scale, rescale);
  return new Tensor('float32', shape, guide(data.subarray(0, half), data.subarray(half), shape, scale, rescale));
}
