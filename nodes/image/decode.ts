/**
 * Reading image files for `image/load`: fetch the bytes (local path through the host's
 * `readFile`, http(s)/blob URLs with fetch, data: URLs inline) and decode PNG or JPEG in plain
 * TypeScript, so the same code runs in Node, the browser and a worker. Other formats fall back to
 * the browser's decoder (createImageBitmap + OffscreenCanvas) where one exists.
 */
import jpeg from 'jpeg-js';
import { isPng } from '../../src/tensor/png.ts';
import { pngToImageTensor, rgbaToImageTensor, type RgbaImage } from '../../src/tensor/image.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import type { NodeServices } from '../services.ts';

/** Largest image `image/load` decodes (megapixels), to fail clearly instead of running out of memory. */
const MAX_MEGAPIXELS = 64;

export interface DecodedImage {
  /** [1, 3, H, W] in [0, 1]. */
  image: Tensor<'float32'>;
  /** [1, 1, H, W] alpha in [0, 1]; absent for opaque formats. */
  alpha?: Tensor<'float32'>;
  format: 'png' | 'jpeg' | 'other';
}

function decodeDataUrl(url: string): Uint8Array {
  const comma = url.indexOf(',');
  if (comma < 0) throw new Error('malformed data: URL (no comma)');
  const header = url.slice(5, comma);
  const payload = url.slice(comma + 1);
  if (header.endsWith(';base64')) {
    const binary = atob(payload);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }
  return new TextEncoder().encode(decodeURIComponent(payload));
}

/** The bytes of an image source: a path, an http(s)/blob URL or a data: URL. */
export async function readImageBytes(source: string, services: NodeServices, signal?: AbortSignal): Promise<Uint8Array> {
  const trimmed = source.trim();
  if (!trimmed) throw new Error('no image given (the `source` param is empty)');
  if (trimmed.startsWith('data:')) return decodeDataUrl(trimmed);
  if (/^(https?|blob):/i.test(trimmed)) {
    const response = await fetch(trimmed, { signal });
    if (!response.ok) throw new Error(`could not download ${trimmed}: HTTP ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  }
  if (!services.readFile) {
    throw new Error(`cannot read local file "${trimmed}": this host gives nodes no file access (use a URL or drop the image)`);
  }
  const path = trimmed.startsWith('file://') ? decodeURIComponent(new URL(trimmed).pathname) : trimmed;
  try {
    return await services.readFile(path);
  } catch (err) {
    throw new Error(`could not read image file "${path}": ${err instanceof Error ? err.message : String(err)}`);
  }
}

const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

async function decodeWithBrowser(bytes: Uint8Array): Promise<RgbaImage> {
  const g = globalThis as { createImageBitmap?: typeof createImageBitmap; OffscreenCanvas?: typeof OffscreenCanvas };
  if (!g.createImageBitmap || !g.OffscreenCanvas) {
    throw new Error('not a PNG or JPEG file, and this host has no browser image decoder for other formats');
  }
  const bitmap = await g.createImageBitmap(new Blob([bytes as BlobPart]));
  const canvas = new g.OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2D canvas context to decode the image');
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  return { width: pixels.width, height: pixels.height, data: pixels.data };
}

/** PNG / JPEG (any host) or another format (browser) → RGB tensor and alpha. `source` names it in errors. */
export async function decodeImageBytes(bytes: Uint8Array, source: string): Promise<DecodedImage> {
  if (isPng(bytes)) {
    const png = pngToImageTensor(bytes, { source });
    return { image: png.image, alpha: png.alpha, format: 'png' };
  }
  if (isJpeg(bytes)) {
    let decoded: { width: number; height: number; data: Uint8Array };
    try {
      decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS });
    } catch (err) {
      throw new Error(`${source}: JPEG could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { image: rgbaToImageTensor(decoded), format: 'jpeg' };
  }
  let rgba: RgbaImage;
  try {
    rgba = await decodeWithBrowser(bytes);
  } catch (err) {
    throw new Error(`${source}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const image = rgbaToImageTensor(rgba);
  const alpha = rgbaToImageTensor(rgba, { channels: 1, alphaAsMask: true });
  const opaque = alpha.data.every((v) => v === 1);
  return { image, alpha: opaque ? undefined : alpha, format: 'other' };
}
