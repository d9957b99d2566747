import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import { blendValue, imageBlend, BLEND_MODES } from '../../nodes/image/blend.ts';
import { imageInvert } from '../../nodes/image/invert.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const ctx = { nodeId: 'blend' } as RunContext;

async function blend(inputs: Record<string, unknown>, mode: string, factor: number) {
  const out = await (imageBlend as NodeDefinition).run(ctx, inputs, { mode, factor });
  return (out as { image: Tensor<'float32'> }).image;
}

describe('blendValue', () => {
  it('matches hand-computed values of each mode', () => {
    expect(blendValue('normal', 0.2, 0.7)).toBeCloseTo(0.7, 12);
    expect(blendValue('multiply', 0.5, 0.4)).toBeCloseTo(0.2, 12);
    expect(blendValue('screen', 0.5, 0.4)).toBeCloseTo(0.7, 12);
    expect(blendValue('overlay', 0.25, 0.4)).toBeCloseTo(0.2, 12);
    expect(blendValue('overlay', 0.75, 0.4)).toBeCloseTo(0.7, 12);
    expect(blendValue('soft-light', 0.25, 0.25)).toBeCloseTo(0.25 - 0.5 * 0.25 * 0.75, 12);
    expect(blendValue('soft-light', 0.25, 0.75)).toBeCloseTo(0.375, 12); // a + (2b − 1)(g(a) − a), g(0.25) = 0.5
    expect(blendValue('soft-light', 0.64, 1)).toBeCloseTo(0.8, 12); // a + (√a − a)
    expect(blendValue('difference', 0.2, 0.7)).toBeCloseTo(0.5, 12);
    expect(blendValue('add', 0.6, 0.7)).toBe(1);
  });

  it('keeps A where B is neutral for the modes that have a neutral value', () => {
    for (const a of [0, 0.3, 1]) {
      expect(blendValue('multiply', a, 1)).toBeCloseTo(a, 12);
      expect(blendValue('screen', a, 0)).toBeCloseTo(a, 12);
      expect(blendValue('soft-light', a, 0.5)).toBeCloseTo(a, 12);
      expect(blendValue('difference', a, 0)).toBeCloseTo(a, 12);
    }
  });
});

describe('image/blend', () => {
  const a = Tensor.float32([1, 3, 2, 2], new Float32Array(12).fill(0.2));
  const b = Tensor.float32([2, 3, 2, 2], [...new Array(12).fill(0.6), ...new Array(12).fill(1)]);

  it('mixes by factor, repeating a batch of 1 over the other batch', async () => {
    const out = await blend({ image_a: a, image_b: b }, 'normal', 0.25);
    expect(out.shape).toEqual([2, 3, 2, 2]);
    expect(out.data[0]).toBeCloseTo(0.2 * 0.75 + 0.6 * 0.25, 6);
    expect(out.data[12]).toBeCloseTo(0.2 * 0.75 + 1 * 0.25, 6);
  });

  it('blends only where the mask is set, and fits B to A’s size', async () => {
    const mask = Tensor.float32([1, 1, 2, 2], [1, 0, 0, 0.5]);
    const small = Tensor.float32([1, 3, 1, 1], [1, 1, 1]);
    const out = await blend({ image_a: a, image_b: small, mask }, 'normal', 1);
    expect([...out.data.slice(0, 4)].map((v) => +v.toFixed(6))).toEqual([1, 0.2, 0.2, 0.6]);
  });

  it('gives A back at factor 0 for every mode', async () => {
    for (const mode of BLEND_MODES) {
      const out = await blend({ image_a: a, image_b: b }, mode, 0);
      for (const v of out.data) expect(v).toBeCloseTo(0.2, 6);
    }
  });

  it('refuses mismatched channels and batches with a clear message', async () => {
    await expect(blend({ image_a: a, image_b: Tensor.zeros([1, 1, 2, 2]) }, 'normal', 1)).rejects.toThrow(/3 channels but image_b has 1/);
    await expect(blend({ image_a: b, image_b: Tensor.zeros([3, 3, 2, 2]) }, 'normal', 1)).rejects.toThrow(/batch 3/);
  });
});

describe('image/invert', () => {
  it('computes 1 − x and is its own inverse', async () => {
    const image = Tensor.float32([1, 1, 1, 3], [0, 0.25, 1]);
    const run = async (t: Tensor<'float32'>) =>
      ((await (imageInvert as NodeDefinition).run(ctx, { image: t }, {})) as { image: Tensor<'float32'> }).image;
    const once = await run(image);
    expect([...once.data]).toEqual([1, 0.75, 0]);
    expect([...(await run(once)).data]).toEqual([0, 0.25, 1]);
  });
});
