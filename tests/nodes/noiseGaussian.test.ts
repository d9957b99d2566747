import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { noiseGaussian } from '../../nodes/noise/gaussian.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { createEngine } from '../../src/engine/index.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';
import { float16BitsToFloat32Array } from '../../src/tensor/fp16.ts';

const ctx = { nodeId: 'noise', signal: new AbortController().signal } as RunContext;
const defaults = { seed: 0, width: 512, height: 512, batch: 1, channels: 4, downscale: 8, batch_seeds: 'one stream', precision: 'float32', kernel: 'avx2' };

async function noise(params: Partial<typeof defaults>, inputs: Record<string, unknown> = {}): Promise<Tensor<'float32'>> {
  const out = await (noiseGaussian as NodeDefinition).run(ctx, inputs, { ...defaults, ...params });
  return (out as { noise: Tensor<'float32'> }).noise;
}

describe('noise/gaussian', () => {
  it('draws torch.manual_seed(seed); torch.randn([B, C, H/8, W/8])', async () => {
    const n = await noise({ seed: 0, width: 32, height: 16 });
    expect(n.shape).toEqual([1, 4, 2, 4]);
    // 32 values: two full Box-Muller blocks; the first block is the published randn(16) of seed 0.
    expect(Array.from(n.data.subarray(0, 4), (v) => Math.round(v * 1e4) / 1e4)).toEqual([-1.1258, -1.1524, -0.2506, -0.4339]);
    expect(Array.from(n.data)).toEqual(Array.from(new TorchGenerator(0).randn([1, 4, 2, 4])));
  });

  it('takes the shape from a connected latent, seeds differ, same seed repeats', async () => {
    const latent = { samples: Tensor.zeros([2, 4, 3, 5]) };
    const a = await noise({ seed: 7 }, { latent });
    expect(a.shape).toEqual([2, 4, 3, 5]);
    expect(Array.from(a.data)).toEqual(Array.from((await noise({ seed: 7 }, { latent })).data));
    expect(Array.from(a.data)).not.toEqual(Array.from((await noise({ seed: 8 }, { latent })).data));
    const scalar = await noise({ seed: 7, kernel: 'scalar' }, { latent });
    expect(Array.from(scalar.data)).toEqual(Array.from(new TorchGenerator(7, { kernel: 'scalar' }).randn([2, 4, 3, 5])));
    for (let i = 0; i < a.size; i++) expect(scalar.data[i]).toBeCloseTo(a.data[i], 5);
  });

  it('with a seed per item, item i is randn([1, C, H, W]) of seed + i', async () => {
    const n = await noise({ seed: 10, width: 16, height: 16, batch: 3, batch_seeds: 'seed per item' });
    expect(n.shape).toEqual([3, 4, 2, 2]);
    for (let i = 0; i < 3; i++) {
      expect(Array.from(n.data.subarray(16 * i, 16 * (i + 1)))).toEqual(Array.from(new TorchGenerator(10 + i).randn([1, 4, 2, 2])));
    }
    const single = await noise({ seed: 10, width: 16, height: 16, batch: 1, batch_seeds: 'seed per item' });
    expect(Array.from(single.data)).toEqual(Array.from(n.data.subarray(0, 16)));
  });

  it('draws float16 noise as torch.randn(dtype=float16) does, returned as float32', async () => {
    const n = await noise({ seed: 3, width: 64, height: 64, precision: 'float16' });
    expect(n.dtype).toBe('float32');
    expect(Array.from(n.data)).toEqual(Array.from(float16BitsToFloat32Array(new TorchGenerator(3).randnFloat16([1, 4, 8, 8]))));
  });

  it('rejects bad sizes and latents with messages naming the node', async () => {
    await expect(noise({ width: 4, height: 512 })).rejects.toThrow(/noise\/gaussian \(node "noise"\): 4×512 pixels is smaller than one latent cell/);
    await expect(noise({ batch: 0 })).rejects.toThrow(/param `batch` must be a positive integer, got 0/);
    await expect(noise({}, { latent: { samples: Tensor.zeros([4, 4]) } })).rejects.toThrow(/input `latent` must hold a \[B, C, H, W\] tensor, got \[4, 4\]/);
  });

  it('runs in the engine with latent/empty feeding its shape', async () => {
    const graph: GraphDocument = {
      format: 'latentloom.graph', version: 1, meta: {}, models: {},
      nodes: [
        { id: 'empty', type: 'latent/empty', version: 1, params: { width: 64, height: 48, batch: 2 } },
        { id: 'noise', type: 'noise/gaussian', version: 1, params: { seed: 42 } },
      ],
      edges: [{ from: { node: 'empty', port: 'latent' }, to: { node: 'noise', port: 'latent' } }],
    } as unknown as GraphDocument;
    const engine = createEngine({ registry: defaultRegistry() });
    const result = await engine.run(graph, { outputs: ['noise'] });
    expect(result.error).toBeUndefined();
    const out = result.outputs.noise.noise as Tensor<'float32'>;
    expect(out.shape).toEqual([2, 4, 6, 8]);
    expect(Array.from(out.data)).toEqual(Array.from(new TorchGenerator(42).randn([2, 4, 6, 8])));
  });
});
