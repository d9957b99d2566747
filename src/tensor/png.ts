/**
 * PNG encode/decode in plain TypeScript (zlib via fflate), so it runs in the browser, a worker
 * and Node alike.
 *
 * - encode: 8-bit gray / gray+alpha / RGB / RGBA, adaptive per-row filters, optional text chunks
 *   (Latin-1 text → `tEXt`, anything else → uncompressed UTF-8 `iTXt`, as Pillow does).
 * - decode: every color type (gray, RGB, palette, gray+alpha, RGBA), bit depths 1–16, `tRNS`,
 *   Adam7 interlacing; pixels come back as 8-bit RGBA. Text from `tEXt`, `zTXt` and `iTXt`.
 */
import { unzlibSync, zlibSync, type DeflateOptions } from 'fflate';

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
  /** zlib level 0–9 (default 6). */
  level?: number;
}

export interface DecodedPng {
  width: number;
  height: number;
  /** 8-bit RGBA, width × height × 4. */
  data: Uint8Array;
  /** Channels in the file (1 gray, 2 gray+alpha, 3 RGB/palette, 4 RGBA or palette with alpha). */
  sourceChannels: 1 | 2 | 3 | 4;
  bitDepth: number;
  colorType: number;
  text: Record<string, string>;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const COLOR_TYPE_BY_CHANNELS = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;
const CHANNELS_BY_COLOR_TYPE: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  return SIGNATURE.every((b, i) => bytes[i] === b);
}

// ---------------------------------------------------------------- encode

function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out, 4, 8 + body.length));
  return out;
}

function textChunk(keyword: string, text: string): Uint8Array {
  if (keyword.length < 1 || keyword.length > 79 || !isLatin1(keyword) || keyword.includes('\0')) {
    throw new Error(`PNG text keyword "${keyword}" must be 1–79 Latin-1 characters without NUL`);
  }
  const key = latin1Bytes(keyword);
  if (isLatin1(text)) return chunk('tEXt', concat([key, new Uint8Array([0]), latin1Bytes(text)]));
  // iTXt: keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0.
  return chunk('iTXt', concat([key, new Uint8Array([0, 0, 0, 0, 0]), new TextEncoder().encode(text)]));
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Filters each row with the filter whose output has the smallest sum of |signed bytes|. */
function filterRows(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  const out = new Uint8Array(height * (stride + 1));
  const candidate = new Uint8Array(stride);
  const zeroRow = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : zeroRow;
    let bestScore = Infinity;
    const dst = out.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let filter = 0; filter < 5; filter++) {
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= bpp ? row[i - bpp] : 0;
        const b = prev[i];
        const c = i >= bpp ? prev[i - bpp] : 0;
        const predictor = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const v = (row[i] - predictor) & 0xff;
        candidate[i] = v;
        score += v < 128 ? v : 256 - v;
      }
      if (score < bestScore) {
        bestScore = score;
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
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8;
  header[9] = COLOR_TYPE_BY_CHANNELS[channels];
  const level = options.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new Error(`PNG encode: zlib level ${level} is not an integer in 0–9`);
  const idat = zlibSync(filterRows(data, width, height, channels), { level: level as DeflateOptions['level'] });
  const texts = Object.entries(options.text ?? {}).map(([k, v]) => textChunk(k, v));
  return concat([
    new Uint8Array(SIGNATURE),
    chunk('IHDR', header),
    ...texts,
    chunk('IDAT', idat),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

// ---------------------------------------------------------------- decode

interface RawChunk {
  type: string;
  body: Uint8Array;
}

function readChunks(bytes: Uint8Array, source: string): RawChunk[] {
  if (!isPng(bytes)) throw new Error(`${source}: not a PNG file (bad signature)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: RawChunk[] = [];
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 8 + length;
    if (end + 4 > bytes.length) throw new Error(`${source}: PNG chunk ${type} at byte ${offset} is truncated`);
    if (crc32(bytes, offset + 4, end) !== view.getUint32(end)) {
      throw new Error(`${source}: PNG chunk ${type} at byte ${offset} has a bad CRC (file corrupted)`);
    }
    chunks.push({ type, body: bytes.subarray(offset + 8, end) });
    offset = end + 4;
    if (type === 'IEND') return chunks;
  }
  throw new Error(`${source}: PNG file is truncated (no IEND chunk)`);
}

function decodeLatin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

/** tEXt is Latin-1 by the spec, but several tools write UTF-8 there; accept valid UTF-8 as such. */
function decodeTextPayload(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return decodeLatin1(bytes);
  }
}

function parseTextChunk(c: RawChunk, source: string): [string, string] | undefined {
  const nul = c.body.indexOf(0);
  if (nul < 1) throw new Error(`${source}: PNG ${c.type} chunk has no keyword`);
  const keyword = decodeLatin1(c.body.subarray(0, nul));
  if (c.type === 'tEXt') return [keyword, decodeTextPayload(c.body.subarray(nul + 1))];
  if (c.type === 'zTXt') return [keyword, decodeTextPayload(unzlibSync(c.body.subarray(nul + 2)))];
  // iTXt
  const compressed = c.body[nul + 1] === 1;
  const langEnd = c.body.indexOf(0, nul + 3);
  const translatedEnd = langEnd < 0 ? -1 : c.body.indexOf(0, langEnd + 1);
  if (translatedEnd < 0) throw new Error(`${source}: PNG iTXt chunk "${keyword}" is malformed`);
  const payload = c.body.subarray(translatedEnd + 1);
  return [keyword, new TextDecoder().decode(compressed ? unzlibSync(payload) : payload)];
}

function collectText(chunks: readonly RawChunk[], source: string): Record<string, string> {
  const text: Record<string, string> = {};
  for (const c of chunks) {
    if (c.type !== 'tEXt' && c.type !== 'zTXt' && c.type !== 'iTXt') continue;
    const entry = parseTextChunk(c, source);
    if (entry) text[entry[0]] = entry[1];
  }
  return text;
}

/** Reads only the text chunks (no pixel decoding): e.g. the embedded graph of a saved image. */
export function readPngText(bytes: Uint8Array, source = 'PNG'): Record<string, string> {
  return collectText(readChunks(bytes, source), source);
}

function unfilter(data: Uint8Array, offset: number, width: number, height: number, bitsPerPixel: number, source: string): Uint8Array {
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const out = new Uint8Array(stride * height);
  if (offset + (stride + 1) * height > data.length) throw new Error(`${source}: PNG image data is too short`);
  for (let y = 0; y < height; y++) {
    const filter = data[offset + y * (stride + 1)];
    const src = offset + y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[row + i - bpp] : 0;
      const b = y > 0 ? out[prev + i] : 0;
      const c = i >= bpp && y > 0 ? out[prev + i - bpp] : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) >> 1; break;
        case 4: predictor = paeth(a, b, c); break;
        default: throw new Error(`${source}: PNG row ${y} uses unknown filter type ${filter}`);
      }
      out[row + i] = (data[src + i] + predictor) & 0xff;
    }
  }
  return out;
}

interface Format {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  palette?: Uint8Array;
  transparency?: Uint8Array;
}

/** Converts unfiltered scanlines of a (sub)image to RGBA, writing pixel (x, y) at `place(x, y)`. */
function toRgba(lines: Uint8Array, w: number, h: number, f: Format, out: Uint8Array, place: (x: number, y: number) => number): void {
  const channels = CHANNELS_BY_COLOR_TYPE[f.colorType];
  const stride = Math.ceil((w * channels * f.bitDepth) / 8);
  const maxSample = (1 << f.bitDepth) - 1;
  const sample = (row: number, index: number): number => {
    if (f.bitDepth === 8) return lines[row + index];
    if (f.bitDepth === 16) return (lines[row + 2 * index] << 8) | lines[row + 2 * index + 1];
    const bit = index * f.bitDepth;
    return (lines[row + (bit >> 3)] >> (8 - f.bitDepth - (bit & 7))) & maxSample;
  };
  const to8 = (v: number): number => (f.bitDepth === 8 ? v : Math.round((v * 255) / maxSample));
  const t = f.transparency;
  const key16 = (i: number): number => (t ? (t[2 * i] << 8) | t[2 * i + 1] : -1);
  for (let y = 0; y < h; y++) {
    const row = y * stride;
    for (let x = 0; x < w; x++) {
      const o = place(x, y);
      const s = x * channels;
      if (f.colorType === 3) {
        const idx = sample(row, x);
        if (!f.palette || 3 * idx + 2 >= f.palette.length) throw new Error(`palette index ${idx} out of range`);
        out[o] = f.palette[3 * idx];
        out[o + 1] = f.palette[3 * idx + 1];
        out[o + 2] = f.palette[3 * idx + 2];
        out[o + 3] = t && idx < t.length ? t[idx] : 255;
      } else if (f.colorType === 0 || f.colorType === 4) {
        const g = sample(row, s);
        out[o] = out[o + 1] = out[o + 2] = to8(g);
        out[o + 3] = f.colorType === 4 ? to8(sample(row, s + 1)) : g === key16(0) ? 0 : 255;
      } else {
        const r = sample(row, s);
        const g = sample(row, s + 1);
        const b = sample(row, s + 2);
        out[o] = to8(r);
        out[o + 1] = to8(g);
        out[o + 2] = to8(b);
        out[o + 3] = f.colorType === 6 ? to8(sample(row, s + 3)) : r === key16(0) && g === key16(1) && b === key16(2) ? 0 : 255;
      }
    }
  }
}

const ADAM7 = [
  [0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2],
] as const;

const VALID_DEPTHS: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

/** Decodes a PNG to 8-bit RGBA plus its text chunks. `source` names the file in errors. */
export function decodePng(bytes: Uint8Array, source = 'PNG'): DecodedPng {
  const chunks = readChunks(bytes, source);
  const ihdr = chunks[0];
  if (!ihdr || ihdr.type !== 'IHDR' || ihdr.body.length !== 13) throw new Error(`${source}: PNG has no valid IHDR chunk`);
  const hv = new DataView(ihdr.body.buffer, ihdr.body.byteOffset, 13);
  const f: Format = { width: hv.getUint32(0), height: hv.getUint32(4), bitDepth: ihdr.body[8], colorType: ihdr.body[9] };
  const interlace = ihdr.body[12];
  if (!VALID_DEPTHS[f.colorType]?.includes(f.bitDepth)) {
    throw new Error(`${source}: unsupported PNG color type ${f.colorType} with bit depth ${f.bitDepth}`);
  }
  if (f.width < 1 || f.height < 1) throw new Error(`${source}: PNG has an empty size ${f.width}×${f.height}`);
  if (interlace > 1) throw new Error(`${source}: unknown PNG interlace method ${interlace}`);
  f.palette = chunks.find((c) => c.type === 'PLTE')?.body;
  f.transparency = chunks.find((c) => c.type === 'tRNS')?.body;
  if (f.colorType === 3 && !f.palette) throw new Error(`${source}: palette PNG has no PLTE chunk`);
  const idat = concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.body));
  if (idat.length === 0) throw new Error(`${source}: PNG has no image data (IDAT)`);
  let raw: Uint8Array;
  try {
    raw = unzlibSync(idat);
  } catch (e) {
    throw new Error(`${source}: PNG image data does not decompress (${(e as Error).message})`);
  }
  const bitsPerPixel = CHANNELS_BY_COLOR_TYPE[f.colorType] * f.bitDepth;
  const out = new Uint8Array(f.width * f.height * 4);
  try {
    if (interlace === 0) {
      const lines = unfilter(raw, 0, f.width, f.height, bitsPerPixel, source);
      toRgba(lines, f.width, f.height, f, out, (x, y) => 4 * (y * f.width + x));
    } else {
      let offset = 0;
      for (const [x0, y0, dx, dy] of ADAM7) {
        const w = Math.ceil((f.width - x0) / dx);
        const h = Math.ceil((f.height - y0) / dy);
        if (w <= 0 || h <= 0) continue;
        const lines = unfilter(raw, offset, w, h, bitsPerPixel, source);
        offset += h * (Math.ceil((w * bitsPerPixel) / 8) + 1);
        toRgba(lines, w, h, f, out, (x, y) => 4 * ((y0 + y * dy) * f.width + x0 + x * dx));
      }
    }
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(message.startsWith(source) ? message : `${source}: ${message}`);
  }
  const hasAlpha = f.colorType === 4 || f.colorType === 6 || f.transparency !== undefined;
  const sourceChannels = (f.colorType === 0 ? (hasAlpha ? 2 : 1) : f.colorType === 4 ? 2 : hasAlpha ? 4 : 3) as 1 | 2 | 3 | 4;
  return { width: f.width, height: f.height, data: out, sourceChannels, bitDepth: f.bitDepth, colorType: f.colorType, text: collectText(chunks, source) };
}
