/**
 * PNG container pieces shared by the encoder and decoder: signature, CRC-32, chunk framing,
 * text chunks (tEXt / zTXt / iTXt), the row filters' predictors.
 */
import { inflateCapped, PNG_MAX_TEXT_BYTES } from './pngLimits.ts';

export const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
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

/** Length, type, body, CRC. */
export function buildChunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out, 4, 8 + body.length));
  return out;
}

export interface RawChunk {
  type: string;
  body: Uint8Array;
}

/** All chunks up to IEND, CRCs checked; `source` names the file in errors. */
export function readChunks(bytes: Uint8Array, source: string): RawChunk[] {
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

function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function decodeLatin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

/** Latin-1 text → `tEXt`; anything else → uncompressed UTF-8 `iTXt` (as Pillow decides). */
export function textChunk(keyword: string, text: string): Uint8Array {
  if (keyword.length < 1 || keyword.length > 79 || !isLatin1(keyword) || keyword.includes('\0')) {
    throw new Error(`PNG text keyword "${keyword}" must be 1–79 Latin-1 characters without NUL`);
  }
  const key = latin1Bytes(keyword);
  if (isLatin1(text)) return buildChunk('tEXt', concat([key, new Uint8Array([0]), latin1Bytes(text)]));
  // iTXt: keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0.
  return buildChunk('iTXt', concat([key, new Uint8Array([0, 0, 0, 0, 0]), new TextEncoder().encode(text)]));
}

/** tEXt is Latin-1 by the spec, but several tools write UTF-8 there; accept valid UTF-8 as such. */
function decodeTextPayload(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return decodeLatin1(bytes);
  }
}

/** What the compressed text chunks of one file have inflated to so far (see PNG_MAX_TEXT_BYTES). */
interface TextBudget {
  used: number;
}

function inflateText(payload: Uint8Array, keyword: string, type: string, budget: TextBudget, source: string): Uint8Array {
  const limit = PNG_MAX_TEXT_BYTES - budget.used;
  const overflow = () => `${source}: PNG ${type} chunk "${keyword}" inflates past ${PNG_MAX_TEXT_BYTES / (1024 * 1024)} MiB of text (a compression bomb?)`;
  let out: Uint8Array;
  try {
    out = inflateCapped([payload], limit, overflow);
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(message.startsWith(source) ? message : `${source}: PNG ${type} chunk "${keyword}" does not decompress (${message})`);
  }
  budget.used += out.length;
  return out;
}

function parseTextChunk(c: RawChunk, budget: TextBudget, source: string): [string, string] {
  const nul = c.body.indexOf(0);
  if (nul < 1) throw new Error(`${source}: PNG ${c.type} chunk has no keyword`);
  const keyword = decodeLatin1(c.body.subarray(0, nul));
  if (c.type === 'tEXt') return [keyword, decodeTextPayload(c.body.subarray(nul + 1))];
  if (c.type === 'zTXt') return [keyword, decodeTextPayload(inflateText(c.body.subarray(nul + 2), keyword, c.type, budget, source))];
  // iTXt
  const compressed = c.body[nul + 1] === 1;
  const langEnd = c.body.indexOf(0, nul + 3);
  const translatedEnd = langEnd < 0 ? -1 : c.body.indexOf(0, langEnd + 1);
  if (translatedEnd < 0) throw new Error(`${source}: PNG iTXt chunk "${keyword}" is malformed`);
  const payload = c.body.subarray(translatedEnd + 1);
  return [keyword, new TextDecoder().decode(compressed ? inflateText(payload, keyword, c.type, budget, source) : payload)];
}

/** keyword → text of every text chunk; compressed ones inflate to PNG_MAX_TEXT_BYTES at most, together. */
export function collectText(chunks: readonly RawChunk[], source: string): Record<string, string> {
  const text: Record<string, string> = {};
  const budget: TextBudget = { used: 0 };
  for (const c of chunks) {
    if (c.type !== 'tEXt' && c.type !== 'zTXt' && c.type !== 'iTXt') continue;
    const [keyword, value] = parseTextChunk(c, budget, source);
    text[keyword] = value;
  }
  return text;
}

export function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = p > a ? p - a : a - p;
  const pb = p > b ? p - b : b - p;
  const pc = p > c ? p - c : c - p;
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}
