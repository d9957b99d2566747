/**
 * Small deterministic random sources for building the toy-shapes data. They only need to be
 * reproducible across runs and machines (integer arithmetic), not statistically strong.
 */

/** mulberry32: a 32-bit state generator; returns uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer drawn uniformly from [lo, hi] (inclusive). */
export function randomInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}
