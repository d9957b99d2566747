import { TorchGenerator, TORCH_DEFAULT_SEED } from '../../src/tensor/torchGenerator.ts';
import { fmaf, log256, sincos256 } from '../../src/tensor/torchAvxMath.ts';
import { float16BitsToFloat32Array, float32ArrayToFloat16Bits } from '../../src/tensor/fp16.ts';

const round4 = (a: ArrayLike<number>): number[] => Array.from(a, (v) => Math.round(v * 1e4) / 1e4);

function stats(a: Float32Array): { mean: number; std: number } {
  let s = 0, s2 = 0;
  for (const v of a) { s += v; s2 += v * v; }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean) };
}

describe('TorchGenerator (PyTorch CPU generator)', () => {
  it('runs the standard MT19937 stream (C++ std::mt19937: 10000th output of seed 5489 is 4123659995)', () => {
    const g = new TorchGenerator(5489);
    expect(g.nextUint32()).toBe(3499211612);
    for (let i = 1; i < 9999; i++) g.nextUint32();
    expect(g.nextUint32()).toBe(4123659995);
  });

  // Published outputs of torch.manual_seed(s); torch.randn / torch.rand (PyTorch docs, tutorials).
  it.each(['scalar', 'avx2'] as const)('matches published randn values, %s kernel', (kernel) => {
    expect(round4(new TorchGenerator(0, { kernel }).randn(16))).toEqual([
      -1.1258, -1.1524, -0.2506, -0.4339, 0.8487, 0.692, -0.316, -2.1152, 0.3223, -1.2633, 0.35, 0.3081, 0.1198, 1.2377, 1.1168, -0.2473,
    ]);
    expect(round4(new TorchGenerator(0, { kernel }).randn([4, 4]))).toEqual(round4(new TorchGenerator(0).randn(16)));
    expect(round4(new TorchGenerator(0, { kernel }).randn(6))).toEqual([1.541, -0.2934, -2.1788, 0.5684, -1.0845, -1.3986]);
    expect(round4(new TorchGenerator(42, { kernel }).randn([2, 3]))).toEqual([0.3367, 0.1288, 0.2345, 0.2303, -1.1229, -0.1863]);
    expect(round4(new TorchGenerator(42, { kernel }).randn([4, 4]))).toEqual([
      1.9269, 1.4873, 0.9007, -2.1055, 0.6784, -1.2345, -0.0431, -1.6047, -0.7521, 1.6487, -0.3925, -1.4036, -0.7279, -0.5594, -0.7688, 0.7624,
    ]);
  });

  it('matches published rand values', () => {
    expect(round4(new TorchGenerator(0).rand(5))).toEqual([0.4963, 0.7682, 0.0885, 0.132, 0.3074]);
    expect(round4(new TorchGenerator(42).rand(3))).toEqual([0.8823, 0.915, 0.3829]);
  });

  it('continues one stream across calls, with the scalar path caching its second Box-Muller value', () => {
    const g = new TorchGenerator(0);
    const first = g.randn(3);
    const second = g.randn(3);
    expect(Array.from([...first, ...second])).toEqual(Array.from(new TorchGenerator(0).randn(6)));
    // An odd count leaves a cached value that the next small call returns first.
    const h = new TorchGenerator(0);
    h.randn(1);
    expect(h.randn(1)[0]).toBe(new TorchGenerator(0).randn(2)[1]);
    // manualSeed restarts the stream and drops the cache.
    h.manualSeed(0);
    expect(Array.from(h.randn(16))).toEqual(Array.from(new TorchGenerator(0).randn(16)));
  });

  it('refills and re-transforms the last 16 values when the size is not a multiple of 16', () => {
    for (const n of [17, 31, 1000]) {
      const all = new TorchGenerator(7).randn(n);
      const head = Math.floor(n / 16) * 16;
      // Full blocks before the tail equal a plain randn over the same uniforms...
      const blocks = new TorchGenerator(7).randn(head);
      const overlap = n - 16; // ...up to where the tail starts overwriting.
      expect(Array.from(all.subarray(0, overlap))).toEqual(Array.from(blocks.subarray(0, overlap)));
      // The tail is a fresh 16-block drawn after n uniforms.
      const g = new TorchGenerator(7);
      g.rand(n);
      expect(Array.from(all.subarray(n - 16))).toEqual(Array.from(g.randn(16)));
    }
    expect(new TorchGenerator(0).randn(17)[0]).toBe(new TorchGenerator(0).randn(16)[0]);
  });

  it('gives standard-normal noise for latent shapes', () => {
    const latent = new TorchGenerator(0).randn([1, 4, 64, 64]);
    expect(latent.length).toBe(16384);
    expect(round4(latent.subarray(0, 4))).toEqual([-1.1258, -1.1524, -0.2506, -0.4339]); // same first block as randn(16)
    const s = stats(latent);
    expect(Math.abs(s.mean)).toBeLessThan(0.03);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.03);
    const big = stats(new TorchGenerator(123).randn(1000));
    expect(Math.abs(big.mean)).toBeLessThan(0.1);
    expect(Math.abs(big.std - 1)).toBeLessThan(0.1);
    const u = new TorchGenerator(1).rand(4096);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
  });

  it('uses the low 32 bits of 64-bit seeds; negative seeds wrap', () => {
    expect(Array.from(new TorchGenerator(2 ** 32).randn(16))).toEqual(Array.from(new TorchGenerator(0).randn(16)));
    expect(Array.from(new TorchGenerator(2n ** 40n + 42n).randn(6))).toEqual(Array.from(new TorchGenerator(42).randn(6)));
    expect(new TorchGenerator(-1).initialSeed).toBe(2n ** 64n - 1n);
    expect(Array.from(new TorchGenerator(-1).rand(4))).toEqual(Array.from(new TorchGenerator(0xffffffff).rand(4)));
    expect(new TorchGenerator().initialSeed).toBe(TORCH_DEFAULT_SEED);
    expect(() => new TorchGenerator(0.5)).toThrow(/seed 0.5 is not a safe integer/);
    expect(() => new TorchGenerator(0).randn([2, -1])).toThrow(/invalid shape \[2, -1\]/);
  });

  it('clones and snapshots continue identically and independently', () => {
    const g = new TorchGenerator(3);
    g.randn(5); // leaves a cached Box-Muller value
    const c = g.clone();
    const snapshot = JSON.parse(JSON.stringify(g.getState()));
    const restored = TorchGenerator.fromState(snapshot);
    const expected = Array.from(g.randn(3)).concat(Array.from(g.randn(40)));
    expect(Array.from(c.randn(3)).concat(Array.from(c.randn(40)))).toEqual(expected);
    expect(Array.from(restored.randn(3)).concat(Array.from(restored.randn(40)))).toEqual(expected);
    expect(restored.initialSeed).toBe(3n);
    expect(() => TorchGenerator.fromState({ ...snapshot, state: [1, 2] })).toThrow(/not a generator snapshot/);
  });

  it('a clone copies the stream, not the seed: clones of a reseeded or mid-block generator continue it', () => {
    const g = new TorchGenerator(11);
    g.randn(700); // past the first block of 624 words: the index is mid-block
    g.manualSeed(12);
    g.normalDouble(); // a cached second value
    const c = g.clone();
    const fresh = new TorchGenerator(12);
    fresh.normalDouble();
    expect(c.normalDouble()).toBe(fresh.normalDouble());
    expect(Array.from(c.randn(700))).toEqual(Array.from(fresh.randn(700)));
    expect(c.initialSeed).toBe(12n);
    // Independent: drawing from the clone leaves the original where it was.
    const same = new TorchGenerator(12);
    same.normalDouble();
    expect(g.normalDouble()).toBe(same.normalDouble());
    expect(Array.from(g.randn(50))).toEqual(Array.from(same.randn(50)));
  });

  it('float64 randn: below 16 elements it is the double normal that float randn rounds', () => {
    const small = new TorchGenerator(0).randnFloat64(6);
    expect(Array.from(Float32Array.from(small))).toEqual(Array.from(new TorchGenerator(0).randn(6)));
    expect(Array.from(small)).not.toEqual(Array.from(Float32Array.from(small))); // really double precision
    const big = new TorchGenerator(0).randnFloat64(4096);
    const s = stats(Float32Array.from(big));
    expect(Math.abs(s.mean)).toBeLessThan(0.05);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.05);
  });

  it('float16 randn: the small path is the float one rounded to half; the block path is normal', () => {
    expect(Array.from(new TorchGenerator(0).randnFloat16(6))).toEqual(Array.from(float32ArrayToFloat16Bits(new TorchGenerator(0).randn(6))));
    const g = new TorchGenerator(0);
    const bits = g.randnFloat16([1, 4, 64, 64]);
    const values = float16BitsToFloat32Array(bits);
    const s = stats(values);
    expect(Math.abs(s.mean)).toBeLessThan(0.03);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.03);
    // Uniforms carry 11 bits, so 1 − u ≥ 2⁻¹¹ bounds the radius: |x| ≤ sqrt(2 · 11 · ln 2) ≈ 3.905.
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(3.91);
    // It consumed exactly one 32-bit draw per element: the stream continues after 16384 draws.
    const skip = new TorchGenerator(0);
    skip.rand(16384);
    expect(g.nextUint32()).toBe(skip.nextUint32());
  });

  it('scalar and AVX2 kernels agree to float precision', () => {
    const a = new TorchGenerator(5).randn([1, 4, 32, 32]);
    const b = new TorchGenerator(5, { kernel: 'avx2' }).randn([1, 4, 32, 32]);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(a[i])));
    expect(worst).toBeLessThan(1e-5);
    for (let x = 1e-7; x <= 1; x *= 1.37) expect(Math.abs(log256(x) - Math.log(x))).toBeLessThan(4e-7 * Math.max(1, Math.abs(Math.log(x))));
    for (let t = 0; t < 2 * Math.PI; t += 0.0137) {
      const [s, c] = sincos256(t);
      expect(Math.abs(s - Math.sin(t))).toBeLessThan(3e-7);
      expect(Math.abs(c - Math.cos(t))).toBeLessThan(3e-7);
    }
  });
});

describe('fmaf', () => {
  it('rounds a·b + c once, also where rounding to double first would land on a float midpoint', () => {
    const x = Math.fround(1 + 2 ** -12);
    // x² = 1 + 2⁻¹¹ + 2⁻²⁴ (exact) is halfway between the floats 1 + 2⁻¹¹ and 1 + 2⁻¹¹ + 2⁻²³.
    expect(Math.fround(x * x + 2 ** -80)).toBe(1 + 2 ** -11); // double rounding: tie → even, down
    expect(fmaf(x, x, 2 ** -80)).toBe(1 + 2 ** -11 + 2 ** -23); // exact sum is above the midpoint
    expect(fmaf(x, x, -(2 ** -80))).toBe(1 + 2 ** -11);
    expect(fmaf(x, x, 0)).toBe(1 + 2 ** -11); // a true tie goes to even
    expect(fmaf(2, 3, 4)).toBe(10);
    expect(fmaf(-1.5, 2, 0.25)).toBe(-2.75);
  });
});
