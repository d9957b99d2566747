/**
 * ONNX enum values and the plain-data shapes the writer encodes (field numbers follow onnx.proto).
 */
import type { DType, Tensor } from '../tensor/tensor.ts';

/** TensorProto.DataType values for the dtypes LatentLoom uses (plus a few seen in real models). */
export const ONNX_DATA_TYPE = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
} as const;

export type OnnxElemType = keyof typeof ONNX_DATA_TYPE;

const ELEM_BY_CODE = new Map<number, OnnxElemType>(
  Object.entries(ONNX_DATA_TYPE).map(([k, v]) => [v, k as OnnxElemType]),
);

export function elemTypeName(code: number): OnnxElemType | `unknown(${number})` {
  return ELEM_BY_CODE.get(code) ?? `unknown(${code})`;
}

export function isTensorDType(t: string): t is DType {
  return t === 'float32' || t === 'float16' || t === 'int32' || t === 'int64';
}

/** A dimension: a fixed size, a symbolic name (dim_param), or unknown (null). */
export type OnnxDim = number | string | null;

export interface OnnxValueInfo {
  name: string;
  elemType: OnnxElemType | `unknown(${number})`;
  /** Undefined when the model declares no shape at all. */
  shape?: OnnxDim[];
}

export const ATTR_TYPE = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
} as const;

/** An attribute value with its ONNX type spelled out (plain JS numbers are ambiguous). */
export type OnnxAttribute =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number | bigint }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: Tensor }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'ints'; value: readonly (number | bigint)[] }
  | { type: 'strings'; value: readonly string[] };

/**
 * What `op()` accepts per attribute: an explicit `OnnxAttribute`, or a shorthand — an integer
 * number or bigint is INT, a non-integer number FLOAT, a string STRING, a number array INTS when
 * every entry is an integer (else FLOATS), a Tensor TENSOR. Use `attr.float(1)` for a float
 * that happens to be whole.
 */
export type OnnxAttributeInput =
  | OnnxAttribute
  | number
  | bigint
  | string
  | readonly number[]
  | readonly string[]
  | Tensor;

export const attr = {
  float: (value: number): OnnxAttribute => ({ type: 'float', value }),
  int: (value: number | bigint): OnnxAttribute => ({ type: 'int', value }),
  string: (value: string): OnnxAttribute => ({ type: 'string', value }),
  floats: (value: readonly number[]): OnnxAttribute => ({ type: 'floats', value }),
  ints: (value: readonly (number | bigint)[]): OnnxAttribute => ({ type: 'ints', value }),
  strings: (value: readonly string[]): OnnxAttribute => ({ type: 'strings', value }),
  tensor: (value: Tensor): OnnxAttribute => ({ type: 'tensor', value }),
};
