/**
 * `latent/batch`: concatenates two latents along the batch dimension. As ComfyUI's "Latent
 * Batch", a `b` of another size is first center-cropped to `a`'s aspect ratio and resized to it
 * (bilinear). Noise masks are joined too; a side without one counts as all 1 (denoise everywhere).
 */
import { centerCropToAspect, concatBatch, requireFloatTensor } from '../../src/tensor/ops.ts';
import { resizeTensor } from '../../src/tensor/resample.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { defineNode } from '../define.ts';

export const latentBatch = defineNode({
  type: 'latent/batch',
  version: 1,
  title: 'Batch latents',
  category: 'latent',
  description: 'Concatenate latents a and b along the batch; a b of another size is center-cropped and resized to a (as ComfyUI).',
  inputs: { a: { type: 'LATENT' }, b: { type: 'LATENT' } },
  outputs: { latent: { type: 'LATENT' } },
  params: {},
  run(ctx, inputs) {
    const where = `latent/batch (node "${ctx.nodeId}")`;
    const a = requireFloatTensor(inputs.a?.samples, `${where} input \`a\``, 4);
    let b = requireFloatTensor(inputs.b?.samples, `${where} input \`b\``, 4);
    const [, channels, height, width] = a.shape;
    if (b.shape[1] === channels && (b.shape[2] !== height || b.shape[3] !== width)) {
      if (inputs.a.noiseMask || inputs.b.noiseMask) {
        throw new Error(`${where}: latents of different sizes ([${a.shape.join(', ')}] and [${b.shape.join(', ')}]) cannot be joined with noise masks`);
      }
      b = resizeTensor(centerCropToAspect(b, width, height), height, width, { mode: 'bilinear' });
    }
    const samples = concatBatch([a, b], `${where} inputs \`a\` and \`b\``);
    if (!inputs.a.noiseMask && !inputs.b.noiseMask) return { latent: { samples } };
    const maskShape = (inputs.a.noiseMask ?? inputs.b.noiseMask)!.shape.slice(1);
    const expanded = (['a', 'b'] as const).map((port) => {
      const batch = (port === 'a' ? a : b).shape[0];
      const given = inputs[port].noiseMask;
      if (!given) return new Tensor('float32', [batch, ...maskShape], new Float32Array(batch * maskShape.reduce((x, y) => x * y, 1)).fill(1));
      const mask = requireFloatTensor(given, `${where} noise mask of \`${port}\``);
      if (mask.shape[0] === batch) return mask;
      // One mask for the whole batch ([1, …]) applies to every item.
      if (mask.shape[0] !== 1) throw new Error(`${where}: noise mask of \`${port}\` has batch ${mask.shape[0]}, its latent has ${batch}`);
      return concatBatch(new Array<Tensor<'float32'>>(batch).fill(mask));
    });
    return { latent: { samples, noiseMask: concatBatch(expanded, `${where} noise masks`) } };
  },
});
