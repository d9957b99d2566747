import { readFileSync } from 'node:fs';
import { deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { decodePng, encodePng, isPng, readPngText } from '../../src/tensor/png.ts';

// An independent PNG writer for decoder tests: node's zlib (not fflate), caller-chosen filter
// per row, any color type / bit depth, optional Adam7 layout given pre-split passes.
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, tail]);
}
/** Filters raw scanlines (each `stride` bytes) with the given filter per row. */
function filterScanlines(raw: Uint8Array, stride: number, bpp: number, filters: number[]): Buffer {
  const rows = raw.length / stride;
  const out = Buffer.alloc(rows * (stride + 1));
  for (let y = 0; y < rows; y++) {
    const f = filters[y % filters.length];
    out[y * (stride + 1)] = f;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * stride + i];
      const a = i >= bpp ? raw[y * stride + i - bpp] : 0;
      const b = y > 0 ? raw[(y - 1) * stride + i] : 0;
      const c = i >= bpp && y > 0 ? raw[(y - 1) * stride + i - bpp] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f];
      out[y * (stride + 1) + 1 + i] = (x - pred) & 0xff;
    }
  }
  return out;
}
function buildPng(width: number, height: number, depth: number, colorType: number, idat: Buffer, extra: Buffer[] = [], interlace = 0): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = colorType;
  ihdr[12] = interlace;
  return new Uint8Array(Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', ihdr), ...extra,
    pngChunk('IDAT', deflateSync(idat)), pngChunk('IEND', new Uint8Array(0)),
  ]));
}

function readChunkTypes(png: Uint8Array): string[] {
  const types: string[] = [];
  const view = Buffer.from(png);
  for (let o = 8; o < png.length; ) {
    const len = view.readUInt32BE(o);
    types.push(view.toString('latin1', o + 4, o + 8));
    o += 12 + len;
  }
  return types;
}

describe('encodePng / decodePng round trip', () => {
  it('round-trips random 8-bit images of every channel count, bit for bit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), fc.constantFrom(1, 2, 3, 4), fc.integer({ min: 0, max: 2 ** 31 }), (w, h, channels, seed) => {
        let s = seed;
        const data = new Uint8Array(w * h * channels).map(() => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24));
        const png = encodePng({ width: w, height: h, channels: channels as 1 | 2 | 3 | 4, data });
        const decoded = decodePng(png);
        expect([decoded.width, decoded.height, decoded.sourceChannels]).toEqual([w, h, channels]);
        for (let p = 0; p < w * h; p++) {
          const px = Array.from(decoded.data.subarray(4 * p, 4 * p + 4));
          const src = Array.from(data.subarray(channels * p, channels * p + channels));
          const expected = channels === 1 ? [src[0], src[0], src[0], 255] : channels === 2 ? [src[0], src[0], src[0], src[1]]
            : channels === 3 ? [...src, 255] : src;
          expect(px).toEqual(expected);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('produces a standard stream that node:zlib inflates, with adaptive filters', () => {
    const w = 16, h = 8;
    const data = new Uint8Array(w * h * 3).map((_, i) => (i * 7) & 0xff); // a gradient: Sub/Up win over None
    const png = encodePng({ width: w, height: h, channels: 3, data });
    expect(readChunkTypes(png)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const view = Buffer.from(png);
    const idatLen = view.readUInt32BE(33);
    const raw = inflateSync(view.subarray(41, 41 + idatLen));
    expect(raw.length).toBe(h * (w * 3 + 1));
    const filtersUsed = new Set(Array.from({ length: h }, (_, y) => raw[y * (w * 3 + 1)]));
    expect(filtersUsed.has(0) && filtersUsed.size === 1).toBe(false);
  });

  it('embeds Latin-1 text as tEXt and other text as iTXt, and reads both back', () => {
    const graph = JSON.stringify({ format: 'latentloom.graph', version: 1, nodes: [] });
    const prompt = 'a cat 🐱 on a café table — 猫';
    const png = encodePng({ width: 1, height: 1, channels: 4, data: new Uint8Array([1, 2, 3, 4]) }, {
      text: { 'latentloom.graph': graph, prompt, Software: 'LatentLoom café' },
    });
    expect(readChunkTypes(png)).toEqual(['IHDR', 'tEXt', 'iTXt', 'tEXt', 'IDAT', 'IEND']);
    expect(readPngText(png)).toEqual({ 'latentloom.graph': graph, prompt, Software: 'LatentLoom café' });
    expect(decodePng(png).text['latentloom.graph']).toBe(graph);
  });

  it('rejects bad input with clear errors', () => {
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) })).toThrow(/5 bytes given.*12 expected/);
    expect(() => encodePng({ width: 1, height: 1, channels: 3, data: new Uint8Array(3) }, { text: { '': 'x' } })).toThrow(/keyword/);
    expect(() => decodePng(new Uint8Array([1, 2, 3]), 'cat.png')).toThrow(/cat\.png: not a PNG/);
    const png = encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) });
    const corrupt = png.slice();
    corrupt[45] ^= 0xff; // inside the IDAT data
    expect(() => decodePng(corrupt, 'x.png')).toThrow(/x\.png: PNG chunk IDAT .* bad CRC/);
    expect(() => decodePng(png.subarray(0, png.length - 12), 'y.png')).toThrow(/y\.png: .*truncated/);
    expect(isPng(png)).toBe(true);
  });
});

describe('decodePng on independently written files', () => {
  const w = 5, h = 4;
  const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 37 + 11) & 0xff);

  it('undoes all five filter types (node:zlib stream)', () => {
    const png = buildPng(w, h, 8, 2, filterScanlines(rgb, w * 3, 3, [0, 1, 2, 3, 4]));
    const d = decodePng(png);
    for (let p = 0; p < w * h; p++) expect(Array.from(d.data.subarray(4 * p, 4 * p + 4))).toEqual([...rgb.subarray(3 * p, 3 * p + 3), 255]);
  });

  it('reads 16-bit RGBA (scaled to 8 bits) and zTXt text', () => {
    const raw = new Uint8Array(w * h * 8);
    for (let i = 0; i < w * h * 4; i++) { raw[2 * i] = (i * 13) & 0xff; raw[2 * i + 1] = (i * 29) & 0xff; }
    const ztxt = Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), deflateSync(Buffer.from('hello'))]);
    const d = decodePng(buildPng(w, h, 16, 6, filterScanlines(raw, w * 8, 8, [4, 3]), [pngChunk('zTXt', ztxt)]));
    for (let i = 0; i < w * h * 4; i++) expect(d.data[i]).toBe(Math.round((((raw[2 * i] << 8) | raw[2 * i + 1]) * 255) / 65535));
    expect(d.text).toEqual({ Comment: 'hello' });
  });

  it('reads a 2-bit palette image with tRNS alpha', () => {
    const palette = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]);
    const trns = Buffer.from([0, 128]);
    const indices = [0, 1, 2, 3, 1, 0, 3, 2, 2, 3];
    // width 4 × 2 bits = one byte per row
    const packed = new Uint8Array(2).map((_, y) => (indices[4 * y] << 6) | (indices[4 * y + 1] << 4) | (indices[4 * y + 2] << 2) | indices[4 * y + 3]);
    const d = decodePng(buildPng(4, 2, 2, 3, filterScanlines(packed, 1, 1, [0, 2]), [pngChunk('PLTE', palette), pngChunk('tRNS', trns)]));
    expect(d.sourceChannels).toBe(4);
    for (let p = 0; p < 8; p++) {
      const idx = indices[p];
      expect(Array.from(d.data.subarray(4 * p, 4 * p + 4))).toEqual([...palette.subarray(3 * idx, 3 * idx + 3), idx < 2 ? trns[idx] : 255]);
    }
  });

  it('reads 1-bit grayscale (scaled to 0/255)', () => {
    const rows = new Uint8Array([0b10110000, 0b01000000]); // width 4, height 2
    const d = decodePng(buildPng(4, 2, 1, 0, filterScanlines(rows, 1, 1, [0])));
    expect(Array.from({ length: 8 }, (_, p) => d.data[4 * p])).toEqual([255, 0, 255, 255, 0, 255, 0, 0]);
    expect(d.sourceChannels).toBe(1);
  });

  it('reads Adam7-interlaced images', () => {
    const W = 11, H = 9;
    const gray = new Uint8Array(W * H).map((_, i) => (i * 53) & 0xff);
    const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
    const parts: Buffer[] = [];
    for (const [x0, y0, dx, dy] of passes) {
      const pw = Math.ceil((W - x0) / dx), ph = Math.ceil((H - y0) / dy);
      if (pw <= 0 || ph <= 0) continue;
      const sub = new Uint8Array(pw * ph);
      for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) sub[y * pw + x] = gray[(y0 + y * dy) * W + x0 + x * dx];
      parts.push(filterScanlines(sub, pw, 1, [1, 4, 2]));
    }
    const d = decodePng(buildPng(W, H, 8, 0, Buffer.concat(parts), [], 1));
    expect(Array.from({ length: W * H }, (_, p) => d.data[4 * p])).toEqual(Array.from(gray));
  });

  it('names the file when the data is bad', () => {
    const bad = buildPng(2, 2, 8, 2, Buffer.from([7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(() => decodePng(bad, 'in.png')).toThrow(/in\.png: PNG row 0 uses unknown filter type 7/);
    expect(() => decodePng(buildPng(2, 2, 3, 2, Buffer.alloc(14)), 'd.png')).toThrow(/d\.png: unsupported PNG color type 2 with bit depth 3/);
    expect(() => decodePng(buildPng(100000, 100000, 8, 2, Buffer.alloc(1)), 'big.png')).toThrow(/big\.png: PNG is 100000×100000 \(.*Mpixel\), more than the 16384 pixels per side/);
  });
});

describe('decodePng on files written by ImageMagick', () => {
  const dir = new URL('./fixtures/png/', import.meta.url);
  const names = ['rgb8_interlaced', 'rgba16', 'palette_trns', 'palette4_trns', 'gray1', 'graya8', 'rgb16_interlaced_text'];

  it.each(names)('%s.png decodes to the same RGBA as ImageMagick', (name) => {
    const png = new Uint8Array(readFileSync(new URL(`${name}.png`, dir)));
    const expected = new Uint8Array(readFileSync(new URL(`${name}.rgba`, dir)));
    const decoded = decodePng(png, `${name}.png`);
    expect([decoded.width, decoded.height]).toEqual([13, 9]);
    if (name !== 'rgba16') {
      expect(Buffer.from(decoded.data).equals(Buffer.from(expected))).toBe(true);
      return;
    }
    // ImageMagick 6 keeps opacity (1 − alpha) internally and truncates it when scaling 16 → 8 bits,
    // so its alpha bytes can be one above round(a · 255 / 65535); colors must still match exactly.
    for (let i = 0; i < expected.length; i++) {
      const diff = expected[i] - decoded.data[i];
      if (i % 4 === 3) expect(diff === 0 || diff === 1).toBe(true);
      else expect(diff).toBe(0);
    }
    // Row 0's 16-bit alphas are 0, 5041, 10082, … (k · 65535 / 13, read with zlib by hand).
    const rowAlpha = Array.from({ length: 13 }, (_, x) => decoded.data[4 * x + 3]);
    expect(rowAlpha).toEqual([0, 20, 39, 59, 78, 98, 118, 137, 157, 177, 196, 216, 235]);
  });

  it('reads their text chunks', () => {
    const png = new Uint8Array(readFileSync(new URL('rgb16_interlaced_text.png', dir)));
    expect(readPngText(png).comment).toBe('made by ImageMagick');
  });
});
