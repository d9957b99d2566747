/**
 * Resampling of [B, C, H, W] float32 tensors (images and latents), separable per axis.
 *
 * Semantics follow the reference each mode is usually compared against:
 * - `nearest`: PyTorch `F.interpolate(mode='nearest')`: src = floor(dst · in/out).
 * - `nearest-exact`: PyTorch `mode='nearest-exact'` (ComfyUI's latent default): src = floor((dst + ½) · in/out).
 * - `bilinear`: PyTorch `mode='bilinear', align_corners=False`, no antialiasing: src = (dst + ½) · in/out − ½,
 *   clamped at 0; edge pixels repeat.
 * - `bicubic`: PyTorch `mode='bicubic', align_corners=False`: Keys' cubic with a = −0.75 (PIL uses −0.5),
 *   no antialiasing, edge pixels repeat. Overshoot is not clamped (callers clamp images).
 * - `lanczos`: PIL `Image.LANCZOS`: windowed sinc with a = 3, antialiased when shrinking (the kernel
 *   is stretched by in/out), weights normalised to sum 1, taps outside the image dropped. PIL then
 *   rounds to 8 bits; this stays in float.
 * - `area`: PyTorch `mode='area'` (adaptive average pooling): output i averages source pixels
 *   [floor(i·in/out), ceil((i+1)·in/out)).
 */
import { Tensor, type TensorLike } from './tensor.ts';

export const RESAMPLE_MODES = ['nearest', 'nearest-exact', 'bilinear', 'bicubic', 'lanczos', 'area'] as const;
export type ResampleMode = (typeof RESAMPLE_MODES)[number];

/** For each output index along one axis: `taps` source indices and their weights. */
export interface AxisWeights {
  outSize: number;
  taps: number;
  indices: Int32Array; // outSize × taps
  weights: Float64Array; // outSize × taps
}

const clampIndex = (i: number, size: number) => (i < 0 ? 0 : i >= size ? size - 1 : i);

/** Keys' cubic convolution kernel; a = −0.75 is PyTorch's, −0.5 is PIL's. */
export function cubicKernel(x: number, a = -0.75): number {
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** Lanczos window with a lobes: sinc(x)·sinc(x/a) for |x| < a. */
export function lanczosKernel(x: number, a = 3): number {
  return Math.abs(x) < a ? sinc(x) * sinc(x / a) : 0;
}

/**
 * Source indices and weights for resizing one axis from `inSize` to `outSize`. `scale` is the
 * source step per output pixel; it defaults to in/out (PyTorch passes 1/scale_factor instead when
 * a scale factor is given, which is the same for exact factors).
 */
export function axisWeights(mode: ResampleMode, inSize: number, outSize: number, scale = inSize / outSize): AxisWeights {
  if (!Number.isInteger(inSize) || !Number.isInteger(outSize) || inSize < 1 || outSize < 1) {
    throw new Error(`Cannot resample from ${inSize} to ${outSize} pixels: sizes must be positive integers`);
  }
  switch (mode) {
    case 'nearest':
    case 'nearest-exact': {
      const offset = mode === 'nearest' ? 0 : 0.5;
      const indices = new Int32Array(outSize);
      for (let o = 0; o < outSize; o++) indices[o] = Math.min(Math.floor((o + offset) * scale), inSize - 1);
      return { outSize, taps: 1, indices, weights: new Float64Array(outSize).fill(1) };
    }
    case 'bilinear': {
      const indices = new Int32Array(outSize * 2);
      const weights = new Float64Array(outSize * 2);
      for (let o = 0; o < outSize; o++) {
        const src = Math.max((o + 0.5) * scale - 0.5, 0);
        const i0 = Math.min(Math.floor(src), inSize - 1);
        const frac = src - i0;
        indices[2 * o] = i0;
        indices[2 * o + 1] = Math.min(i0 + 1, inSize - 1);
        weights[2 * o] = 1 - frac;
        weights[2 * o + 1] = frac;
      }
      return { outSize, taps: 2, indices, weights };
    }
    case 'bicubic': {
      const indices = new Int32Array(outSize * 4);
      const weights = new Float64Array(outSize * 4);
      for (let o = 0; o < outSize; o++) {
        const src = (o + 0.5) * scale - 0.5;
        const i0 = Math.floor(src);
        const t = src - i0;
        for (let k = 0; k < 4; k++) {
          indices[4 * o + k] = clampIndex(i0 - 1 + k, inSize);
          weights[4 * o + k] = cubicKernel(t - (k - 1));
        }
      }
      return { outSize, taps: 4, indices, weights };
    }
    case 'lanczos':
      return lanczosAxisWeights(inSize, outSize, scale);
    case 'area':
      return areaAxisWeights(inSize, outSize);
    default:
      throw new Error(`Unknown resample mode "${String(mode)}"; expected one of ${RESAMPLE_MODES.join(', ')}`);
  }
}

/** Adaptive average pooling windows, as PyTorch computes them (integer start/end). */
function areaAxisWeights(inSize: number, outSize: number): AxisWeights {
  const taps = Math.ceil(inSize / outSize) + 1;
  const indices = new Int32Array(outSize * taps);
  const weights = new Float64Array(outSize * taps);
  for (let o = 0; o < outSize; o++) {
    const start = Math.floor((o * inSize) / outSize);
    const end = Math.ceil(((o + 1) * inSize) / outSize);
    for (let k = 0; k < taps; k++) {
      const i = start + k;
      indices[o * taps + k] = Math.min(i, inSize - 1);
      weights[o * taps + k] = i < end ? 1 / (end - start) : 0;
    }
  }
  return { outSize, taps, indices, weights };
}

/** PIL's antialiased convolution: support 3·max(scale, 1) around each output pixel's centre. */
function lanczosAxisWeights(inSize: number, outSize: number, scale: number): AxisWeights {
  const lobes = 3;
  const filterScale = Math.max(scale, 1);
  const support = lobes * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const indices = new Int32Array(outSize * taps);
  const weights = new Float64Array(outSize * taps);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const first = Math.max(Math.floor(centre - support + 0.5), 0);
    const end = Math.min(Math.floor(centre + support + 0.5), inSize);
    let total = 0;
    for (let k = 0; k < taps; k++) {
      const i = first + k;
      const w = i < end ? lanczosKernel((i - centre + 0.5) / filterScale, lobes) : 0;
      indices[o * taps + k] = Math.min(i, inSize - 1);
      weights[o * taps + k] = w;
      total += w;
    }
    if (total !== 0) for (let k = 0; k < taps; k++) weights[o * taps + k] /= total;
  }
  return { outSize, taps, indices, weights };
}

export interface ResizeOptions {
  mode: ResampleMode;
  /** Source step per output pixel along H and W; default in/out. */
  scaleH?: number;
  scaleW?: number;
}

/** Resizes a [B, C, H, W] (or [C, H, W] / [H, W]) float32 tensor to outH × outW. */
export function resizeTensor(
  input: TensorLike<'float32'>,
  outH: number,
  outW: number,
  options: ResizeOptions,
): Tensor<'float32'> {
  const shape = input.shape;
  if (shape.length < 2) throw new Error(`Cannot resize a tensor of shape [${shape.join(', ')}]: need at least H and W`);
  if (input.dtype !== 'float32') throw new Error(`Cannot resize a ${input.dtype} tensor: expected float32`);
  const inH = shape[shape.length - 2];
  const inW = shape[shape.length - 1];
  const planes = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const rows = axisWeights(options.mode, inH, outH, options.scaleH);
  const cols = axisWeights(options.mode, inW, outW, options.scaleW);
  const src = input.data;
  const out = new Float32Array(planes * outH * outW);
  const rowBuffer = new Float64Array(inH * outW);
  const accRow = new Float64Array(outW);

  for (let p = 0; p < planes; p++) {
    const base = p * inH * inW;
    // Horizontal pass: every source row to outW columns.
    for (let y = 0; y < inH; y++) {
      const rowStart = base + y * inW;
      for (let x = 0; x < outW; x++) {
        let acc = 0;
        for (let k = 0; k < cols.taps; k++) {
          acc += cols.weights[x * cols.taps + k] * src[rowStart + cols.indices[x * cols.taps + k]];
        }
        rowBuffer[y * outW + x] = acc;
      }
    }
    // Vertical pass, row by row so memory is read in order; zero-weight taps are skipped.
    const outBase = p * outH * outW;
    for (let y = 0; y < outH; y++) {
      accRow.fill(0);
      for (let k = 0; k < rows.taps; k++) {
        const w = rows.weights[y * rows.taps + k];
        if (w === 0) continue;
        const src = rows.indices[y * rows.taps + k] * outW;
        for (let x = 0; x < outW; x++) accRow[x] += w * rowBuffer[src + x];
      }
      out.set(accRow, outBase + y * outW);
    }
  }
  return new Tensor('float32', [...shape.slice(0, -2), outH, outW], out);
}

/** Output size for a scale factor, as PyTorch computes it (floor). */
export function scaledSize(size: number, factor: number): number {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new Error(`Scale factor must be a positive number, got ${factor}`);
  const out = Math.floor(size * factor);
  if (out < 1) throw new Error(`Scaling ${size} pixels by ${factor} leaves no pixels`);
  return out;
}

/** Resizes by a scale factor; like PyTorch with a scale_factor, the source step is 1/factor. */
export function scaleTensor(input: TensorLike<'float32'>, factor: number, mode: ResampleMode): Tensor<'float32'> {
  const h = input.shape[input.shape.length - 2];
  const w = input.shape[input.shape.length - 1];
  return resizeTensor(input, scaledSize(h, factor), scaledSize(w, factor), {
    mode,
    scaleH: 1 / factor,
    scaleW: 1 / factor,
  });
}
