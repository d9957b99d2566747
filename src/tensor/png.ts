/**
 * PNG encode/decode in plain TypeScript (zlib via fflate), so it runs in the browser, a worker
 * and Node alike.
 *
 * - encode: 8-bit gray / gray+alpha / RGB / RGBA, adaptive per-row filters, optional text chunks
 *   (Latin-1 text → `tEXt`, anything else → uncompressed UTF-8 `iTXt`, as Pillow does).
 * - decode (pngDecode.ts): every color type and bit depth, `tRNS`, Adam7; 8-bit RGBA out; text
 *   from `tEXt`, `zTXt` and `iTXt`.
 */
import { zlibSync, type DeflateOptions } from 'fflate';
import { buildChunk, concat, PNG_SIGNATURE, textChunk } from './pngChunks.ts';

export { isPng } from './pngChunks.ts';
export { decodePng, readPngText, type DecodedPng } from './pngDecode.ts';

/** Interleaved 8-bit pixels, row-major, `channels` bytes per pixel. */
export interface RasterImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

export interface PngEncodeOptions {
  /** keyword → text, e.g. `{ 'latentloom.graph': JSON.stringify(doc) }`. */
  text?: Readonly<Record<string, string>>;
  /** zlib level 0–9 (default 6, as Pillow). */
  level?: number;
}

const COLOR_TYPE_BY_CHANNELS = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

/** A zlib stream (RFC 1950) of `data` at `level` (0–9). */
export type ZlibCompress = (data: Uint8Array, level: number) => Uint8Array;

const fflateZlib: ZlibCompress = (data, level) => zlibSync(data, { level: level as DeflateOptions['level'] });
let zlibCompress = fflateZlib;

/**
 * The compressor of IDAT data: fflate (plain JS, the same bytes everywhere) unless a host installs
 * a native one (Node hosts: src/tensor/nodeZlib.ts). A native zlib writes other, equally valid
 * bytes for the same pixels, and is ~10× cheaper on a cold start, where fflate's deflate still
 * runs in the interpreter. No argument: back to fflate.
 */
export function setPngCompressor(compress?: ZlibCompress): void {
  zlibCompress = compress ?? fflateZlib;
}

/** Sum of |v| over bytes read as signed: the usual "minimum sum of absolute differences" heuristic. */
function score(bytes: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i++) {
    const v = bytes[i];
    s += v < 128 ? v : 256 - v;
  }
  return s;
}

/** Writes row `row` filtered with `filter` into `dst` (prev is the row above, zeros for the first). */
function applyFilter(filter: number, row: Uint8Array, prev: Uint8Array, bpp: number, dst: Uint8Array): void {
  const n = row.length;
  switch (filter) {
    case 0:
      dst.set(row);
      break;
    case 1:
      for (let i = 0; i < n; i++) dst[i] = row[i] - (i >= bpp ? row[i - bpp] : 0);
      break;
    case 2:
      for (let i = 0; i < n; i++) dst[i] = row[i] - prev[i];
      break;
    case 3:
      for (let i = 0; i < n; i++) dst[i] = row[i] - (((i >= bpp ? row[i - bpp] : 0) + prev[i]) >> 1);
      break;
    default:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? row[i - bpp] : 0;
        const c = i >= bpp ? prev[i - bpp] : 0;
        const b = prev[i];
        const p = a + b - c;
        const pa = p > a ? p - a : a - p;
        const pb = p > b ? p - b : b - p;
        const pc = p > c ? p - c : c - p;
        dst[i] = row[i] - (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
  }
}

/** Filters each row with the filter whose output has the smallest score. */
function filterRows(pixels: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  const out = new Uint8Array(height * (stride + 1));
  const candidate = new Uint8Array(stride);
  const zeroRow = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : zeroRow;
    const dst = out.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    applyFilter(0, row, prev, bpp, dst);
    let bestScore = score(dst);
    for (let filter = 1; filter < 5 && bestScore > 0; filter++) {
      applyFilter(filter, row, prev, bpp, candidate);
      const s = score(candidate);
      if (s < bestScore) {
        bestScore = s;
        out[y * (stride + 1)] = filter;
        dst.set(candidate);
      }
    }
  }
  return out;
}

export function encodePng(image: RasterImage, options: PngEncodeOptions = {}): Uint8Array {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`PNG encode: invalid size ${width}×${height}`);
  }
  if (!(channels in COLOR_TYPE_BY_CHANNELS)) throw new Error(`PNG encode: unsupported channel count ${channels}`);
  if (data.length !== width * height * channels) {
    throw new Error(`PNG encode: ${data.length} bytes given, ${width}×${height}×${channels} = ${width * height * channels} expected`);
  }
  const level = options.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new Error(`PNG encode: zlib level ${level} is not an integer in 0–9`);
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8;
  header[9] = COLOR_TYPE_BY_CHANNELS[channels];
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
  const idat = zlibCompress(filterRows(bytes, width, height, channels), level);
  const texts = Object.entries(options.text ?? {}).map(([k, v]) => textChunk(k, v));
  return concat([
    new Uint8Array(PNG_SIGNATURE),
    buildChunk('IHDR', header),
    ...texts,
    buildChunk('IDAT', idat),
    buildChunk('IEND', new Uint8Array(0)),
  ]);
}
