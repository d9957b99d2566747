/**
 * `vae/encode`: image in [0, 1] → latent. Maps to [-1, 1], runs the encoder per batch item,
 * takes the mean when the encoder returns distribution moments (2C channels), and multiplies by
 * the VAE's scaling factor.
 */
import { requireRuntime } from '../../src/runtime/runtime.ts';
import { affineFloat, batchItem, concatBatch } from '../../src/runtime/batch.ts';
import { pickIo } from '../../src/runtime/roles.ts';
import { castTensor } from '../../src/runtime/convert.ts';
import { Tensor, shapeSize } from '../../src/tensor/tensor.ts';
import { defineNode } from '../define.ts';

/** The first `channels` channels of a [1, 2C, h, w] moments tensor (the mean). */
function meanOfMoments(t: Tensor<'float32'>, channels: number): Tensor<'float32'> {
  const plane = shapeSize(t.shape.slice(2));
  return new Tensor('float32', [1, channels, ...t.shape.slice(2)], t.data.slice(0, channels * plane));
}

export const vaeEncode = defineNode({
  type: 'vae/encode',
  needsRuntime: true,
  version: 1,
  title: 'VAE encode',
  category: 'vae',
  description: 'Encode an image (values in [0, 1]) to latents with the VAE encoder, scaled by the scaling factor.',
  inputs: { vae: { type: 'VAE' }, image: { type: 'IMAGE' } },
  outputs: { latent: { type: 'LATENT' } },
  params: {
    latent_channels: { kind: 'int', default: 4, min: 1, max: 64, description: 'Channels of the latent space (a 2× wider encoder output is read as mean ‖ log-variance).' },
  },
  async run(ctx, inputs, params) {
    const { vae, image } = inputs;
    if (!vae.encoder) throw new Error(`node "${ctx.nodeId}": this VAE has no encoder (the package has no vae_encoder/model.onnx)`);
    if (image.shape.length !== 4 || image.shape[1] !== 3) {
      throw new Error(`node "${ctx.nodeId}": image must be [B, 3, H, W], got [${image.shape.join(', ')}]`);
    }
    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    const session = await runtime.session(vae.encoder, { nodeId: ctx.nodeId, progress: ctx.progress });
    const label = `node "${ctx.nodeId}": ${session.label}`;
    const inName = pickIo(session.inputs, vae.io?.encoderInput, ['sample', 'input', 'image', 'x'], 'input', label);
    const outName = pickIo(session.outputs, vae.io?.encoderOutput, ['latent_sample', 'latent', 'latent_parameters', 'latent_dist'], 'output', label);
    const latents: Tensor<'float32'>[] = [];
    for (let b = 0; b < image.shape[0]; b++) {
      ctx.progress(b, image.shape[0]);
      const item = affineFloat(batchItem(image, b), 2, -1);
      const out = await session.run({ [inName]: item }, { nodeId: ctx.nodeId, outputs: [outName], signal: ctx.signal });
      let z = castTensor(out[outName], 'float32') as Tensor<'float32'>;
      if (z.shape.length !== 4) throw new Error(`${label} output \`${outName}\` has shape [${z.shape.join(', ')}]; expected [1, C, h, w]`);
      const moments = vae.encoderOutputsMoments ?? z.shape[1] === 2 * params.latent_channels;
      if (moments) z = meanOfMoments(z, z.shape[1] / 2);
      latents.push(affineFloat(z, vae.scalingFactor, 0));
    }
    ctx.progress(image.shape[0], image.shape[0]);
    return { latent: { samples: concatBatch(latents) } };
  },
});
