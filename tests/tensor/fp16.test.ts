import fc from 'fast-check';
import {
  float16BitsToFloat32,
  float16BitsToFloat32Array,
  float32ArrayToFloat16Bits,
  float32ToFloat16Bits,
  setNativeFloat16,
  toFloat16,
  toFloat32,
} from '../../src/tensor/fp16.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

/** Reference: the nearest half by exhaustive comparison with its neighbours (ties → even bits). */
function nearestHalfBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00; // 65504 + half an ulp (16) rounds to inf
  // Candidates: all finite positive halves are 0..0x7bff in increasing order; binary search.
  let lo = 0, hi = 0x7bff;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (float16BitsToFloat32(mid) <= a) lo = mid;
    else hi = mid - 1;
  }
  const below = float16BitsToFloat32(lo);
  if (below === a || lo === 0x7bff) return sign | lo;
  const above = float16BitsToFloat32(lo + 1);
  const dBelow = a - below, dAbove = above - a;
  const pick = dBelow < dAbove ? lo : dAbove < dBelow ? lo + 1 : (lo & 1 ? lo + 1 : lo);
  return sign | pick;
}

describe('fp16 ⇄ fp32', () => {
  it('decodes known bit patterns', () => {
    expect(float16BitsToFloat32(0x3c00)).toBe(1);
    expect(float16BitsToFloat32(0xc000)).toBe(-2);
    expect(float16BitsToFloat32(0x7bff)).toBe(65504);
    expect(float16BitsToFloat32(0x0400)).toBe(2 ** -14); // smallest normal
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(float16BitsToFloat32(0x3555)).toBeCloseTo(0.333251953125, 12);
    expect(float16BitsToFloat32(0x7c00)).toBe(Infinity);
    expect(float16BitsToFloat32(0xfc00)).toBe(-Infinity);
    expect(float16BitsToFloat32(0x7e00)).toBeNaN();
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).toBe(true);
  });

  it('encodes known values with round-to-nearest-even', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65519)).toBe(0x7bff); // below the halfway point to 65536
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // halfway: ties to even = inf
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(float32ToFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(float32ToFloat16Bits(NaN) & 0x3ff).not.toBe(0);
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even (down)
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal → 0
    expect(float32ToFloat16Bits(1.5 * 2 ** -25)).toBe(0x0001);
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 subnormal units → 2
    expect(float32ToFloat16Bits(2 ** -14 - 2 ** -26)).toBe(0x0400); // rounds up into the normal range
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(1e-45)).toBe(0); // float32 subnormal → 0
  });

  it('round-trips all 65536 half bit patterns (NaNs stay NaN)', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 65536; bits++) {
      const v = float16BitsToFloat32(bits);
      const ok = Number.isNaN(v) ? Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(v))) : float32ToFloat16Bits(v) === bits;
      if (!ok) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });

  it('matches the nearest-half reference on random float32 values', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (x) => {
        expect(float32ToFloat16Bits(x)).toBe(nearestHalfBits(x));
      }),
      { numRuns: 3000 },
    );
    // Every halfway point between neighbouring halves (exactly representable in float32).
    for (let bits = 0; bits < 0x7bff; bits += 7) {
      const mid = (float16BitsToFloat32(bits) + float16BitsToFloat32(bits + 1)) / 2;
      expect(float32ToFloat16Bits(mid)).toBe(bits & 1 ? bits + 1 : bits);
    }
  });

  it('array and tensor conversions agree with the scalar path, with and without Float16Array', () => {
    const values = Float32Array.from([0, -0, 1, -2.5, 65504, 70000, 1e-8, 3.14159, NaN, -Infinity]);
    for (const native of [true, false]) {
      const previous = setNativeFloat16(native);
      try {
        const bits = float32ArrayToFloat16Bits(values);
        expect(Array.from(bits)).toEqual(Array.from(values, float32ToFloat16Bits).map((b, i) => (Number.isNaN(values[i]) ? bits[i] : b)));
        const back = float16BitsToFloat32Array(bits);
        expect(Array.from(back)).toEqual(Array.from(bits, float16BitsToFloat32));
      } finally {
        setNativeFloat16(previous);
      }
    }
    const t = toFloat16({ dtype: 'float32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) });
    expect(t).toBeInstanceOf(Tensor);
    expect(t.dtype).toBe('float16');
    expect(Array.from(t.data)).toEqual([0x3c00, 0x4000, 0x4200, 0x4400]);
    expect(Array.from(toFloat32(t).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(toFloat32(new Tensor('int64', [2], new BigInt64Array([5n, -3n]))).data)).toEqual([5, -3]);
  });
});
