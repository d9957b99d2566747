/**
 * IEEE 754 half precision ⇄ single precision. Half values are raw bits in a Uint16Array (the
 * Tensor convention). Uses the platform's Float16Array where it exists; otherwise converts bits,
 * rounding to nearest-even, with subnormals, ±inf and NaN (payload kept as far as it fits).
 */
import { Tensor, type DType, type TensorLike } from './tensor.ts';

const scratch = new DataView(new ArrayBuffer(4));

/** The bits of the float16 nearest to `value` (ties to even). */
export function float32ToFloat16Bits(value: number): number {
  scratch.setFloat32(0, value);
  const x = scratch.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) {
    // inf stays inf; NaN keeps its top payload bits and stays a (quiet) NaN.
    return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  }
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → inf
  if (e <= 0) {
    // Subnormal half (or zero): shift the full significand right, rounding to nearest-even.
    if (e < -10) return sign; // below half the smallest subnormal → ±0
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mantissa & ((1 << shift) - 1);
    let result = mantissa >>> shift;
    if (rest > half || (rest === half && (result & 1) === 1)) result += 1;
    return sign | result; // a carry into bit 10 correctly yields the smallest normal
  }
  let result = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (result & 1) === 1)) result += 1; // may carry to inf: correct
  return sign | result;
}

/** The float value of float16 bits. */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

interface Float16ArrayLike extends ArrayLike<number> {
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
  set(values: ArrayLike<number>): void;
}
type Float16ArrayCtor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => Float16ArrayLike;

function nativeFloat16Array(): Float16ArrayCtor | undefined {
  const ctor = (globalThis as { Float16Array?: Float16ArrayCtor }).Float16Array;
  return typeof ctor === 'function' ? ctor : undefined;
}

let useNative = nativeFloat16Array() !== undefined;

/** Tests force the bit-conversion path even where Float16Array exists (and restore it). */
export function setNativeFloat16(enabled: boolean): boolean {
  const previous = useNative;
  useNative = enabled && nativeFloat16Array() !== undefined;
  return previous;
}

export function float32ArrayToFloat16Bits(values: Float32Array | ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  const Native = useNative ? nativeFloat16Array() : undefined;
  if (Native) {
    new Native(out.buffer, 0, out.length).set(values);
    return out;
  }
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]);
  return out;
}

export function float16BitsToFloat32Array(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const Native = useNative ? nativeFloat16Array() : undefined;
  if (Native) {
    const view = new Native(bits.buffer, bits.byteOffset, bits.length);
    for (let i = 0; i < bits.length; i++) out[i] = view[i];
    return out;
  }
  // A 65536-entry table makes bulk conversion a lookup.
  const table = halfTable();
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

let cachedTable: Float32Array | undefined;
function halfTable(): Float32Array {
  if (!cachedTable) {
    cachedTable = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) cachedTable[i] = float16BitsToFloat32(i);
  }
  return cachedTable;
}

/** Any tensor as float32 (float16 converted, ints widened; float32 returned as is). */
export function toFloat32(tensor: TensorLike): Tensor<'float32'> {
  switch (tensor.dtype) {
    case 'float32':
      return Tensor.from(tensor as TensorLike<'float32'>);
    case 'float16':
      return new Tensor('float32', tensor.shape, float16BitsToFloat32Array(tensor.data as Uint16Array));
    case 'int32':
      return new Tensor('float32', tensor.shape, Float32Array.from(tensor.data as Int32Array));
    case 'int64':
      return new Tensor('float32', tensor.shape, Float32Array.from(tensor.data as BigInt64Array, Number));
    default:
      throw new Error(`toFloat32: unknown dtype "${(tensor as { dtype: string }).dtype}"`);
  }
}

/** A float tensor as float16 bits (float16 returned as is). */
export function toFloat16(tensor: TensorLike): Tensor<'float16'> {
  if (tensor.dtype === 'float16') return Tensor.from(tensor as TensorLike<'float16'>);
  return new Tensor('float16', tensor.shape, float32ArrayToFloat16Bits(toFloat32(tensor).data));
}

/** Converts a float tensor to the float dtype a model input wants. */
export function toFloatDType(tensor: TensorLike, dtype: Extract<DType, 'float32' | 'float16'>): Tensor<'float32'> | Tensor<'float16'> {
  return dtype === 'float16' ? toFloat16(tensor) : toFloat32(tensor);
}
