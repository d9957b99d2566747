import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import { latentTargetSize, latentUpscale } from '../../nodes/latent/upscale.ts';
import type { LatentValue } from '../../nodes/types.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const ctx = { nodeId: 'up', signal: new AbortController().signal } as RunContext;
const defaults = { method: 'nearest-exact', by: 'scale', scale: 1.5, width: 0, height: 0 };

async function upscale(latent: LatentValue, params: Partial<typeof defaults>) {
  const out = await (latentUpscale as NodeDefinition).run(ctx, { latent }, { ...defaults, ...params });
  return (out as { latent: LatentValue }).latent;
}

describe('latent/upscale', () => {
  const samples = Tensor.float32([1, 4, 8, 6], Array.from({ length: 192 }, (_, i) => (i % 17) / 17));

  it('scales by round(side · factor), as ComfyUI', async () => {
    const out = await upscale({ samples }, { scale: 1.5 });
    expect(out.samples.shape).toEqual([1, 4, 12, 9]);
    expect((await upscale({ samples }, { scale: 0.3 })).samples.shape).toEqual([1, 4, 2, 2]);
  });

  it('doubles with nearest-exact by repeating each cell', async () => {
    const out = await upscale({ samples }, { scale: 2 });
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 12; x++) {
        expect(out.samples.data[3 * 192 + y * 12 + x]).toBe(samples.data[3 * 48 + (y >> 1) * 6 + (x >> 1)]);
      }
    }
  });

  it('resizes to an image size ÷ 8, 0 keeping the aspect ratio', async () => {
    expect(latentTargetSize(8, 6, 96, 128)).toEqual({ height: 16, width: 12 });
    expect(latentTargetSize(8, 6, 0, 128)).toEqual({ height: 16, width: 12 });
    expect(latentTargetSize(8, 6, 96, 0)).toEqual({ height: 16, width: 12 });
    const out = await upscale({ samples }, { by: 'size', width: 96, height: 0, method: 'bicubic' });
    expect(out.samples.shape).toEqual([1, 4, 16, 12]);
    expect(() => latentTargetSize(8, 6, 0, 0)).toThrow(/both 0/);
  });

  it('keeps a constant latent constant with bilinear and bicubic', async () => {
    const flat = Tensor.float32([1, 4, 5, 5], new Float32Array(100).fill(-0.7));
    for (const method of ['bilinear', 'area', 'bicubic']) {
      const out = await upscale({ samples: flat }, { method, scale: 1.7 });
      for (const v of out.samples.data) expect(v).toBeCloseTo(-0.7, 6);
    }
  });

  it('resizes the noise mask along with the latent', async () => {
    const noiseMask = Tensor.float32([1, 1, 8, 6], new Float32Array(48).fill(1));
    const out = await upscale({ samples, noiseMask }, { scale: 2 });
    expect(out.noiseMask?.shape).toEqual([1, 1, 16, 12]);
    const pixelMask = Tensor.float32([1, 1, 64, 48], new Float32Array(64 * 48).fill(1));
    const out2 = await upscale({ samples, noiseMask: pixelMask }, { scale: 2 });
    expect(out2.noiseMask?.shape).toEqual([1, 1, 128, 96]);
  });
});
