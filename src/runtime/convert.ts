/**
 * Feed and output conversion by a model's own metadata, so nodes can pass float32 tensors and
 * plain numbers to any export: float16 I/O, int32/int64 ids and timesteps, [1]/[]/[B] timesteps.
 */
import { Tensor, shapeSize, type DType } from '../tensor/tensor.ts';
import { float16BitsToFloat32Array, float32ArrayToFloat16Bits } from '../tensor/fp16.ts';
import { isResident, type ResidentTensor } from '../tensor/resident.ts';
import { RuntimeError, type FeedValue, type TensorMeta } from './types.ts';

const SUPPORTED: ReadonlySet<string> = new Set(['float32', 'float16', 'int32', 'int64']);

function fmtShape(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;
}

/** The values of any numeric tensor as float64 numbers (int64 via Number). */
function asNumbers(t: Tensor): ArrayLike<number> {
  switch (t.dtype) {
    case 'float32':
    case 'int32':
      return t.data as Float32Array | Int32Array;
    case 'float16':
      return float16BitsToFloat32Array(t.data as Uint16Array);
    case 'int64':
      return Array.from(t.data as BigInt64Array, Number);
  }
}

export function castTensor(t: Tensor, to: DType): Tensor {
  if (t.dtype === to) return t;
  if (to === 'float16') {
    return new Tensor('float16', t.shape, float32ArrayToFloat16Bits(asNumbers(t)));
  }
  const values = asNumbers(t);
  switch (to) {
    case 'float32':
      return new Tensor('float32', t.shape, Float32Array.from(values));
    case 'int32':
      return new Tensor('int32', t.shape, Int32Array.from(values, Math.round));
    case 'int64':
      return new Tensor('int64', t.shape, BigInt64Array.from(Array.from(values, (v) => BigInt(Math.round(v)))));
  }
}

function scalarTensor(v: number | bigint, dtype: DType, shape: readonly number[]): Tensor {
  const n = shapeSize(shape);
  switch (dtype) {
    case 'float32':
      return new Tensor('float32', shape, new Float32Array(n).fill(Number(v)));
    case 'float16':
      return new Tensor('float16', shape, new Uint16Array(n).fill(float32ArrayToFloat16Bits([Number(v)])[0]));
    case 'int32':
      return new Tensor('int32', shape, new Int32Array(n).fill(Math.round(Number(v))));
    case 'int64':
      return new Tensor('int64', shape, new BigInt64Array(n).fill(typeof v === 'bigint' ? v : BigInt(Math.round(v))));
  }
}

function repeatSingle(t: Tensor, shape: readonly number[]): Tensor {
  const n = shapeSize(shape);
  const Ctor = t.data.constructor as new (n: number) => Tensor['data'];
  const data = new Ctor(n) as Tensor['data'];
  (data as unknown as { fill(v: unknown): void }).fill(t.data[0]);
  return new Tensor(t.dtype, shape, data);
}

export interface FeedContext {
  label: string;
  nodeId?: string;
}

/**
 * Converts caller feeds into what the model declares. Throws RuntimeError for unknown or missing
 * inputs and for shapes that cannot be reconciled, naming the node, file and input.
 */
export function prepareFeeds(metas: readonly TensorMeta[], feeds: Record<string, Tensor | number | bigint | undefined>, ctx: FeedContext): Record<string, Tensor>;
export function prepareFeeds(metas: readonly TensorMeta[], feeds: Record<string, FeedValue | undefined>, ctx: FeedContext): Record<string, Tensor | ResidentTensor>;
export function prepareFeeds(
  metas: readonly TensorMeta[],
  feeds: Record<string, FeedValue | undefined>,
  ctx: FeedContext,
): Record<string, Tensor | ResidentTensor> {
  const where = ctx.nodeId ? `node "${ctx.nodeId}": ` : '';
  const names = metas.map((m) => m.name);
  for (const [name, value] of Object.entries(feeds)) {
    if (value !== undefined && !names.includes(name)) {
      throw new RuntimeError(
        `${where}${ctx.label} has no input \`${name}\`; inputs are: ${names.join(', ')}`,
        'unknown-input',
        { node: ctx.nodeId, file: ctx.label, port: name },
      );
    }
  }
  const missing = metas.filter((m) => feeds[m.name] === undefined).map((m) => m.name);
  if (missing.length > 0) {
    const given = Object.keys(feeds).filter((k) => feeds[k] !== undefined);
    throw new RuntimeError(
      `${where}${ctx.label} needs input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `\`${m}\``).join(', ')}; given: ${given.join(', ') || 'nothing'}`,
      'missing-input',
      { node: ctx.nodeId, file: ctx.label, port: missing[0] },
    );
  }

  // Bind symbolic dims from tensors whose rank matches, so a [1] timestep can follow a batch of 2.
  const bound = new Map<string, number>();
  for (const m of metas) {
    const v = feeds[m.name];
    if (!(v instanceof Tensor || isResident(v)) || !m.shape || m.shape.length !== v.shape.length) continue;
    m.shape.forEach((d, i) => {
      if (typeof d === 'string' && v.shape[i] !== 1) bound.set(d, Math.max(bound.get(d) ?? 1, v.shape[i]));
    });
  }

  const out: Record<string, Tensor | ResidentTensor> = {};
  for (const m of metas) {
    const value = feeds[m.name]!;
    if (isResident(value)) {
      out[m.name] = checkResidentFeed(value, m, ctx);
      continue;
    }
    const type = m.type ?? 'float32';
    if (!SUPPORTED.has(type)) {
      throw new RuntimeError(
        `${where}${ctx.label} input \`${m.name}\` has element type ${type}, which LatentLoom cannot feed`,
        'dtype-mismatch',
        { node: ctx.nodeId, file: ctx.label, port: m.name },
      );
    }
    const dtype = type as DType;
    const declared = m.shape;
    if (typeof value === 'number' || typeof value === 'bigint') {
      const shape = declared
        ? declared.map((d) => (typeof d === 'number' ? d : typeof d === 'string' ? bound.get(d) ?? 1 : 1))
        : [1];
      out[m.name] = scalarTensor(value, dtype, shape);
      continue;
    }
    let t = castTensor(value, dtype);
    if (declared) {
      const target = declared.map((d, i) =>
        typeof d === 'number' ? d : typeof d === 'string' && bound.has(d) ? bound.get(d)! : t.shape[i] ?? null,
      );
      const single = t.size === 1;
      if (single && declared.length <= 1 && t.shape.length <= 1) {
        const shape = target.map((d) => d ?? 1);
        t = shapeSize(shape) === 1 ? new Tensor(t.dtype, shape, t.data) : repeatSingle(t, shape);
      } else if (declared.length !== t.shape.length) {
        throw new RuntimeError(
          `${where}${ctx.label} input \`${m.name}\` expects rank ${declared.length} ${fmtShape(declared)}, got shape ${fmtShape(t.shape)}`,
          'shape-mismatch',
          { node: ctx.nodeId, file: ctx.label, port: m.name },
        );
      } else {
        const bad = declared.findIndex((d, i) => typeof d === 'number' && d !== t.shape[i]);
        if (bad >= 0) {
          throw new RuntimeError(
            `${where}${ctx.label} input \`${m.name}\` expects shape ${fmtShape(declared)}, got ${fmtShape(t.shape)} (dim ${bad})`,
            'shape-mismatch',
            { node: ctx.nodeId, file: ctx.label, port: m.name },
          );
        }
      }
    }
    out[m.name] = t;
  }
  return out;
}

/**
 * A resident feed goes in as it is: nothing can be converted on the device, so the input must be
 * float32 and its declared rank and fixed sizes must match.
 */
function checkResidentFeed(value: ResidentTensor, m: TensorMeta, ctx: FeedContext): ResidentTensor {
  const where = ctx.nodeId ? `node "${ctx.nodeId}": ` : '';
  const details = { node: ctx.nodeId, file: ctx.label, port: m.name };
  const type = m.type ?? 'float32';
  if (type !== 'float32') {
    throw new RuntimeError(`${where}${ctx.label} input \`${m.name}\` is ${type}, but a resident (on-device) float32 tensor was given; download it first`, 'dtype-mismatch', details);
  }
  const declared = m.shape;
  if (declared && (declared.length !== value.shape.length || declared.some((d, i) => typeof d === 'number' && d !== value.shape[i]))) {
    throw new RuntimeError(`${where}${ctx.label} input \`${m.name}\` expects shape ${fmtShape(declared)}, got ${fmtShape(value.shape)}`, 'shape-mismatch', details);
  }
  return value;
}

/** Widens float16 outputs to float32; other types (and resident outputs, float32 always) pass through. */
export function normalizeOutputs<T extends Tensor | ResidentTensor>(outputs: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [name, t] of Object.entries(outputs)) out[name] = (!isResident(t) && t.dtype === 'float16' ? castTensor(t, 'float32') : t) as T;
  return out;
}

/**
 * Converts a backend's raw output ({ type, data, dims }) into a Tensor, mapping element types
 * LatentLoom has no dtype for (bool, uint8, float64…) onto int32 or float32.
 */
export function tensorFromRaw(type: string, data: unknown, dims: readonly number[]): Tensor {
  const shape = [...dims];
  switch (type) {
    case 'float32':
      return new Tensor('float32', shape, data as Float32Array);
    case 'float16':
      return data instanceof Uint16Array
        ? new Tensor('float16', shape, data)
        : new Tensor('float32', shape, Float32Array.from(data as ArrayLike<number>));
    case 'int32':
      return new Tensor('int32', shape, data as Int32Array);
    case 'int64':
      return new Tensor('int64', shape, data as BigInt64Array);
    case 'float64':
      return new Tensor('float32', shape, Float32Array.from(data as Float64Array));
    case 'bool':
    case 'uint8':
    case 'int8':
    case 'uint16':
    case 'int16':
      return new Tensor('int32', shape, Int32Array.from(data as ArrayLike<number>));
    case 'uint32':
      return new Tensor('int64', shape, BigInt64Array.from(Array.from(data as Uint32Array, (v) => BigInt(v))));
    case 'uint64':
      return new Tensor('int64', shape, BigInt64Array.from(data as BigUint64Array, (v) => BigInt.asIntN(64, v)));
    default:
      throw new Error(`output element type ${type} is not supported`);
  }
}
