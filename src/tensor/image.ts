/**
 * Image tensors (NCHW float) ⇄ 8-bit RGBA pixels ⇄ PNG files.
 *
 * IMAGE tensors are [B, C, H, W] float32 in [0, 1] (C = 3; 1 for masks/gray, 4 with alpha).
 * Float → byte follows diffusers' `numpy_to_pil`: clamp to [0, 1], multiply by 255 in float32,
 * round half to even (numpy's rounding); `rounding: 'truncate'` gives ComfyUI's SaveImage bytes
 * instead. Byte → float is v / 255.
 */
import { toFloat32 } from './fp16.ts';
import { roundHalfEven } from './ops.ts';
import { decodePng, encodePng, type PngEncodeOptions } from './png.ts';
import { Tensor, type TensorLike } from './tensor.ts';

/** Interleaved 8-bit RGBA pixels (the layout of ImageData and canvas). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

export interface TensorToRgbaOptions {
  /** Which image of the batch (default 0). */
  batchIndex?: number;
  /** Value range of the tensor: '0,1' (IMAGE, default) or '-1,1' (VAE output). */
  range?: '0,1' | '-1,1';
  /** 'round' (diffusers, default: half to even) or 'truncate' (ComfyUI's SaveImage: clip then cast). */
  rounding?: 'round' | 'truncate';
}

/** [N, C, H, W] or [C, H, W] → its parts, with a clear error for anything else. */
function imageDims(shape: readonly number[], what: string): { batch: number; channels: number; height: number; width: number } {
  const dims = shape.length === 3 ? [1, ...shape] : shape;
  if (dims.length !== 4) throw new Error(`${what}: expected an image tensor [B, C, H, W], got shape [${shape.join(', ')}]`);
  const [batch, channels, height, width] = dims;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new Error(`${what}: image tensor must have 1, 3 or 4 channels (dim 1), got shape [${shape.join(', ')}]`);
  }
  return { batch, channels, height, width };
}

/** One image of an NCHW float tensor as RGBA bytes (gray is replicated, alpha defaults to 255). */
export function imageTensorToRgba(image: TensorLike, options: TensorToRgbaOptions = {}): RgbaImage & { data: Uint8Array } {
  const { batch, channels, height, width } = imageDims(image.shape, 'imageTensorToRgba');
  const index = options.batchIndex ?? 0;
  if (!Number.isInteger(index) || index < 0 || index >= batch) {
    throw new Error(`imageTensorToRgba: batch index ${index} out of range for batch size ${batch}`);
  }
  const src = toFloat32(image).data;
  const plane = width * height;
  const base = index * channels * plane;
  const signed = options.range === '-1,1';
  const truncate = options.rounding === 'truncate';
  const out = new Uint8Array(plane * 4);
  const toByte = (v: number): number => {
    let x = signed ? Math.fround(v * 0.5 + 0.5) : v;
    if (!(x > 0)) x = 0; // also maps NaN to 0
    else if (x > 1) x = 1;
    const scaled = Math.fround(x * 255);
    return truncate ? Math.trunc(scaled) : roundHalfEven(scaled);
  };
  for (let p = 0; p < plane; p++) {
    const o = 4 * p;
    if (channels === 1) {
      out[o] = out[o + 1] = out[o + 2] = toByte(src[base + p]);
      out[o + 3] = 255;
    } else {
      out[o] = toByte(src[base + p]);
      out[o + 1] = toByte(src[base + plane + p]);
      out[o + 2] = toByte(src[base + 2 * plane + p]);
      out[o + 3] = channels === 4 ? toByte(src[base + 3 * plane + p]) : 255;
    }
  }
  return { width, height, data: out };
}

export interface RgbaToTensorOptions {
  /** 3 (RGB, default), 4 (RGBA) or 1 (luma, ITU-R 601-2 as Pillow's "L"; or alpha with `alphaAsMask`). */
  channels?: 1 | 3 | 4;
  /** With channels 1: take the alpha channel (a mask) instead of luma. */
  alphaAsMask?: boolean;
  /** '0,1' (default) or '-1,1' (VAE encoder input). */
  range?: '0,1' | '-1,1';
}

/** RGBA bytes → a [1, C, H, W] float32 tensor. */
export function rgbaToImageTensor(rgba: RgbaImage, options: RgbaToTensorOptions = {}): Tensor<'float32'> {
  const { width, height, data } = rgba;
  if (data.length !== width * height * 4) {
    throw new Error(`rgbaToImageTensor: ${data.length} bytes given, ${width}×${height}×4 = ${width * height * 4} expected`);
  }
  const channels = options.channels ?? 3;
  const plane = width * height;
  const out = new Float32Array(channels * plane);
  const signed = options.range === '-1,1';
  const scale = (v: number): number => (signed ? (v / 255) * 2 - 1 : v / 255);
  for (let p = 0; p < plane; p++) {
    const o = 4 * p;
    if (channels === 1) {
      // Pillow's L conversion: L = R*299/1000 + G*587/1000 + B*114/1000 (integer, rounded).
      const value = options.alphaAsMask ? data[o + 3] : Math.floor((data[o] * 19595 + data[o + 1] * 38470 + data[o + 2] * 7471 + 0x8000) / 65536);
      out[p] = scale(value);
    } else {
      for (let c = 0; c < channels; c++) out[c * plane + p] = scale(data[o + c]);
    }
  }
  return new Tensor('float32', [1, channels, height, width], out);
}

export interface ImageToPngOptions extends TensorToRgbaOptions {
  text?: PngEncodeOptions['text'];
  level?: number;
  /** Keep an alpha channel (4-channel tensors only); default true when the tensor has one. */
  alpha?: boolean;
}

/** One image of an NCHW tensor as PNG bytes (RGB, or RGBA when the tensor has 4 channels). */
export function imageTensorToPng(image: TensorLike, options: ImageToPngOptions = {}): Uint8Array {
  const rgba = imageTensorToRgba(image, options);
  const channels = imageDims(image.shape, 'imageTensorToPng').channels;
  if (channels === 4 && options.alpha !== false) {
    return encodePng({ width: rgba.width, height: rgba.height, channels: 4, data: rgba.data }, options);
  }
  const plane = rgba.width * rgba.height;
  const packed = new Uint8Array(plane * (channels === 1 ? 1 : 3));
  for (let p = 0; p < plane; p++) {
    if (channels === 1) packed[p] = rgba.data[4 * p];
    else {
      packed[3 * p] = rgba.data[4 * p];
      packed[3 * p + 1] = rgba.data[4 * p + 1];
      packed[3 * p + 2] = rgba.data[4 * p + 2];
    }
  }
  return encodePng({ width: rgba.width, height: rgba.height, channels: channels === 1 ? 1 : 3, data: packed }, options);
}

export interface PngToImageResult {
  /** [1, C, H, W] float32. */
  image: Tensor<'float32'>;
  /** [1, 1, H, W] alpha in [0, 1] when the file has transparency. */
  alpha?: Tensor<'float32'>;
  text: Record<string, string>;
}

/** PNG bytes → an image tensor (+ alpha mask and text chunks). `source` names the file in errors. */
export function pngToImageTensor(bytes: Uint8Array, options: RgbaToTensorOptions & { source?: string } = {}): PngToImageResult {
  const png = decodePng(bytes, options.source);
  const image = rgbaToImageTensor(png, options);
  const hasAlpha = png.sourceChannels === 2 || png.sourceChannels === 4;
  const alpha = hasAlpha ? rgbaToImageTensor(png, { channels: 1, alphaAsMask: true }) : undefined;
  return { image, alpha, text: png.text };
}

/** [-1, 1] → [0, 1], clamped (diffusers' `denormalize`, for VAE decoder output). */
export function denormalizeImage(tensor: TensorLike): Tensor<'float32'> {
  const src = toFloat32(tensor).data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = Math.fround(src[i] * 0.5 + 0.5);
    out[i] = v > 0 ? (v < 1 ? v : 1) : 0;
  }
  return new Tensor('float32', tensor.shape, out);
}

/** [0, 1] → [-1, 1] (diffusers' `normalize`, for VAE encoder input). */
export function normalizeImage(tensor: TensorLike): Tensor<'float32'> {
  const src = toFloat32(tensor).data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = 2 * src[i] - 1;
  return new Tensor('float32', tensor.shape, out);
}
