/**
 * safetensors: an 8-byte little-endian header length, a JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__? }`, then the raw buffers.
 * Every offset and size is checked against the file before a byte is read.
 */
import { float16BitsToFloat32Array } from '../tensor/fp16.ts';
import { ConvertError, type StateDict } from './types.ts';

/** The header is JSON describing the tensors; anything near this size is not a real header. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

function toFloat32(bytes: Uint8Array, dtype: string): Float32Array {
  const copy = bytes.slice();
  const buf = copy.buffer;
  switch (dtype) {
    case 'F32': return new Float32Array(buf);
    case 'F16': return float16BitsToFloat32Array(new Uint16Array(buf));
    case 'BF16': {
      const bits = new Uint16Array(buf);
      const out = new Uint32Array(bits.length);
      for (let i = 0; i < bits.length; i++) out[i] = bits[i] << 16;
      return new Float32Array(out.buffer);
    }
    case 'F64': return Float32Array.from(new Float64Array(buf));
    case 'I64': return Float32Array.from(new BigInt64Array(buf), (v) => Number(v));
    case 'I32': return Float32Array.from(new Int32Array(buf));
    case 'I16': return Float32Array.from(new Int16Array(buf));
    case 'I8': return Float32Array.from(new Int8Array(buf));
    default: return Float32Array.from(copy);
  }
}

export function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return n > 1 && n <= MAX_HEADER_BYTES && n + 8 <= bytes.length && bytes[8] === 0x7b; // '{'
}

export function readSafetensors(bytes: Uint8Array, file = 'model.safetensors'): StateDict {
  if (bytes.length < 8) throw new ConvertError(`${file} is too short to be a safetensors file (${bytes.length} bytes)`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw new ConvertError(`${file}: header length ${headerLength} does not fit the file of ${bytes.length} bytes (truncated or not safetensors)`);
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch {
    throw new ConvertError(`${file}: the safetensors header is not valid JSON`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new ConvertError(`${file}: the safetensors header is not an object`);
  const dataLength = bytes.length - dataStart;
  const out: StateDict = new Map();
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const where = `${file}: tensor "${name}"`;
    if (typeof e !== 'object' || e === null || typeof e.dtype !== 'string' || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2) {
      throw new ConvertError(`${where} has no valid dtype, shape and data_offsets`);
    }
    const size = DTYPE_BYTES[e.dtype];
    if (size === undefined) throw new ConvertError(`${where} has dtype ${e.dtype}; readable: ${Object.keys(DTYPE_BYTES).join(', ')}`);
    const shape = e.shape as unknown[];
    if (!shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw new ConvertError(`${where} has an invalid shape`);
    const [begin, end] = e.data_offsets as unknown[];
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || (begin as number) < 0 || (end as number) < (begin as number) || (end as number) > dataLength) {
      throw new ConvertError(`${where}: data_offsets [${String(begin)}, ${String(end)}] fall outside the ${dataLength} data bytes (truncated file?)`);
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (count * size !== (end as number) - (begin as number)) {
      throw new ConvertError(`${where}: shape [${shape.join(', ')}] of ${e.dtype} needs ${count * size} bytes, data_offsets give ${(end as number) - (begin as number)}`);
    }
    out.set(name, { shape: shape as number[], data: toFloat32(bytes.subarray(dataStart + (begin as number), dataStart + (end as number)), e.dtype) });
  }
  if (out.size === 0) throw new ConvertError(`${file} holds no tensors`);
  return out;
}
