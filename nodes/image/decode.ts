/**
 * Reading image files for `image/load`: fetch the bytes (local path through the host's
 * `readFile`, http(s)/blob URLs with fetch, data: URLs inline) and decode PNG or JPEG in plain
 * TypeScript, so the same code runs in Node, the browser and a worker; JPEGs are turned upright by
 * their EXIF orientation. Other formats fall back to the browser's decoder (createImageBitmap +
 * OffscreenCanvas, which applies EXIF orientation itself) where one exists.
 */
import jpeg from 'jpeg-js';
import { isPng } from '../../src/tensor/png.ts';
import { pngToImageTensor, rgbaToImageTensor, type RgbaImage } from '../../src/tensor/image.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import type { NodeServices } from '../services.ts';
import { FileAccessError, SIZE_LIMITS, formatBytes } from '../../src/security/limits.ts';
import { browserGuardedFetch, safeUrlText } from '../../src/security/network.ts';

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
/** The file path an image source names, or undefined for data:, http(s): and blob: sources. */
export function localImagePath(source: string): string | undefined {
  const trimmed = source.trim();
  if (!trimmed || trimmed.startsWith('data:') || /^(https?|blob):/i.test(trimmed)) return undefined;
  return trimmed.startsWith('file://') ? decodeURIComponent(new URL(trimmed).pathname) : trimmed;
}

/**
 * The current identity of a local image file for the cache signature: the host's file stamp
 * (size + mtime), else a hash of its bytes; undefined for sources whose string is the identity.
 */
export async function localImageStamp(source: string, services: NodeServices): Promise<string | undefined> {
  const path = localImagePath(source);
  if (path === undefined) return undefined;
  if (services.fileStamp) return `stamp:${await services.fileStamp(path)}`;
  if (!services.readFile) return undefined;
  const bytes = await services.readFile(path);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < bytes.length; i++) {
    h1 = Math.imul(h1 ^ bytes[i], 0x01000193);
    h2 = Math.imul(h2 ^ bytes[i], 0x5bd1e995);
  }
  return `bytes:${bytes.length}:${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)}`;
}

export async function readImageBytes(source: string, services: NodeServices, signal?: AbortSignal): Promise<Uint8Array> {
  const trimmed = source.trim();
  if (!trimmed) throw new Error('no image given (the `source` param is empty)');
  if (trimmed.startsWith('data:')) return decodeDataUrl(trimmed);
  if (/^blob:/i.test(trimmed)) {
    // A blob: URL names bytes this page already holds: no network involved.
    const response = await fetch(trimmed, { signal });
    return new Uint8Array(await response.arrayBuffer());
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) && !/^file:/i.test(trimmed)) {
    // Graph-named URLs are untrusted: the host's policy (CLI) or the literal-address check (browser).
    const response = services.fetchUrl
      ? await services.fetchUrl(trimmed, { signal, purpose: 'image' })
      : await browserGuardedFetch((input, init) => globalThis.fetch(input, init), { purpose: 'image' })(trimmed, { signal });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`could not download ${safeUrlText(trimmed)}: HTTP ${response.status} ${response.statusText}`);
    }
    return readBodyCapped(response, SIZE_LIMITS.image, safeUrlText(trimmed));
  }
  if (!services.readFile) {
    throw new Error(`cannot read local file "${trimmed}": this host gives nodes no file access (use a URL or drop the image)`);
  }
  const path = localImagePath(trimmed) as string;
  try {
    return await services.readFile(path, 'image');
  } catch (err) {
    // The host's refusal already names the file and why (outside the allowed folders, a FIFO, too large).
    if (err instanceof FileAccessError) throw err;
    throw new Error(`could not read image file "${path}": ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The body of a download, refused as soon as it passes `limit` bytes (the cap for a local image):
 * a declared Content-Length over it is refused before reading, and a body that runs on without one
 * is cut off at the limit, so a graph cannot make the host buffer an endless stream.
 */
export async function readBodyCapped(response: Response, limit: number, shown: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  const tooLarge = (size: string) => new Error(`could not download ${shown}: the image is ${size}, over the ${formatBytes(limit)} limit for an image`);
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(formatBytes(declared));
  }
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(`more than ${formatBytes(limit)}`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  return bytes;
}

const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** EXIF orientation tag (1–8) from the body of an APP1 "Exif" segment; 1 when absent or unreadable. */
export function exifOrientation(exif: Uint8Array | undefined): number {
  if (!exif) return 1;
  // jpeg-js strips "Exif\0"; the TIFF header follows the second NUL (skip it if present).
  const start = exif[0] === 0 ? 1 : 0;
  if (exif.length < start + 8) return 1;
  const view = new DataView(exif.buffer, exif.byteOffset + start, exif.length - start);
  const order = view.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return 1;
  const little = order === 0x4949;
  if (view.getUint16(2, little) !== 42) return 1;
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > view.byteLength) return 1;
  const count = view.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > view.byteLength) return 1;
    if (view.getUint16(entry, little) === 0x0112) {
      const value = view.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

/**
 * Turns RGBA pixels upright for an EXIF orientation (as Pillow's `exif_transpose`, which ComfyUI
 * applies on load): 2 mirror, 3 rotate 180°, 4 flip, 5 transpose, 6 rotate 90° clockwise,
 * 7 transverse, 8 rotate 90° counter-clockwise.
 */
export function applyOrientation(image: RgbaImage, orientation: number): RgbaImage {
  if (orientation <= 1 || orientation > 8) return image;
  const { width: w, height: h, data } = image;
  const swap = orientation >= 5;
  const outW = swap ? h : w;
  const outH = swap ? w : h;
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: sx = w - 1 - x; sy = y; break;
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;
        case 4: sx = x; sy = h - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = h - 1 - x; break;
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;
        default: sx = w - 1 - y; sy = x; break; // 8
      }
      const from = (sy * w + sx) * 4;
      const to = (y * outW + x) * 4;
      out[to] = data[from];
      out[to + 1] = data[from + 1];
      out[to + 2] = data[from + 2];
      out[to + 3] = data[from + 3];
    }
  }
  return { width: outW, height: outH, data: out };
}

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
    let decoded: { width: number; height: number; data: Uint8Array; exifBuffer?: Uint8Array };
    try {
      decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS });
    } catch (err) {
      throw new Error(`${source}: JPEG could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { image: rgbaToImageTensor(applyOrientation(decoded, exifOrientation(decoded.exifBuffer))), format: 'jpeg' };
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
