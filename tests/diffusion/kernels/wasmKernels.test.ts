/**
 * The wasm SIMD kernels against the JS kernels, bit for bit, over random latents with edge values
 * (signed zeros, infinities, NaN, subnormals, extremes) and lengths that are not whole vectors;
 * and the resident memory: results fed back are read in place and stay right across size changes.
 */
import { describe, expect, it } from 'vitest';
import { kernels, scalarKernels, wasmKernels, type StepKernels } from '../../../src/diffusion/kernels/index.ts';
import { SD15_LATENT_RGB_FACTORS } from '../../../nodes/latent/preview.ts';
import { slotStride } from '../../../src/diffusion/kernels/wasmMemory.ts';
import { expectSameBits, randomLatent, randomScalar, rng, subnormalMidpointQuotients } from './kernelBits.ts';

const wasm = wasmKernels as NonNullable<typeof wasmKernels>;
const LENGTHS = [0, 1, 3, 4, 5, 17, 1024, 4099];

type Case = (k: StepKernels, arrays: Float32Array[], scalars: number[]) => Float32Array[];

/** PLMS at `order` (0: the warm-up average): arrays m, s, then the older model outputs. */
function plmsCase(order: number): { arrays: number; scalars: number; positive: number[]; run: Case } {
  const older = order === 0 ? 1 : Math.max(order - 1, 0);
  return {
    arrays: 2 + older,
    scalars: 3,
    positive: [2],
    run: (k, [m, s, ...p], [cs, diff, denom]) => [k.plmsEpsilon(m, p, order, s, { cs, diff, denom })],
  };
}

const CASES: Record<string, { arrays: number; scalars: number; positive?: number[]; run: Case }> = {
  eulerEpsilon: { arrays: 2, scalars: 2, positive: [0], run: (k, [m, s], [a, b]) => Object.values(k.eulerEpsilon(m, s, a, b)) },
  eulerAncestralEpsilon: {
    arrays: 3,
    scalars: 3,
    positive: [0, 2],
    run: (k, [m, s, e], [a, b, c]) => Object.values(k.eulerAncestralEpsilon(m, s, e, a, b, c)),
  },
  ddimEpsilon: {
    arrays: 2,
    scalars: 4,
    positive: [0, 1],
    run: (k, [m, s], [a, b, c, d]) => Object.values(k.ddimEpsilon(m, s, a, b, c, d)),
  },
  ddpmEpsilon: {
    arrays: 2,
    scalars: 5,
    positive: [0, 1, 2],
    run: (k, [m, s], [a, b, clip, c0, cs]) => Object.values(k.ddpmEpsilon(m, s, a, b, clip, c0, cs)),
  },
  ddpmEpsilonUnclipped: {
    arrays: 2,
    scalars: 4,
    positive: [0, 1],
    run: (k, [m, s], [a, b, c0, cs]) => Object.values(k.ddpmEpsilon(m, s, a, b, Infinity, c0, cs)),
  },
  dpmFirstOrder: {
    arrays: 2,
    scalars: 4,
    positive: [0, 1],
    run: (k, [m, s], [a, b, c, d]) => Object.values(k.dpmFirstOrder(m, s, a, b, c, d)),
  },
  dpmSecondOrder: {
    arrays: 3,
    scalars: 6,
    positive: [0, 1],
    run: (k, [m, s, p], [alpha, sigma, cs, c0, c1, invR0]) =>
      Object.values(k.dpmSecondOrder(m, s, p, { alpha, sigma, cs, c0, c1, invR0 })),
  },
  plmsEpsilon1: plmsCase(1),
  plmsEpsilon2: plmsCase(2),
  plmsEpsilon3: plmsCase(3),
  plmsEpsilon4: plmsCase(4),
  plmsEpsilonAverage: plmsCase(0),
  lmsEpsilon1: { arrays: 2, scalars: 2, positive: [0], run: (k, [m, s], [sg, c0]) => Object.values(k.lmsEpsilon(m, s, [], sg, [c0])) },
  lmsEpsilon2: {
    arrays: 3,
    scalars: 3,
    positive: [0],
    run: (k, [m, s, d1], [sg, ...c]) => Object.values(k.lmsEpsilon(m, s, [d1], sg, c)),
  },
  lmsEpsilon4: {
    arrays: 5,
    scalars: 5,
    positive: [0],
    run: (k, [m, s, d1, d2, d3], [sg, ...c]) => Object.values(k.lmsEpsilon(m, s, [d1, d2, d3], sg, c)),
  },
  heunFirstEpsilon: { arrays: 2, scalars: 2, positive: [0], run: (k, [m, s], [a, b]) => Object.values(k.heunFirstEpsilon(m, s, a, b)) },
  heunSecondEpsilon: {
    arrays: 4,
    scalars: 2,
    positive: [0],
    run: (k, [m, s, d, b], [a, dt]) => Object.values(k.heunSecondEpsilon(m, s, d, b, a, dt)),
  },
  linearCombination: { arrays: 2, scalars: 2, run: (k, [x, y], [a, b]) => [k.linearCombination(a, x, b, y)] },
  addScaled: { arrays: 2, scalars: 1, run: (k, [x, y], [a]) => [k.addScaled(x, y, a)] },
  guidance: { arrays: 2, scalars: 1, run: (k, [u, c], [a]) => [k.guidance(u, c, a)] },
  divide: { arrays: 1, scalars: 1, run: (k, [x], [d]) => [k.divide(x, d)] },
};

describe('wasm SIMD kernels', () => {
  it('are the backend in use here (Node has wasm SIMD; the Vitest plugin compiled them)', () => {
    expect(wasmKernels).not.toBeNull();
    expect(kernels().backend).toBe('wasm');
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: the same bits as the JS kernel`, () => {
      const random = rng(name.length * 7919 + 1);
      for (const n of LENGTHS) {
        for (let trial = 0; trial < 4; trial++) {
          const arrays = Array.from({ length: c.arrays }, () => randomLatent(n, random));
          const scalars = Array.from({ length: c.scalars }, (_, i) => randomScalar(random, c.positive?.includes(i)));
          const expected = c.run(scalarKernels, arrays, scalars);
          const actual = c.run(wasm, arrays, scalars);
          expect(actual.length).toBe(expected.length);
          actual.forEach((a, i) => expectSameBits(a, expected[i], `${name} n=${n} output ${i} scalars ${scalars}`));
        }
      }
    });
  }

  it('divide exactly: quotients on a subnormal rounding midpoint round to even (no reciprocal shortcut)', () => {
    const pairs = subnormalMidpointQuotients();
    expect(pairs.length).toBeGreaterThan(100);
    const f32 = Math.fround;
    for (const [x, d] of pairs) {
      // The inputs discriminate: a float64 multiplication by 1 / d rounds these the other way.
      expect(f32(x * (1 / d))).not.toBe(f32(x / d));
    }
    // One array per divisor: each kernel divides x (the sample, with a zero model output) by d.
    const byDivisor = new Map<number, number[]>();
    for (const [x, d] of pairs) {
      if (!byDivisor.has(d)) byDivisor.set(d, []);
      byDivisor.get(d)?.push(x);
    }
    for (const [d, xs] of byDivisor) {
      const s = Float32Array.from(xs);
      const zero = new Float32Array(s.length);
      const want = s.map((x) => x / d); // one division each, rounded by the store
      for (const k of [wasm, scalarKernels]) {
        expectSameBits(k.divide(s, d), want, `${k.backend} divide by ${d}`);
        expectSameBits(k.ddimEpsilon(zero, s, d, 0.5, 1, 1).x0, want, `${k.backend} DDIM x0, a = ${d}`);
        expectSameBits(k.dpmFirstOrder(zero, s, d, 0.5, 1, 1).x0, want, `${k.backend} DPM x0, alpha = ${d}`);
        const c = { alpha: d, sigma: 0.5, cs: 1, c0: 1, c1: 1, invR0: 1 };
        expectSameBits(k.dpmSecondOrder(zero, s, zero, c).x0, want, `${k.backend} DPM 2M x0, alpha = ${d}`);
      }
    }
  });

  it('divide: the bits of x / d over millions of random float32 bit patterns (subnormals, ±0, ±Inf, NaN)', () => {
    const random = rng(2027);
    const words = new Uint32Array(1 << 16);
    const x = new Float32Array(words.buffer);
    const divisor = new Float32Array(1);
    const divisorBits = new Uint32Array(divisor.buffer);
    const specials = [0, -0, Infinity, -Infinity, NaN, 1.401298464324817e-45, 3.4028234663852886e38, 1];
    for (let call = 0; call < 64; call++) {
      for (let i = 0; i < words.length; i++) words[i] = (random() * 2 ** 32) >>> 0;
      x.set(specials, (call * 8) % (words.length - specials.length));
      divisorBits[0] = (random() * 2 ** 32) >>> 0;
      const d = call < specials.length ? specials[call] : divisor[0];
      expectSameBits(wasm.divide(x, d), x.map((v) => v / d), `divide by ${d}`);
      const zero = new Float32Array(x.length);
      expectSameBits(wasm.ddimEpsilon(zero, x, d, 1, 1, 1).x0, x.map((v) => v / d), `DDIM x0, a = ${d}`);
    }
  });

  it('latentToRgb: the same bits as the JS preview (float64 map, clamp)', () => {
    const random = rng(42);
    for (const [batch, plane] of [[1, 1], [1, 7], [2, 64], [1, 4097]]) {
      const latent = randomLatent(batch * 4 * plane, random);
      const factors = SD15_LATENT_RGB_FACTORS;
      expectSameBits(wasm.latentToRgb(latent, batch, plane, factors), scalarKernels.latentToRgb(latent, batch, plane, factors), `preview ${batch}×${plane}`);
    }
  });

  it('reads its own results in place, and copies in arrays it did not make', () => {
    const random = rng(5);
    const n = 4 * 32 * 32;
    const m = randomLatent(n, random, false);
    const s = randomLatent(n, random, false);
    const first = wasm.eulerEpsilon(m, s, 2, -0.25);
    expect(wasm.memory.isResident(first.out)).toBe(true);
    expect(wasm.memory.isResident(m)).toBe(false);
    expect([wasm.isResult(first.out), wasm.isResult(m), scalarKernels.isResult(first.out)]).toEqual([true, false, false]);
    // A preview of it in between keeps it resident.
    wasm.latentToRgb(first.out, 1, 32 * 32, SD15_LATENT_RGB_FACTORS);
    expect(wasm.memory.isResident(first.out)).toBe(true);
    // The next step reads `first.out` from its slot; the result still matches the JS kernel.
    const second = wasm.eulerEpsilon(m, first.out, 1.75, -0.25);
    expectSameBits(second.out, scalarKernels.eulerEpsilon(m, first.out, 1.75, -0.25).out, 'second step');
    // Many calls later (slots reused) every result still holds what it was made with.
    const before = first.out.slice();
    for (let i = 0; i < 40; i++) wasm.addScaled(s, m, i);
    expectSameBits(first.out, before, 'a result after its slot was reused');
    expectSameBits(wasm.addScaled(first.out, m, 3), scalarKernels.addScaled(before, m, 3), 'an evicted result read back');
  });

  it('stays right when the latent size changes and the memory grows', () => {
    const random = rng(9);
    for (const n of [16, 4 * 96 * 96, 8, 4 * 200 * 200, 4 * 64 * 64]) {
      const m = randomLatent(n, random);
      const s = randomLatent(n, random);
      const got = wasm.dpmFirstOrder(m, s, 0.9, 0.4, 0.7, -0.2);
      const want = scalarKernels.dpmFirstOrder(m, s, 0.9, 0.4, 0.7, -0.2);
      expectSameBits(got.out, want.out, `n=${n} out`);
      expectSameBits(got.x0, want.x0, `n=${n} x0`);
    }
  });

  it('leaves latents too big for its capped memory to the JS kernels', () => {
    const n = 9_000_000; // 36 MB per array: 8 slots would pass the 256 MiB cap
    expect([wasm.memory.fits(n), wasm.memory.fits(4 * 128 * 128)]).toEqual([false, true]);
    const x = new Float32Array(n).fill(1.5);
    const y = new Float32Array(n).fill(-0.25);
    const bytesBefore = wasm.exports.memory.buffer.byteLength;
    const out = wasm.addScaled(x, y, 3);
    expect(wasm.isResult(out)).toBe(false);
    expect([out[0], out[n - 1]]).toEqual([0.75, 0.75]);
    expect(wasm.exports.memory.buffer.byteLength).toBe(bytesBefore);
  });

  it('staggers its slots against 4 KiB aliasing: eight slots at distinct page offsets, none within a cache line pair', () => {
    for (const bytes of [64, 4096, 4 * 128 * 128 * 4, 4 * 96 * 96 * 4 + 64]) {
      const stride = slotStride(bytes);
      expect(stride).toBeGreaterThanOrEqual(bytes);
      expect(stride % 64).toBe(0);
      const pageOffsets = Array.from({ length: 8 }, (_, i) => (i * stride) % 4096).sort((a, b) => a - b);
      const gaps = pageOffsets.slice(1).map((o, i) => o - pageOffsets[i]);
      expect(Math.min(...gaps), `slots of ${bytes} B`).toBeGreaterThanOrEqual(128);
    }
  });

  it('reject operands of different lengths, naming the kernel', () => {
    expect(() => wasm.guidance(new Float32Array(4), new Float32Array(5), 1)).toThrow(/guidance: operands/);
  });
});
