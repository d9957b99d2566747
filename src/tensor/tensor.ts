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

export class Tensor<D extends DType = DType> implements TensorLike<D> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: DataByDType[D];

  constructor(dtype: D, shape: readonly number[], data: DataByDType[D]) {
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
}
