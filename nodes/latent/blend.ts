/** `latent/blend`: a · (1 − t) + b · t, for interpolating between two latents of the same shape. */
import { lerpTensors, requireFloatTensor } from '../../src/tensor/ops.ts';
import { defineNode } from '../define.ts';

export const latentBlend = defineNode({
  type: 'latent/blend',
  version: 1,
  title: 'Blend latents',
  category: 'latent',
  description: 'a · (1 − t) + b · t; both latents must have the same shape (a’s noise mask is kept).',
  inputs: { a: { type: 'LATENT' }, b: { type: 'LATENT' } },
  outputs: { latent: { type: 'LATENT' } },
  params: {
    t: { kind: 'float', default: 0.5, min: 0, max: 1, step: 0.01, label: 'Blend (t)' },
  },
  run(ctx, inputs, params) {
    const where = `latent/blend (node "${ctx.nodeId}")`;
    const a = requireFloatTensor(inputs.a?.samples, `${where} input \`a\``, 4);
    const b = requireFloatTensor(inputs.b?.samples, `${where} input \`b\``, 4);
    return { latent: { ...inputs.a, samples: lerpTensors(a, b, params.t, `${where} inputs \`a\` and \`b\``) } };
  },
});
