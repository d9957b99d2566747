import {
  RESAMPLE_MODES,
  axisWeights,
  cubicKernel,
  lanczosKernel,
  resizeTensor,
  scaleTensor,
} from '../../src/tensor/resample.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

/** A [1, 1, 1, W] row. */
const row = (values: number[]) => Tensor.float32([1, 1, 1, values.length], values);

function randomImage(shape: number[], seed = 1): Tensor<'float32'> {
  let s = seed;
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = s / 2147483648;
  }
  return Tensor.float32(shape, data);
}

describe('resample kernels', () => {
  it('has the cubic kernel of Keys with a = −0.75 (PyTorch)', () => {
    expect(cubicKernel(0)).toBe(1);
    expect(cubicKernel(1)).toBeCloseTo(0, 12);
    expect(cubicKernel(2)).toBeCloseTo(0, 12);
    expect(cubicKernel(0.25)).toBeCloseTo(0.87890625, 12);
    expect(cubicKernel(0.75)).toBeCloseTo(0.26171875, 12);
    expect(cubicKernel(1.25)).toBeCloseTo(-0.10546875, 12);
    expect(cubicKernel(-1.75)).toBeCloseTo(-0.03515625, 12);
  });

  it('has the Lanczos-3 window', () => {
    expect(lanczosKernel(0)).toBe(1);
    expect(lanczosKernel(1)).toBeCloseTo(0, 12);
    expect(lanczosKernel(3)).toBe(0);
    // sinc(0.5)·sinc(1/6) = (2/π)·(sin(π/6)·6/π)
    expect(lanczosKernel(0.5)).toBeCloseTo((2 / Math.PI) * ((0.5 * 6) / Math.PI), 12);
  });

  it('weights sum to one for every output pixel in every mode', () => {
    for (const mode of RESAMPLE_MODES) {
      for (const [inSize, outSize] of [[7, 3], [5, 13], [8, 8], [1, 4], [9, 2]]) {
        const w = axisWeights(mode, inSize, outSize);
        for (let o = 0; o < outSize; o++) {
          let sum = 0;
          for (let k = 0; k < w.taps; k++) sum += w.weights[o * w.taps + k];
          expect(sum, `${mode} ${inSize}→${outSize} pixel ${o}`).toBeCloseTo(1, 10);
        }
      }
    }
  });
});

describe('resizeTensor', () => {
  it('is the identity at scale 1 in every mode', () => {
    const image = randomImage([2, 3, 5, 6]);
    for (const mode of RESAMPLE_MODES) {
      const out = resizeTensor(image, 5, 6, { mode });
      expect(out.shape).toEqual([2, 3, 5, 6]);
      for (let i = 0; i < image.size; i++) expect(out.data[i]).toBeCloseTo(image.data[i], 6);
    }
  });

  it('keeps a constant image constant when enlarging and shrinking', () => {
    const constant = Tensor.float32([1, 3, 6, 10], new Float32Array(180).fill(0.375));
    for (const mode of RESAMPLE_MODES) {
      for (const [h, w] of [[13, 21], [2, 3], [6, 5]]) {
        const out = resizeTensor(constant, h, w, { mode });
        for (const v of out.data) expect(v).toBeCloseTo(0.375, 6);
      }
    }
  });

  it('matches hand-computed bilinear values (PyTorch align_corners=False)', () => {
    expect([...resizeTensor(row([0, 1]), 1, 4, { mode: 'bilinear' }).data]).toEqual([0, 0.25, 0.75, 1]);
    const shrunk = resizeTensor(row([0, 1, 2, 3, 4, 5]), 1, 4, { mode: 'bilinear' });
    // src = (o + ½)·1.5 − ½ = 0.25, 1.75, 3.25, 4.75
    expect([...shrunk.data]).toEqual([0.25, 1.75, 3.25, 4.75]);
  });

  it('matches hand-computed bicubic values of an impulse upscaled ×2', () => {
    const out = scaleTensor(row([0, 0, 1, 0, 0]), 2, 'bicubic');
    const expected = [
      0, -0.03515625, -0.10546875, 0.26171875, 0.87890625, 0.87890625, 0.26171875, -0.10546875, -0.03515625, 0,
    ];
    expect(out.shape).toEqual([1, 1, 2, 10]);
    // Both rows equal (height 1 → 2); check the first.
    expected.forEach((v, i) => expect(out.data[i]).toBeCloseTo(v, 6));
  });

  it('bicubic of a linear ramp: a = −0.75 bends it between samples, exact at midpoints', () => {
    const ramp = row(Array.from({ length: 12 }, (_, i) => i));
    const up = scaleTensor(ramp, 2, 'bicubic');
    // Interior pixel 2i + 1 sits at t = ¼ after sample i: −k(1.25) + k(0.75) + 2·k(1.75) = 0.296875.
    // Pixel 2i + 2 sits at t = ¾: by symmetry i + 1 − 0.296875.
    for (let i = 2; i < 9; i++) {
      expect(up.data[2 * i + 1], `pixel ${2 * i + 1}`).toBeCloseTo(i + 0.296875, 5);
      expect(up.data[2 * i + 2], `pixel ${2 * i + 2}`).toBeCloseTo(i + 1 - 0.296875, 5);
    }
    // Halving samples at t = ½ where the symmetric kernel averages linearly.
    const down = resizeTensor(ramp, 1, 6, { mode: 'bicubic' });
    for (let o = 1; o < 5; o++) expect(down.data[o]).toBeCloseTo(2 * o + 0.5, 5);
  });

  it('lanczos halving a ramp gives the midpoints (its window is symmetric there)', () => {
    const ramp = row(Array.from({ length: 32 }, (_, i) => i));
    const down = resizeTensor(ramp, 1, 16, { mode: 'lanczos' });
    for (let o = 3; o < 13; o++) expect(down.data[o]).toBeCloseTo(2 * o + 0.5, 5);
  });

  it('reproduces a linear ramp exactly away from the borders (bilinear)', () => {
    const ramp = row(Array.from({ length: 16 }, (_, i) => 3 * i - 7));
    for (const mode of ['bilinear'] as const) {
      const out = resizeTensor(ramp, 1, 40, { mode });
      for (let o = 0; o < 40; o++) {
        const src = (o + 0.5) * (16 / 40) - 0.5;
        if (src < 3 || src > 12) continue; // taps would reach the replicated border
        expect(out.data[o], `${mode} pixel ${o}`).toBeCloseTo(3 * src - 7, 4);
      }
    }
  });

  it('picks nearest pixels as PyTorch nearest and nearest-exact do', () => {
    expect([...resizeTensor(row([0, 1, 2, 3]), 1, 3, { mode: 'nearest' }).data]).toEqual([0, 1, 2]);
    expect([...resizeTensor(row([0, 1, 2, 3]), 1, 3, { mode: 'nearest-exact' }).data]).toEqual([0, 2, 3]);
    expect([...scaleTensor(row([5, 7]), 2, 'nearest').data]).toEqual([5, 5, 7, 7, 5, 5, 7, 7]);
  });

  it('antialiases when shrinking with lanczos: a checkerboard halves to its mean', () => {
    const checker = Tensor.float32([1, 1, 16, 16], Array.from({ length: 256 }, (_, i) => ((i >> 4) + (i & 15)) % 2));
    const out = resizeTensor(checker, 4, 4, { mode: 'lanczos' });
    // Interior pixels see a symmetric window over an alternating pattern.
    expect(out.data[5]).toBeCloseTo(0.5, 2);
    // Nearest does not antialias: it keeps only one phase.
    expect(new Set(resizeTensor(checker, 4, 4, { mode: 'nearest' }).data).size).toBe(1);
  });

  it('averages windows in area mode as PyTorch adaptive pooling does', () => {
    expect([...resizeTensor(row([0, 1, 2, 3, 4, 5]), 1, 2, { mode: 'area' }).data]).toEqual([1, 4]);
    // 5 → 3: windows [0, 2), [1, 4), [3, 5).
    expect([...resizeTensor(row([0, 3, 6, 9, 12]), 1, 3, { mode: 'area' }).data]).toEqual([1.5, 6, 10.5]);
    // 2 → 3 (enlarging): windows [0, 1), [0, 2), [1, 2).
    expect([...resizeTensor(row([2, 4]), 1, 3, { mode: 'area' }).data]).toEqual([2, 3, 4]);
  });

  it('resizes each plane independently and keeps leading dimensions', () => {
    const image = Tensor.float32([2, 1, 1, 2], [0, 1, 10, 20]);
    const out = resizeTensor(image, 1, 4, { mode: 'bilinear' });
    expect(out.shape).toEqual([2, 1, 1, 4]);
    expect([...out.data]).toEqual([0, 0.25, 0.75, 1, 10, 12.5, 17.5, 20]);
  });

  it('rejects bad sizes and dtypes with a clear message', () => {
    expect(() => resizeTensor(row([1]), 0, 3, { mode: 'bilinear' })).toThrow(/positive integers/);
    expect(() => scaleTensor(row([1]), -2, 'bilinear')).toThrow(/positive/);
    const ints = new Tensor('int32', [1, 2], new Int32Array(2));
    expect(() => resizeTensor(ints as never, 1, 2, { mode: 'nearest' })).toThrow(/int32/);
  });
});
