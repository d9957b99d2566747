import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import type { LatentValue } from '../../nodes/types.ts';
import { latentEmpty } from '../../nodes/latent/empty.ts';
import { latentScale } from '../../nodes/latent/scale.ts';
import { latentBlend } from '../../nodes/latent/blend.ts';
import { latentBatch } from '../../nodes/latent/batch.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { float32ArrayToFloat16Bits } from '../../src/tensor/fp16.ts';

const ctx = { nodeId: 'n1', signal: new AbortController().signal } as RunContext;
async function run(def: NodeDefinition, inputs: Record<string, unknown>, params: Record<string, unknown> = {}): Promise<LatentValue> {
  return ((await def.run(ctx, inputs, params)) as { latent: LatentValue }).latent;
}
const latent = (shape: number[], values: (i: number) => number): LatentValue => ({
  samples: Tensor.float32(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => values(i))),
});

describe('latent/empty', () => {
  it('makes zeros of [B, C, H/8, W/8], flooring like ComfyUI', async () => {
    const out = await run(latentEmpty as NodeDefinition, {}, { width: 520, height: 768, batch: 3, channels: 4, downscale: 8 });
    expect(out.samples.shape).toEqual([3, 4, 96, 65]);
    expect(out.samples.data.every((v) => v === 0)).toBe(true);
    const sdxl = await run(latentEmpty as NodeDefinition, {}, { width: 1024, height: 1024, batch: 1, channels: 4, downscale: 8 });
    expect(sdxl.samples.shape).toEqual([1, 4, 128, 128]);
    await expect(run(latentEmpty as NodeDefinition, {}, { width: 512, height: 512, batch: 1, channels: 0, downscale: 8 }))
      .rejects.toThrow(/latent\/empty \(node "n1"\): param `channels` must be a positive integer, got 0/);
  });
});

describe('latent/scale', () => {
  it('multiplies every value and keeps the noise mask', async () => {
    const noiseMask = Tensor.float32([1, 1, 2, 2], [1, 0, 0, 1]);
    const input = { ...latent([1, 4, 2, 2], (i) => i - 8), noiseMask };
    const out = await run(latentScale as NodeDefinition, { latent: input }, { factor: 0.18215 });
    expect(Array.from(out.samples.data)).toEqual(Array.from(input.samples.data, (v) => Math.fround(v * 0.18215)));
    expect(out.noiseMask).toBe(noiseMask);
    expect(input.samples.data[0]).toBe(-8); // input untouched
  });

  it('accepts plain tensor objects and float16 data', async () => {
    const half = { dtype: 'float16' as const, shape: [1, 1, 1, 2], data: float32ArrayToFloat16Bits([1.5, -2]) };
    const out = await run(latentScale as NodeDefinition, { latent: { samples: half } }, { factor: 2 });
    expect(out.samples.dtype).toBe('float32');
    expect(Array.from(out.samples.data)).toEqual([3, -4]);
    await expect(run(latentScale as NodeDefinition, { latent: { samples: Tensor.zeros([2, 2]) } }, { factor: 1 }))
      .rejects.toThrow(/latent\/scale \(node "n1"\) input `latent`: expected a 4-D tensor, got shape \[2, 2\]/);
  });
});

describe('latent/blend', () => {
  it('computes a·(1−t) + b·t', async () => {
    const a = latent([1, 2, 1, 2], (i) => i);
    const b = latent([1, 2, 1, 2], (i) => 10 * i + 1);
    for (const t of [0, 0.25, 1]) {
      const out = await run(latentBlend as NodeDefinition, { a, b }, { t });
      expect(Array.from(out.samples.data)).toEqual([0, 1, 2, 3].map((i) => Math.fround(i * (1 - t) + (10 * i + 1) * t)));
    }
  });

  it('names both ports when shapes differ', async () => {
    await expect(run(latentBlend as NodeDefinition, { a: latent([1, 4, 2, 2], () => 0), b: latent([1, 4, 2, 3], () => 0) }, { t: 0.5 }))
      .rejects.toThrow(/latent\/blend \(node "n1"\) inputs `a` and `b`: shapes differ, \[1, 4, 2, 2\] vs \[1, 4, 2, 3\]/);
  });
});

describe('latent/batch', () => {
  it('concatenates along the batch dimension', async () => {
    const a = latent([1, 2, 1, 2], (i) => i);
    const b = latent([2, 2, 1, 2], (i) => 100 + i);
    const out = await run(latentBatch as NodeDefinition, { a, b });
    expect(out.samples.shape).toEqual([3, 2, 1, 2]);
    expect(Array.from(out.samples.data)).toEqual([0, 1, 2, 3, ...Array.from({ length: 8 }, (_, i) => 100 + i)]);
    expect(out.noiseMask).toBeUndefined();
  });

  it('joins noise masks, a missing one counting as all 1 and a [1,…] mask applying to the whole batch', async () => {
    const a = { ...latent([1, 1, 1, 2], () => 0), noiseMask: Tensor.float32([1, 1, 1, 2], [0, 0.5]) };
    const b = latent([2, 1, 1, 2], () => 1);
    const out = await run(latentBatch as NodeDefinition, { a, b });
    expect(out.noiseMask?.shape).toEqual([3, 1, 1, 2]);
    expect(Array.from(out.noiseMask!.data)).toEqual([0, 0.5, 1, 1, 1, 1]);
    const shared = { ...b, noiseMask: Tensor.float32([1, 1, 1, 2], [0.25, 0.75]) };
    const out2 = await run(latentBatch as NodeDefinition, { a, b: shared });
    expect(Array.from(out2.noiseMask!.data)).toEqual([0, 0.5, 0.25, 0.75, 0.25, 0.75]);
  });

  it('center-crops and resizes a b of another size to a, as ComfyUI', async () => {
    const a = latent([1, 1, 4, 4], () => 0);
    const wide = latent([1, 1, 4, 8], (i) => i); // 4 rows × 8 columns: the middle 4 columns are kept
    const out = await run(latentBatch as NodeDefinition, { a, b: wide });
    expect(out.samples.shape).toEqual([2, 1, 4, 4]);
    expect(Array.from(out.samples.data.subarray(16))).toEqual([2, 3, 4, 5, 10, 11, 12, 13, 18, 19, 20, 21, 26, 27, 28, 29]);
    const small = latent([1, 1, 2, 2], (i) => i); // same aspect: only resized (bilinear, half-pixel centers)
    const up = await run(latentBatch as NodeDefinition, { a, b: small });
    expect(Array.from(up.samples.data.subarray(16, 20))).toEqual([0, 0.25, 0.75, 1]);
  });

  it('rejects latents whose channels differ, or sizes differ with noise masks', async () => {
    await expect(run(latentBatch as NodeDefinition, { a: latent([1, 4, 8, 8], () => 0), b: latent([1, 3, 8, 8], () => 0) }))
      .rejects.toThrow(/latent\/batch \(node "n1"\) inputs `a` and `b`: all but the batch dimension must match, got \[1, 4, 8, 8\] and \[1, 3, 8, 8\]/);
    const masked = { ...latent([1, 4, 8, 8], () => 0), noiseMask: Tensor.float32([1, 1, 8, 8], new Float32Array(64)) };
    await expect(run(latentBatch as NodeDefinition, { a: masked, b: latent([1, 4, 8, 9], () => 0) }))
      .rejects.toThrow(/cannot be joined with noise masks/);
  });
});
