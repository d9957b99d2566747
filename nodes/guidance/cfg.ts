/**
 * `guidance/cfg`: classifier-free guidance on LATENT-typed predictions, with guidance rescale.
 */
import { classifierFreeGuidance, classifierFreeGuidanceBatched } from '../../src/diffusion/guidance.ts';
import { defineNode } from '../define.ts';
import { requireLatentSamples } from '../sampling/values.ts';

export const guidanceCfg = defineNode({
  type: 'guidance/cfg',
  version: 1,
  title: 'CFG',
  category: 'guidance',
  description:
    'Classifier-free guidance: uncond + scale × (cond − uncond), with optional guidance rescale φ (diffusers\' ' +
    "guidance_rescale). Give `cond` and `uncond` predictions, or set `batched` and give one prediction whose batch is " +
    '[uncond, cond] (uncond first, as diffusers concatenates them).',
  inputs: {
    cond: { type: 'LATENT', description: 'Prediction for the positive prompt (or the batch-2 prediction when batched).' },
    uncond: { type: 'LATENT', optional: true, description: 'Prediction for the negative prompt.' },
  },
  outputs: { prediction: { type: 'LATENT' } },
  params: {
    scale: { kind: 'float', default: 7.5, min: 0, max: 100, step: 0.1 },
    rescale: { kind: 'float', default: 0, min: 0, max: 1, step: 0.05, description: 'Guidance rescale φ (0.7 suggested for zero-SNR models).' },
    batched: { kind: 'boolean', default: false, description: '`cond` holds [uncond, cond] in one batch.' },
  },
  run(ctx, inputs, params) {
    const cond = requireLatentSamples(inputs.cond, ctx.nodeId, 'cond');
    try {
      if (params.batched) {
        if (inputs.uncond) throw new Error('`batched` is set, so leave `uncond` unconnected');
        return { prediction: { samples: classifierFreeGuidanceBatched(cond, params.scale, { rescale: params.rescale }) } };
      }
      if (!inputs.uncond) throw new Error('connect `uncond`, or set `batched` when `cond` holds both predictions');
      const uncond = requireLatentSamples(inputs.uncond, ctx.nodeId, 'uncond');
      return { prediction: { samples: classifierFreeGuidance(cond, uncond, params.scale, { rescale: params.rescale }) } };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(message.startsWith('node "') ? message : `node "${ctx.nodeId}": ${message}`);
    }
  },
});
