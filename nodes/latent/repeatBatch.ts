/**
 * `latent/repeat-batch`: the latent batch repeated `amount` times along the batch dimension, as
 * ComfyUI's "Repeat Latent Batch" (items 0…B−1, then 0…B−1 again, …). A noise mask of batch 1
 * applies to every item and is kept; a batched mask is repeated with the latents.
 */
import { concatBatch, requireFloatTensor } from '../../src/tensor/ops.ts';
import { checkAllocation } from '../../src/tensor/tensor.ts';
import { defineNode } from '../define.ts';

export const latentRepeatBatch = defineNode({
  type: 'latent/repeat-batch',
  version: 1,
  title: 'Repeat latent batch',
  category: 'latent',
  description: 'Repeat the whole latent batch `amount` times (B items → amount · B items), noise mask included.',
  inputs: { latent: { type: 'LATENT' } },
  outputs: { latent: { type: 'LATENT' } },
  params: { amount: { kind: 'int', default: 1, min: 1, max: 64 } },
  run(ctx, inputs, params) {
    const where = `latent/repeat-batch (node "${ctx.nodeId}")`;
    const samples = requireFloatTensor(inputs.latent?.samples, `${where} input \`latent\``, 4);
    const amount = params.amount;
    if (!Number.isInteger(amount) || amount < 1) throw new Error(`${where}: amount must be an integer >= 1, got ${amount}`);
    checkAllocation([samples.shape[0] * amount, ...samples.shape.slice(1)], 'float32', where);
    const repeated = concatBatch(new Array(amount).fill(samples), where);
    const mask = inputs.latent.noiseMask;
    if (!mask || mask.shape[0] === 1) return { latent: { ...inputs.latent, samples: repeated } };
    if (mask.shape[0] !== samples.shape[0]) {
      throw new Error(`${where}: the noise mask has batch ${mask.shape[0]}, its latent has ${samples.shape[0]}`);
    }
    return { latent: { ...inputs.latent, samples: repeated, noiseMask: concatBatch(new Array(amount).fill(mask), `${where} noise mask`) } };
  },
});
