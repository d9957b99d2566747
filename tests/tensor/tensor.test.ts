import { isTensorLike, Tensor } from '../../src/tensor/tensor.ts';

describe('Tensor', () => {
  it('keeps dtype, frozen shape and data; from() accepts plain objects', () => {
    const t = Tensor.float32([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect([t.size, t.rank]).toEqual([6, 2]);
    const plain = { dtype: 'float32' as const, shape: [3], data: new Float32Array([1, 2, 3]) };
    const wrapped = Tensor.from(plain);
    expect(wrapped).toBeInstanceOf(Tensor);
    expect(wrapped.data).toBe(plain.data);
    expect(Tensor.from(t)).toBe(t);
    expect(isTensorLike(plain)).toBe(true);
    expect(isTensorLike({ dtype: 'float32', shape: [2], data: new Float32Array(3) })).toBe(false);
    expect(isTensorLike({ dtype: 'int32', shape: [3], data: new Float32Array(3) })).toBe(false);
  });

  it('builds every dtype', () => {
    expect(Tensor.int32([2], [7, -1]).data).toEqual(new Int32Array([7, -1]));
    expect(Tensor.int64([2], [1, 2n ** 40n]).data).toEqual(new BigInt64Array([1n, 2n ** 40n]));
    expect(Tensor.float16([1], new Uint16Array([0x3c00])).dtype).toBe('float16');
    expect(Tensor.zeros([1, 2]).data).toEqual(new Float32Array(2));
  });

  it('reshapes (with -1) sharing data, and clones with its own data', () => {
    const t = Tensor.float32([2, 3], [1, 2, 3, 4, 5, 6]);
    const r = t.reshape([3, -1]);
    expect(r.shape).toEqual([3, 2]);
    expect(r.data).toBe(t.data);
    expect(() => t.reshape([4, -1])).toThrow(/cannot infer -1 in \[4, -1\] for 6 elements/);
    expect(() => t.reshape([5])).toThrow(/\[2, 3\] \(6 elements\) cannot become \[5\]/);
    const c = t.clone();
    c.data[0] = 9;
    expect(t.data[0]).toBe(1);
  });

  it('rejects mismatched data, dtypes and shapes with clear errors', () => {
    expect(() => Tensor.float32([2, 2], [1, 2, 3])).toThrow(/data has 3 elements but shape \[2, 2\] needs 4/);
    expect(() => new Tensor('float32', [2], new Int32Array(2) as unknown as Float32Array)).toThrow(/dtype float32 needs its data in a Float32Array, got Int32Array/);
    expect(() => new Tensor('float64' as 'float32', [1], new Float32Array(1))).toThrow(/dtype "float64" is not one of float32, float16, int32, int64/);
    expect(() => new Tensor('float32', [2, -1], new Float32Array(2))).toThrow(/shape must be a list of integers ≥ 0/);
    expect(() => Tensor.from({ dtype: 'int64', shape: [1], data: new Int32Array(1) as unknown as BigInt64Array })).toThrow(/needs its data in a BigInt64Array/);
  });
});
