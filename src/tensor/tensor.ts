/**
 * Tensor: dtype, shape, data. Row-major (C order), like torch and onnxruntime.
 * float16 data is stored as raw IEEE half bits in a Uint16Array.
 */
export type DType = 'float32' | 'float16' | 'int32' | 'int64';

export interface DataByDType {
  float32: Float32Array;
  float16: Uint16Array;
  int32: Int32Array;
  int64: BigInt64Array;
}

export type TensorData = DataByDType[DType];

/** Any plain object of this shape is accepted wherever a Tensor is. */
export interface TensorLike<D extends DType = DType> {
  dtype: D;
  shape: readonly number[];
  data: DataByDType[D];
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The typed array each dtype keeps its data in. */
export const DATA_ARRAY_TYPES: { readonly [K in DType]: new (length: number) => DataByDType[K] } = {
  float32: Float32Array,
  float16: Uint16Array,
  int32: Int32Array,
  int64: BigInt64Array,
};

function describeData(data: unknown): string {
  if (data === null || data === undefined) return String(data);
  return (data as object).constructor?.name ?? typeof data;
}

/** Whether a value looks like a tensor (dtype, shape, data of the right typed array and size). */
export function isTensorLike(value: unknown): value is TensorLike {
  if (!value || typeof value !== 'object') return false;
  const t = value as Partial<TensorLike>;
  const arrayType = typeof t.dtype === 'string' ? DATA_ARRAY_TYPES[t.dtype] : undefined;
  return (
    arrayType !== undefined &&
    t.data instanceof arrayType &&
    Array.isArray(t.shape) &&
    t.shape.every((d) => Number.isInteger(d) && d >= 0) &&
    t.data.length === shapeSize(t.shape)
  );
}

export class Tensor<D extends DType = DType> implements TensorLike<D> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: DataByDType[D];

  constructor(dtype: D, shape: readonly number[], data: DataByDType[D]) {
    const arrayType = DATA_ARRAY_TYPES[dtype];
    if (!arrayType) throw new Error(`Tensor dtype "${String(dtype)}" is not one of ${Object.keys(DATA_ARRAY_TYPES).join(', ')}`);
    if (!(data instanceof arrayType)) {
      throw new Error(`Tensor of dtype ${dtype} needs its data in a ${arrayType.name}, got ${describeData(data)}`);
    }
    if (!shape || typeof shape.length !== 'number' || !Array.prototype.every.call(shape, (d: number) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`Tensor shape must be a list of integers ≥ 0, got ${JSON.stringify(shape)}`);
    }
    const size = shapeSize(shape);
    if (data.length !== size) {
      throw new Error(`Tensor data has ${data.length} elements but shape [${shape.join(', ')}] needs ${size}`);
    }
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }

  get size(): number {
    return this.data.length;
  }

  static from<D extends DType>(like: TensorLike<D>): Tensor<D> {
    return like instanceof Tensor ? like : new Tensor(like.dtype, like.shape, like.data);
  }

  static zeros(shape: readonly number[]): Tensor<'float32'> {
    return new Tensor('float32', shape, new Float32Array(shapeSize(shape)));
  }

  static float32(shape: readonly number[], data: Float32Array | readonly number[]): Tensor<'float32'> {
    return new Tensor('float32', shape, data instanceof Float32Array ? data : Float32Array.from(data));
  }

  static int32(shape: readonly number[], data: Int32Array | readonly number[]): Tensor<'int32'> {
    return new Tensor('int32', shape, data instanceof Int32Array ? data : Int32Array.from(data));
  }

  static int64(shape: readonly number[], data: BigInt64Array | readonly (number | bigint)[]): Tensor<'int64'> {
    return new Tensor('int64', shape, data instanceof BigInt64Array ? data : BigInt64Array.from(data, (v) => BigInt(v)));
  }

  /** float16 from raw IEEE half bits (see fp16.ts to convert from numbers). */
  static float16(shape: readonly number[], bits: Uint16Array): Tensor<'float16'> {
    return new Tensor('float16', shape, bits);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The same data under another shape; one dimension may be -1 (inferred). */
  reshape(shape: readonly number[]): Tensor<D> {
    const inferred = shape.filter((d) => d === -1).length;
    if (inferred > 1) throw new Error(`reshape: at most one dimension may be -1, got [${shape.join(', ')}]`);
    let target = [...shape];
    if (inferred === 1) {
      const known = shapeSize(shape.filter((d) => d !== -1));
      if (known === 0 || this.size % known !== 0) {
        throw new Error(`reshape: cannot infer -1 in [${shape.join(', ')}] for ${this.size} elements`);
      }
      target = shape.map((d) => (d === -1 ? this.size / known : d));
    }
    if (shapeSize(target) !== this.size) {
      throw new Error(`reshape: [${this.shape.join(', ')}] (${this.size} elements) cannot become [${shape.join(', ')}]`);
    }
    return new Tensor(this.dtype, target, this.data);
  }

  /** A copy with its own data buffer. */
  clone(): Tensor<D> {
    return new Tensor(this.dtype, this.shape, this.data.slice() as DataByDType[D]);
  }
}

/** Bytes per element of each dtype's typed array. */
export const DTYPE_BYTES: { readonly [K in DType]: number } = { float32: 4, float16: 2, int32: 4, int64: 8 };

const GiB = 1024 ** 3;

/**
 * A quarter of the machine's memory where Node's `os` is at hand (one run's tensors besides the
 * models, the host and the OS), else 2 GiB (a browser tab). LATENTLOOM_MEMORY_BUDGET overrides.
 */
function defaultMemoryBudget(): number {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined>; getBuiltinModule?: (id: string) => unknown } }).process;
  const fromEnv = proc?.env?.LATENTLOOM_MEMORY_BUDGET;
  if (fromEnv !== undefined && fromEnv !== '') return parseByteSize(fromEnv, 'LATENTLOOM_MEMORY_BUDGET');
  const os = proc?.getBuiltinModule?.('node:os') as { totalmem?: () => number } | undefined;
  const total = os?.totalmem?.();
  return total && total > 0 ? Math.floor(total / 4) : 2 * GiB;
}

let memoryBudget: number | undefined;

/** Bytes one tensor may take before allocating it is refused (see checkAllocation). */
export function getMemoryBudget(): number {
  return (memoryBudget ??= defaultMemoryBudget());
}

/** Sets the budget in bytes; undefined goes back to the default. */
export function setMemoryBudget(bytes: number | undefined): void {
  if (bytes !== undefined && !(Number.isFinite(bytes) && bytes > 0)) throw new Error(`Memory budget must be a positive number of bytes, got ${bytes}`);
  memoryBudget = bytes;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: GiB, gb: GiB, gib: GiB, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4 };

/** "6GiB", "512 MB", "2g", "1073741824" → bytes (binary units throughout). `what` names the setting in errors. */
export function parseByteSize(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!(bytes > 0)) throw new Error(`${what} must be a size such as 6GiB or 512MiB, got "${text}"`);
  return bytes;
}

export function formatBytes(bytes: number): string {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(1)} GiB`;
  return bytes >= 1024 ** 2 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A tensor that would not fit the memory budget; `code` is the run error's code. */
export class MemoryBudgetError extends Error {
  readonly code = 'over-memory-budget';
  constructor(message: string) {
    super(message);
    this.name = 'MemoryBudgetError';
  }
}

/**
 * Refuses, before anything is allocated, a tensor of `shape` (`count` of them) that would take
 * more than the memory budget; `where` names the node, e.g. `noise/gaussian (node "n")`.
 */
/** The budget check for a working set that is not a tensor: `what` says what needs `bytes`. */
export function checkWorkingSet(bytes: number, what: string, where: string): void {
  const budget = getMemoryBudget();
  if (bytes <= budget) return;
  throw new MemoryBudgetError(`${where}: ${what} needs ${formatBytes(bytes)}, over the memory budget of ${formatBytes(budget)}`);
}

export function checkAllocation(shape: readonly number[], dtype: DType, where: string, count = 1): void {
  const bytes = shapeSize(shape) * DTYPE_BYTES[dtype] * count;
  const budget = getMemoryBudget();
  if (bytes <= budget) return;
  const many = count === 1 ? `a [${shape.join(',')}] ${dtype} tensor needs` : `${count} [${shape.join(',')}] ${dtype} tensors need`;
  throw new MemoryBudgetError(`${where}: ${many} ${formatBytes(bytes)}, over the memory budget of ${formatBytes(budget)}`);
}
