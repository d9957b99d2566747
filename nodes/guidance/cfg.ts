/**
 * `guidance/cfg`: classifier-free guidance on LATENT-typed predictions, with guidance rescale.
 * Resident predictions (WebGPU) are combined on their device; guidance rescale needs reductions,
 * so it runs on host copies.
 */
import { classifierFreeGuidance, classifierFreeGuidanceBatched } from '../../src/diffusion/guidance.ts';
import { deviceOf, toHost, type AnyFloatTensor, type TensorDevice } from '../../src/tensor/resident.ts';
import { defineNode } from '../define.ts';
import { requireLatentSamples, requireLatentSamplesAnywhere } from '../sampling/values.ts';
import type { LatentValue } from '../types.ts';

type CfgParams = { scale: number; rescale: number; batched: boolean };

function withNode(nodeId: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(message.startsWith('node "') ? message : `node "${nodeId}": ${message}`);
}

/** Which predictions the params ask for: the batched one alone, or cond and uncond. */
function checkWiring(uncond: unknown, params: CfgParams): void {
  if (params.batched && uncond) throw new Error('`batched` is set, so leave `uncond` unconnected');
  if (!params.batched && !uncond) throw new Error('connect `uncond`, or set `batched` when `cond` holds both predictions');
}

function guideOnHost(nodeId: string, condValue: LatentValue, uncondValue: LatentValue | undefined, params: CfgParams) {
  const cond = requireLatentSamples(condValue, nodeId, 'cond');
  try {
    checkWiring(uncondValue, params);
    if (params.batched) return { prediction: { samples: classifierFreeGuidanceBatched(cond, params.scale, { rescale: params.rescale }) } };
    const uncond = requireLatentSamples(uncondValue, nodeId, 'uncond');
    return { prediction: { samples: classifierFreeGuidance(cond, uncond, params.scale, { rescale: params.rescale }) } };
  } catch (error) {
    throw withNode(nodeId, error);
  }
}

/** u + scale·(c − u) on `device`; a batched prediction is split into [uncond, cond] there first. */
async function guideOnDevice(device: TensorDevice, cond: AnyFloatTensor, uncond: AnyFloatTensor | undefined, scale: number): Promise<AnyFloatTensor> {
  if (uncond === undefined) {
    if (cond.shape.length < 1 || !cond.shape[0] || cond.shape[0] % 2 !== 0) throw new Error(`CFG: a batched prediction needs an even batch, got [${cond.shape.join(', ')}]`);
    const [u, c] = await device.run('split-halves', [cond]);
    const guided = await guideOnDevice(device, c, u, scale);
    // The halves are this node's own.
    u.dispose();
    c.dispose();
    return guided;
  }
  if (cond.shape.length !== uncond.shape.length || cond.shape.some((d, i) => d !== uncond.shape[i])) {
    throw new Error(`CFG: cond has shape [${cond.shape.join(', ')}] but uncond has shape [${uncond.shape.join(', ')}]`);
  }
  const [guided] = await device.run('guidance', [cond, uncond], [Math.fround(scale)]);
  return guided;
}

async function guideResident(nodeId: string, device: TensorDevice, condValue: LatentValue, uncondValue: LatentValue | undefined, params: CfgParams) {
  const cond = requireLatentSamplesAnywhere(condValue, nodeId, 'cond');
  const uncond = uncondValue === undefined ? undefined : requireLatentSamplesAnywhere(uncondValue, nodeId, 'uncond');
  if (params.rescale === 0) {
    try {
      checkWiring(uncondValue, params);
      return { prediction: { samples: (await guideOnDevice(device, cond, uncond, params.scale)) as LatentValue['samples'] } };
    } catch (error) {
      throw withNode(nodeId, error);
    }
  }
  const [c, u] = await Promise.all([toHost(cond), uncond && toHost(uncond)]);
  return guideOnHost(nodeId, { ...condValue, samples: c }, uncondValue && u && { ...uncondValue, samples: u }, params);
}

export const guidanceCfg = defineNode({
  type: 'guidance/cfg',
  version: 1,
  residentInputs: true,
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
    const device = deviceOf(inputs.cond?.samples, inputs.uncond?.samples);
    if (device) return guideResident(ctx.nodeId, device, inputs.cond, inputs.uncond, params);
    return guideOnHost(ctx.nodeId, inputs.cond, inputs.uncond, params);
  },
});
