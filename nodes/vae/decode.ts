/**
 * `vae/decode`: latent → image. Divides by the VAE's scaling factor, runs the decoder one batch
 * item at a time (bounded memory; works with exports pinned to batch 1), maps [-1, 1] to [0, 1].
 */
import { requireRuntime } from '../../src/runtime/runtime.ts';
import { affineFloat, batchItem, concatBatch } from '../../src/runtime/batch.ts';
import { pickIo } from '../../src/runtime/roles.ts';
import { castTensor } from '../../src/runtime/convert.ts';
import { checkAllocation, type Tensor } from '../../src/tensor/tensor.ts';
import { defineNode } from '../define.ts';

export const vaeDecode = defineNode({
  type: 'vae/decode',
  needsRuntime: true,
  version: 1,
  title: 'VAE decode',
  category: 'vae',
  description: 'Decode latents to an image with the VAE decoder (latents are divided by the scaling factor first).',
  inputs: { vae: { type: 'VAE' }, latent: { type: 'LATENT' } },
  outputs: { image: { type: 'IMAGE' } },
  params: {},
  async run(ctx, inputs) {
    const { vae, latent } = inputs;
    if (!vae.decoder) throw new Error(`node "${ctx.nodeId}": this VAE has no decoder`);
    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    const session = await runtime.session(vae.decoder, { nodeId: ctx.nodeId, progress: ctx.progress });
    const label = `node "${ctx.nodeId}": ${session.label}`;
    const inName = pickIo(session.inputs, vae.io?.decoderInput, ['latent_sample', 'latent', 'z', 'latents'], 'input', label);
    const outName = pickIo(session.outputs, vae.io?.decoderOutput, ['sample', 'image', 'output'], 'output', label);
    const samples = latent.samples;
    if (samples.shape.length !== 4) {
      throw new Error(`node "${ctx.nodeId}": latent must be [B, C, H, W], got [${samples.shape.join(', ')}]`);
    }
    const inv = 1 / vae.scalingFactor;
    const images: Tensor<'float32'>[] = [];
    for (let b = 0; b < samples.shape[0]; b++) {
      ctx.progress(b, samples.shape[0]);
      const item = affineFloat(batchItem(samples, b), inv, 0);
      const out = await session.run({ [inName]: item }, { nodeId: ctx.nodeId, outputs: [outName], signal: ctx.signal });
      const decoded = castTensor(out[outName], 'float32') as Tensor<'float32'>;
      // The whole batch of images, sized from the first one, before decoding the rest.
      if (b === 0) checkAllocation(decoded.shape, 'float32', `vae/decode (node "${ctx.nodeId}")`, samples.shape[0]);
      // [-1, 1] → [0, 1]: (v + 1) / 2 and v * 0.5 + 0.5 round the same (halving is exact).
      images.push(affineFloat(decoded, 0.5, 0.5, true));
    }
    ctx.progress(samples.shape[0], samples.shape[0]);
    return { image: concatBatch(images) };
  },
});
