/** latent/repeat-batch, and the centre crop of image/resize and latent/upscale (ComfyUI's crop "center"). */
import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import type { LatentValue } from '../../nodes/types.ts';
import { latentRepeatBatch } from '../../nodes/latent/repeatBatch.ts';
import { latentUpscale } from '../../nodes/latent/upscale.ts';
import { imageResize } from '../../nodes/image/resize.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const ctx = { nodeId: 'n1', signal: new AbortController().signal } as RunContext;
const ramp = (shape: number[]) => Tensor.float32(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i));

describe('latent/repeat-batch', () => {
  const repeat = async (latent: LatentValue, amount: number) =>
    ((await (latentRepeatBatch as NodeDefinition).run(ctx, { latent }, { amount })) as { latent: LatentValue }).latent;

  it('repeats the whole batch amount times, in order', async () => {
    const samples = ramp([2, 1, 1, 2]);
    const out = await repeat({ samples }, 3);
    expect(out.samples.shape).toEqual([6, 1, 1, 2]);
    expect(Array.from(out.samples.data)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expect((await repeat({ samples }, 1)).samples.data).toEqual(samples.data);
  });

  it('keeps a one-item noise mask, repeats a batched one, refuses a mismatched one', async () => {
    const samples = ramp([2, 1, 1, 2]);
    const single = Tensor.float32([1, 1, 1, 2], [1, 0]);
    expect((await repeat({ samples, noiseMask: single }, 2)).noiseMask).toBe(single);
    const batched = Tensor.float32([2, 1, 1, 2], [1, 0, 0, 1]);
    const out = await repeat({ samples, noiseMask: batched }, 2);
    expect(Array.from(out.noiseMask!.data)).toEqual([1, 0, 0, 1, 1, 0, 0, 1]);
    await expect(repeat({ samples: ramp([3, 1, 1, 2]), noiseMask: batched }, 2)).rejects.toThrow(/noise mask has batch 2, its latent has 3/);
  });
});

describe('centre crop before resizing', () => {
  // A 4 × 8 image of column indices: the centre crop to a square keeps columns 2…5.
  const columns = Tensor.float32([1, 1, 4, 8], Array.from({ length: 32 }, (_, i) => (i % 8) / 8));

  it('image/resize crops to the target aspect first (size only)', async () => {
    const run = async (params: Record<string, unknown>) =>
      ((await (imageResize as NodeDefinition).run(ctx, { image: columns }, { method: 'nearest-exact', by: 'size', width: 4, height: 4, scale: 2, clamp: true, ...params })) as { image: Tensor<'float32'> }).image;
    const cropped = await run({ crop: 'center' });
    expect(cropped.shape).toEqual([1, 1, 4, 4]);
    expect(Array.from(cropped.data.subarray(0, 4))).toEqual([2, 3, 4, 5].map((c) => c / 8));
    const squeezed = await run({ crop: 'disabled' });
    // nearest-exact samples pixel centres: columns 1, 3, 5, 7.
    expect(Array.from(squeezed.data.subarray(0, 4))).toEqual([1, 3, 5, 7].map((c) => c / 8));
  });

  it('latent/upscale crops the latent (and its noise mask) to the target aspect first', async () => {
    const noiseMask = Tensor.float32([1, 1, 4, 8], Array.from({ length: 32 }, (_, i) => (i % 8 < 2 ? 0 : 1)));
    const out = ((await (latentUpscale as NodeDefinition).run(ctx, { latent: { samples: columns, noiseMask } }, {
      method: 'nearest-exact', by: 'size', scale: 1, width: 32, height: 32, crop: 'center',
    })) as { latent: LatentValue }).latent;
    expect(out.samples.shape).toEqual([1, 1, 4, 4]);
    expect(Array.from(out.samples.data.subarray(0, 4))).toEqual([2, 3, 4, 5].map((c) => c / 8));
    expect(out.noiseMask!.shape).toEqual([1, 1, 4, 4]);
    expect(Array.from(out.noiseMask!.data).every((v) => v === 1)).toBe(true);
  });
});
