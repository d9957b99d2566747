/**
 * Float32 emulation of the polynomial `log` and `sincos` that PyTorch's AVX2 randn kernel uses
 * (avx_mathfun.h, after Pommier's sse_mathfun, itself after Cephes' logf/sinf/cosf). Every
 * operation is rounded to float32 in the order of the source's vector code, without fused
 * multiply-adds (a compiler may fuse some, which moves results by an ulp at most).
 */
const f = Math.fround;

const SQRT_HALF = f(0.707106781186547524);
const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(f);
const LOG_Q1 = f(-2.12194440e-4);
const LOG_Q2 = f(0.693359375);

const bits = new DataView(new ArrayBuffer(4));

/** Natural log of a float (NaN for x ≤ 0; subnormals clamp to the smallest normal). */
export function log256(x: number): number {
  if (!(x > 0)) return NaN;
  x = Math.max(f(x), 2 ** -126);
  bits.setFloat32(0, x);
  const raw = bits.getUint32(0);
  let e = f(((raw >>> 23) & 0xff) - 127 + 1);
  // Keep the mantissa with the exponent of 0.5: m in [0.5, 1).
  bits.setUint32(0, (raw & ~0x7f800000) | 0x3f000000);
  const m = bits.getFloat32(0);
  let t: number;
  if (m < SQRT_HALF) {
    e = f(e - 1);
    t = f(f(m - 1) + m);
  } else {
    t = f(m - 1);
  }
  const z = f(t * t);
  let y = LOG_P[0];
  for (let i = 1; i < LOG_P.length; i++) y = f(f(y * t) + LOG_P[i]);
  y = f(y * t);
  y = f(y * z);
  y = f(y + f(e * LOG_Q1));
  y = f(y - f(z * 0.5));
  return f(f(t + y) + f(e * LOG_Q2));
}

const FOUR_OVER_PI = f(1.27323954473516);
const MINUS_DP1 = f(-0.78515625);
const MINUS_DP2 = f(-2.4187564849853515625e-4);
const MINUS_DP3 = f(-3.77489497744594108e-8);
const SIN_P = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1].map(f);
const COS_P = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2].map(f);

/** [sin x, cos x] of a float, accurate for |x| < 8192 like the vector original. */
export function sincos256(x: number): [number, number] {
  x = f(x);
  const negative = x < 0 || Object.is(x, -0);
  let a = Math.abs(x);
  // Octant index j, rounded up to even; the reduced argument is a − j·π/4 in three parts.
  let j = Math.trunc(f(a * FOUR_OVER_PI)) | 0;
  j = (j + 1) & ~1;
  const y = f(j);
  a = f(a + f(y * MINUS_DP1));
  a = f(a + f(y * MINUS_DP2));
  a = f(a + f(y * MINUS_DP3));
  const flipSin = ((j & 4) !== 0) !== negative;
  const flipCos = (~(j - 2) & 4) !== 0;
  const sinPolynomialForSin = (j & 2) === 0;

  const z = f(a * a);
  let c = COS_P[0];
  c = f(f(c * z) + COS_P[1]);
  c = f(f(c * z) + COS_P[2]);
  c = f(f(c * z) * z);
  c = f(f(c - f(z * 0.5)) + 1);

  let s = SIN_P[0];
  s = f(f(s * z) + SIN_P[1]);
  s = f(f(s * z) + SIN_P[2]);
  s = f(f(f(s * z) * a) + a);

  const sin = sinPolynomialForSin ? s : c;
  const cos = sinPolynomialForSin ? c : s;
  return [flipSin ? -sin : sin, flipCos ? -cos : cos];
}
