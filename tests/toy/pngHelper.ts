/** Test-only: write [3,H,W] images in [-1,1] as an RGB PNG grid so a person can look at them. */
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'ascii'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes RGB bytes (H*W*3) as a PNG. */
export function encodeRgbPng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const raw = new Uint8Array(height * (width * 3 + 1));
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const total = parts.reduce((s, p) => s + p.length, 0);
  const png = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    png.set(p, at);
    at += p.length;
  }
  return png;
}

/** Lays images [3,h,w] in [-1,1] out in a grid (scaled up by `zoom`) and writes a PNG. */
export function writeImageGrid(path: string, images: readonly Float32Array[], h: number, w: number, cols = 8, zoom = 2): void {
  const rows = Math.ceil(images.length / cols);
  const W = cols * w * zoom;
  const H = rows * h * zoom;
  const rgb = new Uint8Array(W * H * 3);
  images.forEach((img, n) => {
    const ox = (n % cols) * w * zoom;
    const oy = Math.floor(n / cols) * h * zoom;
    for (let y = 0; y < h * zoom; y++) {
      for (let x = 0; x < w * zoom; x++) {
        for (let c = 0; c < 3; c++) {
          const v = img[(c * h + Math.floor(y / zoom)) * w + Math.floor(x / zoom)];
          rgb[((oy + y) * W + ox + x) * 3 + c] = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
        }
      }
    }
  });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeRgbPng(rgb, W, H));
}
