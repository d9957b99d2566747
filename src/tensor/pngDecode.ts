/**
 * PNG decoding: every color type (gray, RGB, palette, gray+alpha, RGBA), bit depths 1–16, `tRNS`
 * transparency and Adam7 interlacing, to 8-bit RGBA. Text chunks come back too.
 */
import { collectText, isPng, paeth, readChunks } from './pngChunks.ts';
import { checkPngSize, inflateCapped } from './pngLimits.ts';

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

const CHANNELS_BY_COLOR_TYPE: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const VALID_DEPTHS: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const ADAM7 = [
  [0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2],
] as const;

interface Format {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  palette?: Uint8Array;
  transparency?: Uint8Array;
}

/** Reverses the per-row filters of a (sub)image whose filtered rows start at `offset`. */
function unfilter(data: Uint8Array, offset: number, width: number, height: number, bitsPerPixel: number, source: string): Uint8Array {
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const out = new Uint8Array(stride * height);
  if (offset + (stride + 1) * height > data.length) throw new Error(`${source}: PNG image data is too short`);
  for (let y = 0; y < height; y++) {
    const filter = data[offset + y * (stride + 1)];
    const src = offset + y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride; // only read when y > 0
    switch (filter) {
      case 0:
        out.set(data.subarray(src, src + stride), row);
        break;
      case 1:
        for (let i = 0; i < stride; i++) out[row + i] = data[src + i] + (i >= bpp ? out[row + i - bpp] : 0);
        break;
      case 2:
        for (let i = 0; i < stride; i++) out[row + i] = data[src + i] + (y > 0 ? out[prev + i] : 0);
        break;
      case 3:
        for (let i = 0; i < stride; i++) {
          const a = i >= bpp ? out[row + i - bpp] : 0;
          const b = y > 0 ? out[prev + i] : 0;
          out[row + i] = data[src + i] + ((a + b) >> 1);
        }
        break;
      case 4:
        for (let i = 0; i < stride; i++) {
          const a = i >= bpp ? out[row + i - bpp] : 0;
          const b = y > 0 ? out[prev + i] : 0;
          const c = i >= bpp && y > 0 ? out[prev + i - bpp] : 0;
          out[row + i] = data[src + i] + paeth(a, b, c);
        }
        break;
      default:
        throw new Error(`${source}: PNG row ${y} uses unknown filter type ${filter}`);
    }
  }
  return out;
}

/** Unfiltered scanlines of a (sub)image → RGBA; pixel (x, y) goes to byte offset `place(x, y)` of `out`. */
function toRgba(lines: Uint8Array, w: number, h: number, f: Format, out: Uint8Array, place: (x: number, y: number) => number): void {
  const channels = CHANNELS_BY_COLOR_TYPE[f.colorType];
  const t = f.transparency;
  // Fast path: 8-bit truecolor / gray without a color key, written contiguously.
  if (f.bitDepth === 8 && f.colorType !== 3 && !t) {
    for (let y = 0; y < h; y++) {
      for (let x = 0, s = y * w * channels; x < w; x++, s += channels) {
        const o = place(x, y);
        if (channels >= 3) {
          out[o] = lines[s];
          out[o + 1] = lines[s + 1];
          out[o + 2] = lines[s + 2];
          out[o + 3] = channels === 4 ? lines[s + 3] : 255;
        } else {
          out[o] = out[o + 1] = out[o + 2] = lines[s];
          out[o + 3] = channels === 2 ? lines[s + 1] : 255;
        }
      }
    }
    return;
  }
  const stride = Math.ceil((w * channels * f.bitDepth) / 8);
  const maxSample = (1 << f.bitDepth) - 1;
  const sample = (row: number, index: number): number => {
    if (f.bitDepth === 8) return lines[row + index];
    if (f.bitDepth === 16) return (lines[row + 2 * index] << 8) | lines[row + 2 * index + 1];
    const bit = index * f.bitDepth;
    return (lines[row + (bit >> 3)] >> (8 - f.bitDepth - (bit & 7))) & maxSample;
  };
  const to8 = (v: number): number => (f.bitDepth === 8 ? v : Math.round((v * 255) / maxSample));
  const key = (i: number): number => (t ? (t[2 * i] << 8) | t[2 * i + 1] : -1);
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
        out[o + 3] = f.colorType === 4 ? to8(sample(row, s + 1)) : g === key(0) ? 0 : 255;
      } else {
        const r = sample(row, s);
        const g = sample(row, s + 1);
        const b = sample(row, s + 2);
        out[o] = to8(r);
        out[o + 1] = to8(g);
        out[o + 2] = to8(b);
        out[o + 3] = f.colorType === 6 ? to8(sample(row, s + 3)) : r === key(0) && g === key(1) && b === key(2) ? 0 : 255;
      }
    }
  }
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

/** IHDR straight from the bytes after the signature, before any chunk is read or inflated. */
export function readPngHeader(bytes: Uint8Array, source: string): PngHeader {
  if (!isPng(bytes)) throw new Error(`${source}: not a PNG file (bad signature)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isIhdr = bytes.length >= 8 + 8 + 13 && view.getUint32(8) === 13 && String.fromCharCode(...bytes.subarray(12, 16)) === 'IHDR';
  if (!isIhdr) throw new Error(`${source}: PNG has no valid IHDR chunk`);
  return { width: view.getUint32(16), height: view.getUint32(20), bitDepth: bytes[24], colorType: bytes[25], interlace: bytes[28] };
}

/** Bytes of filtered rows (filter byte + packed samples per row) the header declares, every Adam7 pass counted. */
function rawSize(f: Format, interlace: number): number {
  const bitsPerPixel = CHANNELS_BY_COLOR_TYPE[f.colorType] * f.bitDepth;
  const rows = (w: number, h: number) => (w > 0 && h > 0 ? h * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0);
  if (interlace === 0) return rows(f.width, f.height);
  let n = 0;
  for (const [x0, y0, dx, dy] of ADAM7) n += rows(Math.ceil((f.width - x0) / dx), Math.ceil((f.height - y0) / dy));
  return n;
}

/** Reads only the text chunks (no pixel decoding): e.g. the embedded graph of a saved image. */
export function readPngText(bytes: Uint8Array, source = 'PNG'): Record<string, string> {
  return collectText(readChunks(bytes, source), source);
}

/** Decodes a PNG to 8-bit RGBA plus its text chunks. `source` names the file in errors. */
export function decodePng(bytes: Uint8Array, source = 'PNG'): DecodedPng {
  // The declared size is checked before any chunk is read, so a huge IHDR costs nothing.
  const header = readPngHeader(bytes, source);
  checkPngSize(header.width, header.height, source);
  const chunks = readChunks(bytes, source);
  const f: Format = { width: header.width, height: header.height, bitDepth: header.bitDepth, colorType: header.colorType };
  const interlace = header.interlace;
  if (!VALID_DEPTHS[f.colorType]?.includes(f.bitDepth)) {
    throw new Error(`${source}: unsupported PNG color type ${f.colorType} with bit depth ${f.bitDepth}`);
  }
  if (interlace > 1) throw new Error(`${source}: unknown PNG interlace method ${interlace}`);
  f.palette = chunks.find((c) => c.type === 'PLTE')?.body;
  f.transparency = chunks.find((c) => c.type === 'tRNS')?.body;
  if (f.colorType === 3 && !f.palette) throw new Error(`${source}: palette PNG has no PLTE chunk`);
  const idat = chunks.filter((c) => c.type === 'IDAT').map((c) => c.body);
  if (idat.every((c) => c.length === 0)) throw new Error(`${source}: PNG has no image data (IDAT)`);
  const expected = rawSize(f, interlace);
  let raw: Uint8Array;
  try {
    // Inflation stops as soon as it passes the filtered rows the header declares.
    raw = inflateCapped(idat, expected, () => `${source}: PNG image data inflates past the ${expected} bytes its ${f.width}×${f.height} header declares (a compression bomb?)`, true);
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(message.startsWith(source) ? message : `${source}: PNG image data does not decompress (${message})`);
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
