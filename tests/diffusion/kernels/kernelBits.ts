/** Helpers for the kernel tests: float32 inputs with edge values, and bit-for-bit comparison. */
import { expect } from 'vitest';
import { mulberry32 } from '../../../src/toy/rng.ts';

/** Float32 values that stress rounding: signed zeros, infinities, NaN, subnormals, extremes. */
export const EDGE_VALUES = [
  0, -0, 1, -1, Infinity, -Infinity, NaN, 1.401298464324817e-45, -1.401298464324817e-45, 1.1754942106924411e-38,
  3.4028234663852886e38, -3.4028234663852886e38, 5.960464477539063e-8, 0.1, -0.3333333432674408, 16777216, 1e-30,
];

/** A small deterministic generator, so failures reproduce. */
export const rng = mulberry32;

/** `n` float32 values: mostly latent-like normals at varied scales, some edge values. */
export function randomLatent(n: number, random: () => number, edges = true): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = random();
    if (edges && r < 0.05) out[i] = EDGE_VALUES[Math.floor(random() * EDGE_VALUES.length)];
    else {
      const u = Math.max(random(), 1e-12);
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
      out[i] = normal * 10 ** Math.floor(random() * 6 - 3);
    }
  }
  return out;
}

/** A float32 scalar, like the coefficients the schedulers compute. */
export function randomScalar(random: () => number, positive = false): number {
  const v = Math.fround((random() * 2 - (positive ? 0 : 1)) * 10 ** Math.floor(random() * 4 - 2));
  return positive && v === 0 ? Math.fround(0.5) : v;
}

/** Equal bits everywhere, except that any NaN matches any NaN (payloads are unspecified). */
export function expectSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === e[i] || (Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) continue;
    throw new Error(`${what}: element ${i} is ${actual[i]} (0x${a[i].toString(16)}), expected ${expected[i]} (0x${e[i].toString(16)})`);
  }
}

/**
 * Pairs [x, d] of float32 values whose exact quotient x / d is a float32 rounding midpoint below
 * 2^-126 (an odd multiple of 2^-150, halfway between two subnormals), so that only a correctly
 * rounded division gives the float32 result (ties to even). A float64 multiplication by
 * fl64(1 / d) lands just off the midpoint on these and rounds the wrong way; the list keeps only
 * pairs where it does, so a kernel that divided that way would fail on them.
 */
export function subnormalMidpointQuotients(): [number, number][] {
  const pairs: [number, number][] = [];
  for (const odd of [49, 3 * 41, 1001, 12345]) {
    for (let shift = -12; shift <= 12; shift += 3) {
      const d = odd * 2 ** shift;
      for (let m = 1; m < 4000 && m * odd < 2 ** 24; m += 2) {
        const x = m * odd * 2 ** (shift - 150); // exact: m * odd < 2^24, and within float32 range
        if (Math.fround(x) !== x || x === 0) continue;
        if (Math.fround(x * (1 / d)) !== Math.fround(x / d)) pairs.push([x, d], [-x, d]);
      }
    }
  }
  return pairs;
}
