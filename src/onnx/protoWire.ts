/**
 * Protocol-buffer wire format, hand-rolled: just enough to write and read ONNX's ModelProto.
 * The writer collects chunks and copies each payload once, in `finish()`, so large initializers
 * are not duplicated while a model is being assembled.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const TEXT_ENCODER = new TextEncoder();
const TEXT_DECODER = new TextDecoder('utf-8', { fatal: false });

function varintBytes(value: number | bigint): Uint8Array {
  // Negative int64 values are written as their 64-bit two's complement (10 bytes), as protobuf does.
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

function smallVarintBytes(value: number): Uint8Array {
  if (value < 0 || !Number.isSafeInteger(value)) return varintBytes(value);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private total = 0;

  get length(): number {
    return this.total;
  }

  private push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.total += bytes.length;
  }

  private tag(field: number, wire: number): void {
    this.push(smallVarintBytes(field * 8 + wire));
  }

  varint(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.push(typeof value === 'number' ? smallVarintBytes(value) : varintBytes(value));
    return this;
  }

  float32(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  /** Length-delimited bytes; the payload is referenced, not copied, until `finish()`. */
  bytes(field: number, payload: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.push(smallVarintBytes(payload.length));
    this.push(payload);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, TEXT_ENCODER.encode(value));
  }

  message(field: number, sub: ProtoWriter): this {
    this.tag(field, WIRE_LEN);
    this.push(smallVarintBytes(sub.total));
    for (const p of sub.parts) this.push(p);
    return this;
  }

  /** Packed repeated varints (e.g. TensorProto.dims, AttributeProto.ints). */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.push(typeof v === 'number' ? smallVarintBytes(v) : varintBytes(v));
    return this.message(field, inner);
  }

  packedFloats(field: number, values: readonly number[]): this {
    const b = new Uint8Array(values.length * 4);
    const view = new DataView(b.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.total);
    let offset = 0;
    for (const p of this.parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
}

/** Raised for bytes that are not a well-formed protobuf message (truncated, corrupt). */
export class ProtoParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoParseError';
  }
}

export interface ProtoField {
  field: number;
  wire: number;
  /** For WIRE_VARINT: the value. */
  varint: bigint;
  /** For WIRE_LEN: start and end of the payload in the reader's buffer. */
  start: number;
  end: number;
}

export class ProtoReader {
  private pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
    private readonly what = 'message',
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private readVarint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) {
        throw new ProtoParseError(`truncated ${this.what}: a varint runs past byte ${this.end}`);
      }
      const byte = this.buf[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new ProtoParseError(`corrupt ${this.what}: varint longer than 10 bytes at byte ${this.pos}`);
  }

  next(): ProtoField {
    const key = this.readVarint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ProtoParseError(`corrupt ${this.what}: field number 0 at byte ${this.pos}`);
    const f: ProtoField = { field, wire, varint: 0n, start: this.pos, end: this.pos };
    switch (wire) {
      case WIRE_VARINT:
        f.varint = this.readVarint();
        break;
      case WIRE_FIXED64:
        this.skip(8, field);
        break;
      case WIRE_FIXED32:
        this.skip(4, field);
        break;
      case WIRE_LEN: {
        const len = this.readVarint();
        const remaining = this.end - this.pos;
        if (len > BigInt(remaining)) {
          throw new ProtoParseError(
            `truncated ${this.what}: field ${field} at byte ${this.pos} declares ${len} bytes but only ${remaining} remain`,
          );
        }
        f.start = this.pos;
        this.pos += Number(len);
        f.end = this.pos;
        break;
      }
      default:
        throw new ProtoParseError(`corrupt ${this.what}: unknown wire type ${wire} for field ${field} at byte ${this.pos}`);
    }
    if (wire !== WIRE_LEN) f.end = this.pos;
    return f;
  }

  private skip(n: number, field: number): void {
    if (this.pos + n > this.end) {
      throw new ProtoParseError(`truncated ${this.what}: field ${field} needs ${n} bytes past byte ${this.pos}`);
    }
    this.pos += n;
  }

  sub(f: ProtoField, what: string): ProtoReader {
    return new ProtoReader(this.buf, f.start, f.end, what);
  }

  string(f: ProtoField): string {
    return TEXT_DECODER.decode(this.buf.subarray(f.start, f.end));
  }

  /** Reads a repeated varint field, packed or not. */
  varints(f: ProtoField): bigint[] {
    if (f.wire === WIRE_VARINT) return [f.varint];
    const inner = new ProtoReader(this.buf, f.start, f.end, this.what);
    const out: bigint[] = [];
    while (!inner.done) out.push(inner.readVarint());
    return out;
  }
}

/** Interprets an unsigned 64-bit varint as signed int64 and returns it as a number. */
export function int64ToNumber(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}
