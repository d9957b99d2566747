/**
 * Float32 emulation of the polynomial `log` and `sincos` that PyTorch's AVX2 randn kernel uses
 * (avx_mathfun.h, after Pommier's sse_mathfun, itself after Cephes' logf/sinf/cosf). Every
 * operation is rounded to float32 in the order of the source's vector code.
 *
 * GCC builds (Linux wheels) fuse each product that feeds exactly one add into a fused
 * multiply-add (-mfma, -ffp-contract=fast); `fused = true` reproduces those fusions, which was
 * checked bit for bit against PyTorch 1.13.1 (Debian's GCC build) on 27,000+ values. With
 * `fused = false` every product is rounded on its own (a build that does not contract).
 */
const f = Math.fround;

/** fmaf(a, b, c) for float32 a, b, c: a·b + c rounded once to float32. */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b; // exact: 24 + 24 bits fit a double
  const s = p + c;
  const r = f(s);
  // s was rounded once already (to double). That only matters when s lies exactly halfway
  // between r and its other float neighbour n = r + 2(s − r), and the exact sum is not s.
  const n = r + 2 * (s - r);
  if (n === r || f(n) !== n || !Number.isFinite(n)) return r;
  const bv = s - p;
  const err = p - (s - bv) + (c - bv); // exact error of p + c (TwoSum)
  if (err === 0) return r; // a true tie: fround already rounded it to even
  return err > 0 === n > r ? n : r;
}

/** a·b + c with the product rounded on its own (no fusing). */
function mulAdd(a: number, b: number, c: number): number {
  return f(f(a * b) + c);
}

const SQRT_HALF = f(0.707106781186547524);
const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(f);
const LOG_Q1 = f(-2.12194440e-4);
const LOG_Q2 = f(0.693359375);

const bits = new DataView(new ArrayBuffer(4));

/** Natural log of a float (NaN for x ≤ 0; subnormals clamp to the smallest normal). */
export function log256(x: number, fused = true): number {
  if (!(x > 0)) return NaN;
  const madd = fused ? fmaf : mulAdd;
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
  for (let i = 1; i < LOG_P.length; i++) y = madd(y, t, LOG_P[i]);
  y = f(y * t);
  y = madd(y, z, f(e * LOG_Q1)); // y·z + e·q1: the fused product is y·z
  y = f(y - f(z * 0.5));
  return madd(e, LOG_Q2, f(t + y));
}

const FOUR_OVER_PI = f(1.27323954473516);
const MINUS_DP1 = f(-0.78515625);
const MINUS_DP2 = f(-2.4187564849853515625e-4);
const MINUS_DP3 = f(-3.77489497744594108e-8);
const SIN_P = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1].map(f);
const COS_P = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2].map(f);

/** [sin x, cos x] of a float, accurate for |x| < 8192 like the vector original. */
export function sincos256(x: number, fused = true): [number, number] {
  const out = new Float64Array(2);
  sincos256Into(x, fused, out);
  return [out[0], out[1]];
}

/** sincos256 writing sin to out[0] and cos to out[1] (no allocation, for the randn loop). */
export function sincos256Into(x: number, fused: boolean, out: Float64Array): void {
  const madd = fused ? fmaf : mulAdd;
  x = f(x);
  const negative = x < 0 || Object.is(x, -0);
  let a = Math.abs(x);
  // Octant index j, rounded up to even; the reduced argument is a − j·π/4 in three parts.
  let j = Math.trunc(f(a * FOUR_OVER_PI)) | 0;
  j = (j + 1) & ~1;
  const y = f(j);
  a = madd(y, MINUS_DP1, a);
  a = madd(y, MINUS_DP2, a);
  a = madd(y, MINUS_DP3, a);
  const flipSin = ((j & 4) !== 0) !== negative;
  const flipCos = (~(j - 2) & 4) !== 0;
  const sinPolynomialForSin = (j & 2) === 0;

  const z = f(a * a);
  let c = madd(COS_P[0], z, COS_P[1]);
  c = madd(c, z, COS_P[2]);
  c = f(c * z);
  c = madd(c, z, -f(z * 0.5)); // c·z − z/2: the fused product is c·z
  c = f(c + 1);

  let s = madd(SIN_P[0], z, SIN_P[1]);
  s = madd(s, z, SIN_P[2]);
  s = f(s * z);
  s = madd(s, a, a);

  const sin = sinPolynomialForSin ? s : c;
  const cos = sinPolynomialForSin ? c : s;
  out[0] = flipSin ? -sin : sin;
  out[1] = flipCos ? -cos : cos;
}
