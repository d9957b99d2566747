/**
 * `noise/gaussian`: seeded standard-normal noise, drawn exactly as PyTorch's CPU generator does
 * (`torch.manual_seed(seed); torch.randn(shape)`), which is how diffusers (with a CPU generator)
 * and ComfyUI make their initial latent noise: the same seed gives the same starting latent.
 * The shape comes from a connected LATENT, or from the image size, batch and channels.
 */
import { float16BitsToFloat32Array } from '../../src/tensor/fp16.ts';
import { TorchGenerator, type TorchNormalKernel } from '../../src/tensor/torchGenerator.ts';
import { checkAllocation, Tensor } from '../../src/tensor/tensor.ts';
import { defineNode } from '../define.ts';
import { latentShape } from '../latent/empty.ts';

export const noiseGaussian = defineNode({
  type: 'noise/gaussian',
  version: 1,
  title: 'Gaussian noise',
  category: 'noise',
  description: 'Seeded noise identical to torch.manual_seed(seed); torch.randn(shape) on the CPU (as ComfyUI and diffusers make it).',
  inputs: {
    latent: { type: 'LATENT', optional: true, description: 'Take the shape from this latent instead of the size params.' },
  },
  outputs: { noise: { type: 'NOISE' } },
  params: {
    seed: { kind: 'seed', default: 0 },
    width: { kind: 'int', default: 512, min: 8, max: 16384, step: 8, description: 'Image width in pixels (latent = width / downscale).' },
    height: { kind: 'int', default: 512, min: 8, max: 16384, step: 8, description: 'Image height in pixels.' },
    batch: { kind: 'int', default: 1, min: 1, max: 64 },
    channels: { kind: 'int', default: 4, min: 1, max: 64, description: 'Latent channels (4 for SD 1.x/2.x/XL).' },
    downscale: { kind: 'int', default: 8, min: 1, max: 64, description: 'Pixels per latent cell.' },
    batch_seeds: {
      kind: 'enum', options: ['one stream', 'seed per item'], default: 'one stream', label: 'Batch seeds',
      description: 'one stream: randn of the whole batch from one seed (ComfyUI, diffusers with one generator); seed per item: item i is randn([1, C, H, W]) from seed + i (diffusers with a list of generators), so an item does not depend on the batch size.',
    },
    precision: {
      kind: 'enum', options: ['float32', 'float16'], default: 'float32',
      description: 'Draw as torch.randn does for this dtype (float16: what diffusers fp16 pipelines get from a CPU generator); the output is float32 either way.',
    },
    kernel: {
      kind: 'enum', options: ['avx2', 'avx2-unfused', 'scalar'], default: 'avx2',
      description: "Which PyTorch CPU kernel's last-bit rounding to reproduce: avx2 = x86-64 Linux builds (bit-exact), avx2-unfused = builds without fused multiply-add, scalar = ARM / portable.",
    },
  },
  run(ctx, inputs, params) {
    let shape: number[];
    if (inputs.latent) {
      const samples = inputs.latent.samples;
      if (!samples || samples.shape.length !== 4) {
        throw new Error(`noise/gaussian (node "${ctx.nodeId}"): input \`latent\` must hold a [B, C, H, W] tensor, got ${samples ? `[${samples.shape.join(', ')}]` : 'none'}`);
      }
      shape = [...samples.shape];
    } else {
      shape = latentShape(ctx.nodeId, 'noise/gaussian', params);
    }
    checkAllocation(shape, 'float32', `noise/gaussian (node "${ctx.nodeId}")`);
    const kernel = params.kernel as TorchNormalKernel;
    const draw = (seed: number, itemShape: readonly number[]): Float32Array => {
      const generator = new TorchGenerator(seed, { kernel });
      return params.precision === 'float16' ? float16BitsToFloat32Array(generator.randnFloat16(itemShape)) : generator.randn(itemShape);
    };
    if (params.batch_seeds !== 'seed per item') return { noise: new Tensor('float32', shape, draw(params.seed, shape)) };
    const itemShape = [1, ...shape.slice(1)];
    const itemSize = itemShape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(shape[0] * itemSize);
    for (let i = 0; i < shape[0]; i++) data.set(draw(params.seed + i, itemShape), i * itemSize);
    return { noise: new Tensor('float32', shape, data) };
  },
});
