import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import { imageResize, imageTargetSize } from '../../nodes/image/resize.ts';
import { resizeTensor } from '../../src/tensor/resample.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const ctx = { nodeId: 'resize', signal: new AbortController().signal } as RunContext;
const defaults = { method: 'lanczos', by: 'size', width: 0, height: 0, scale: 2, clamp: true };

async function resize(image: Tensor<'float32'>, params: Partial<typeof defaults>) {
  const out = await (imageResize as NodeDefinition).run(ctx, { image }, { ...defaults, ...params });
  return (out as { image: Tensor<'float32'> }).image;
}

describe('image/resize', () => {
  const edge = Tensor.float32([1, 3, 4, 8], Array.from({ length: 96 }, (_, i) => (i % 8 < 4 ? 0 : 1)));

  it('sizes by width and height, 0 keeping the aspect ratio', async () => {
    expect(imageTargetSize(4, 8, 16, 0)).toEqual({ height: 8, width: 16 });
    expect(imageTargetSize(4, 8, 0, 2)).toEqual({ height: 2, width: 4 });
    expect((await resize(edge, { width: 12, height: 5 })).shape).toEqual([1, 3, 5, 12]);
    expect((await resize(edge, { by: 'scale', scale: 2.5 })).shape).toEqual([1, 3, 10, 20]);
    // round(side · factor), as ComfyUI: 4 · 1.4 = 5.6 → 6, 8 · 1.4 = 11.2 → 11.
    expect((await resize(edge, { by: 'scale', scale: 1.4 })).shape).toEqual([1, 3, 6, 11]);
    await expect(resize(edge, { width: 0, height: 0 })).rejects.toThrow(/both 0/);
  });

  it('clamps bicubic and lanczos overshoot at a hard edge unless told not to', async () => {
    for (const method of ['bicubic', 'lanczos']) {
      const raw = await resize(edge, { method, width: 24, height: 4, clamp: false });
      const min = Math.min(...raw.data);
      const max = Math.max(...raw.data);
      expect(min, method).toBeLessThan(0);
      expect(max, method).toBeGreaterThan(1);
      const clamped = await resize(edge, { method, width: 24, height: 4 });
      expect(Math.min(...clamped.data)).toBe(0);
      expect(Math.max(...clamped.data)).toBe(1);
    }
  });

  it('runs the same kernel as resizeTensor for each method', async () => {
    for (const method of ['lanczos', 'bicubic', 'bilinear', 'area', 'nearest-exact', 'nearest'] as const) {
      const out = await resize(edge, { method, width: 5, height: 3, clamp: false });
      expect([...out.data]).toEqual([...resizeTensor(edge, 3, 5, { mode: method }).data]);
    }
  });

  it('names the bad input', async () => {
    await expect(resize(Tensor.zeros([3, 4]), {})).rejects.toThrow(/image\/resize: input `image` must be a \[B, C, H, W\] tensor, got \[3, 4\]/);
  });
});
