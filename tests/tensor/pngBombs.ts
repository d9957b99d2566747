/**
 * Hostile PNGs made on the fly (too large to check in): a huge declared size, image data that
 * inflates far past its header, a zTXt chunk that inflates to gigabytes. Each file is small.
 */
import { constants, crc32, deflateRawSync, deflateSync } from 'node:zlib';

export function pngChunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
}

function ihdr(width: number, height: number, depth = 8, colorType = 2): Buffer {
  const body = Buffer.alloc(13);
  body.writeUInt32BE(width, 0);
  body.writeUInt32BE(height, 4);
  body[8] = depth;
  body[9] = colorType;
  return pngChunk('IHDR', body);
}

const SEGMENT = 16 * 1024 * 1024;

/**
 * A zlib stream of `bytes` zeros (rounded up to 16 MiB): one sync-flushed deflate segment of 16 MiB of zeros,
 * repeated (each segment is valid after the last), then a final empty block. No Adler-32 is
 * needed: a decoder that honours its limits never reaches the end.
 */
export function zeroBomb(bytes: number): Buffer {
  const segment = deflateRawSync(Buffer.alloc(SEGMENT), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const parts: Buffer[] = [Buffer.from([0x78, 0xda])];
  for (let i = 0; i < Math.ceil(bytes / SEGMENT); i++) parts.push(segment);
  parts.push(Buffer.from([0x03, 0x00]), Buffer.alloc(4));
  return Buffer.concat(parts);
}

function png(chunks: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), ...chunks, pngChunk('IEND', new Uint8Array(0))]);
}

/** Declares width × height RGB, with image data that inflates to that size (zeros, ~1 MB a GiB). */
export function hugeHeaderPng(width: number, height: number): Buffer {
  const raw = height * (1 + 3 * width);
  return png([ihdr(width, height), pngChunk('IDAT', zeroBomb(raw))]);
}

/** A 1024×1024 RGB header whose image data inflates to `gib` GiB. */
export function idatBombPng(gib = 4): Buffer {
  return png([ihdr(1024, 1024), pngChunk('IDAT', zeroBomb(gib * 2 ** 30))]);
}

/** A valid 1×1 image with a zTXt `keyword` chunk that inflates to `gib` GiB. */
export function ztxtBombPng(gib = 4, keyword = 'latentloom.graph'): Buffer {
  const ztxt = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0]), zeroBomb(gib * 2 ** 30)]);
  const pixel = deflateSync(Buffer.from([0, 0, 0, 0]));
  return png([ihdr(1, 1), pngChunk('zTXt', ztxt), pngChunk('IDAT', pixel)]);
}
