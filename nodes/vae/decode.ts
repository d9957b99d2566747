/**
 * `vae/decode`: latent → image. Divides by the VAE's scaling factor, runs the decoder one batch
 * item at a time (bounded memory; works with exports pinned to batch 1), maps [-1, 1] to [0, 1].
 */
import { requireRuntime } from '../../src/runtime/runtime.ts';
import { defineNode } from '../define.ts';
import { decodeLatents } from './decodeLatents.ts';

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
    const image = await decodeLatents(runtime, vae, latent.samples, { nodeId: ctx.nodeId, signal: ctx.signal, progress: ctx.progress });
    return { image };
  },
});
