import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import { cropRect, imageCrop } from '../../nodes/image/crop.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const ctx = { nodeId: 'crop' } as RunContext;

async function crop(image: Tensor<'float32'>, params: { x: number; y: number; width: number; height: number }) {
  return ((await (imageCrop as NodeDefinition).run(ctx, { image }, params)) as { image: Tensor<'float32'> }).image;
}

describe('image/crop', () => {
  // 2 channels of 3×4, value = c·100 + y·10 + x.
  const image = Tensor.float32([1, 2, 3, 4], Array.from({ length: 24 }, (_, i) => Math.floor(i / 12) * 100 + Math.floor((i % 12) / 4) * 10 + (i % 4)));

  it('cuts the rectangle from every channel', async () => {
    const out = await crop(image, { x: 1, y: 1, width: 2, height: 2 });
    expect(out.shape).toEqual([1, 2, 2, 2]);
    expect([...out.data]).toEqual([11, 12, 21, 22, 111, 112, 121, 122]);
  });

  it('clamps the origin and size to the image, as ComfyUI does', async () => {
    expect(cropRect(3, 4, { x: 3, y: 2, width: 10, height: 10 })).toEqual({ x: 3, y: 2, width: 1, height: 1 });
    expect(cropRect(3, 4, { x: 9, y: 9, width: 2, height: 2 })).toEqual({ x: 3, y: 2, width: 1, height: 1 });
    const out = await crop(image, { x: 2, y: 0, width: 100, height: 100 });
    expect(out.shape).toEqual([1, 2, 3, 2]);
    expect([...out.data.slice(0, 6)]).toEqual([2, 3, 12, 13, 22, 23]);
  });

  it('names the node on a bad input', async () => {
    await expect(crop(Tensor.zeros([4, 4]), { x: 0, y: 0, width: 1, height: 1 })).rejects.toThrow(/image\/crop \(node "crop"\)/);
  });
});
