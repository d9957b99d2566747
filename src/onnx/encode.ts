/**
 * Encoders for the ONNX messages the builder emits: TensorProto, ValueInfoProto, NodeProto,
 * AttributeProto. Field numbers are those of onnx.proto (IR version 8).
 */
import { Tensor } from '../tensor/tensor.ts';
import { ProtoWriter } from './protoWire.ts';
import {
  ATTR_TYPE,
  ONNX_DATA_TYPE,
  type OnnxAttribute,
  type OnnxAttributeInput,
  type OnnxDim,
  type OnnxElemType,
} from './onnxTypes.ts';

/** The tensor's elements as little-endian bytes (a view, not a copy, on little-endian hosts). */
export function tensorRawBytes(t: Tensor): Uint8Array {
  const d = t.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

export interface ExternalRef {
  location: string;
  offset: number;
  length: number;
}

export function encodeTensor(name: string, t: Tensor, external?: ExternalRef): ProtoWriter {
  const w = new ProtoWriter();
  if (t.shape.length > 0) w.packedVarints(1, t.shape);
  w.varint(2, ONNX_DATA_TYPE[t.dtype]);
  if (name) w.string(8, name);
  if (external) {
    for (const [key, value] of [
      ['location', external.location],
      ['offset', String(external.offset)],
      ['length', String(external.length)],
    ]) {
      w.message(13, new ProtoWriter().string(1, key).string(2, value));
    }
    w.varint(14, 1); // data_location = EXTERNAL
  } else {
    w.bytes(9, tensorRawBytes(t));
  }
  return w;
}

export function encodeValueInfo(name: string, elemType: OnnxElemType, shape?: readonly OnnxDim[]): ProtoWriter {
  const tensorType = new ProtoWriter().varint(1, ONNX_DATA_TYPE[elemType]);
  if (shape) {
    const shapeW = new ProtoWriter();
    for (const d of shape) {
      const dim = new ProtoWriter();
      if (typeof d === 'number') dim.varint(1, d);
      else if (typeof d === 'string') dim.string(2, d);
      shapeW.message(1, dim);
    }
    tensorType.message(2, shapeW);
  }
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, name).message(2, type);
}

export function normalizeAttribute(name: string, v: OnnxAttributeInput): OnnxAttribute {
  if (v instanceof Tensor) return { type: 'tensor', value: v };
  if (typeof v === 'bigint') return { type: 'int', value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'int', value: v } : { type: 'float', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { type: 'strings', value: v as string[] };
    if (v.every((x) => typeof x === 'number')) {
      const nums = v as number[];
      return nums.every(Number.isInteger) ? { type: 'ints', value: nums } : { type: 'floats', value: nums };
    }
    throw new Error(`ONNX attribute "${name}": arrays must hold only numbers or only strings`);
  }
  if (typeof v === 'object' && v !== null && 'type' in v) return v as OnnxAttribute;
  throw new Error(`ONNX attribute "${name}": unsupported value ${String(v)}`);
}

export function encodeAttribute(name: string, a: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  switch (a.type) {
    case 'float':
      w.float32(2, a.value);
      break;
    case 'int':
      w.varint(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, encodeTensor('', a.value));
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedVarints(8, a.value);
      break;
    case 'strings':
      for (const s of a.value) w.string(9, s);
      break;
  }
  w.varint(20, ATTR_TYPE[a.type]);
  return w;
}

export interface NodeSpecOnnx {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: Record<string, OnnxAttributeInput>;
}

export function encodeNode(n: NodeSpecOnnx): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) {
    if (v === undefined) continue;
    w.message(5, encodeAttribute(k, normalizeAttribute(k, v)));
  }
  if (n.domain) w.string(7, n.domain);
  return w;
}
