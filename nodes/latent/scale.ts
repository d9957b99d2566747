/** `latent/scale`: multiplies a latent by a factor (e.g. by the VAE scaling factor, or to damp noise). */
import { requireFloatTensor, multiplyTensor } from '../../src/tensor/ops.ts';
import { defineNode } from '../define.ts';

export const latentScale = defineNode({
  type: 'latent/scale',
  version: 1,
  title: 'Scale latent',
  category: 'latent',
  description: 'latent × factor (the noise mask is kept).',
  inputs: { latent: { type: 'LATENT' } },
  outputs: { latent: { type: 'LATENT' } },
  params: {
    factor: { kind: 'float', default: 1, min: -1000, max: 1000, step: 0.01 },
  },
  run(ctx, inputs, params) {
    const samples = requireFloatTensor(inputs.latent?.samples, `latent/scale (node "${ctx.nodeId}") input \`latent\``, 4);
    return { latent: { ...inputs.latent, samples: multiplyTensor(samples, params.factor) } };
  },
});
