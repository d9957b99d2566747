/**
 * `diffusion/denoise`: one denoiser (UNet) evaluation. `latent`, `timestep` and the conditioning
 * map onto the model's inputs by role; every other model input (LCM's `timestep_cond`, SDXL's
 * `text_embeds`/`time_ids`, unCLIP's `image_embeds`…) is an optional TENSOR socket named after it,
 * listed in the hidden `extra_inputs` param (fill it with `inspectDenoiserPorts`). Left open,
 * `timestep_cond` is LCM's guidance embedding, `text_embeds` the conditioning's pooled output and
 * `time_ids` SDXL's size conditioning for the latent's image size. With a
 * `negative` conditioning it returns both predictions, in one batch-2 call when the model allows.
 */
import type { PortMap } from '../../src/graph/nodeSpec.ts';
import type { DenoiserHandle } from '../../src/runtime/handles.ts';
import { requireRuntime, type Runtime } from '../../src/runtime/runtime.ts';
import { denoiserRoles, type DenoiserRoles } from '../../src/runtime/roles.ts';
import type { FeedValue, ModelSession } from '../../src/runtime/types.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { defineNode } from '../define.ts';
import type { LatentValue } from '../types.ts';
import {
  canBatchCfg,
  concatBatch,
  contextForBatch,
  denoiserExtraPorts,
  doubleBatch,
  guidanceScaleEmbedding,
  sdxlTimeIds,
  splitHalves,
} from './denoiseFeeds.ts';
import { repeatBatch } from '../../src/runtime/batch.ts';
import { isResident, type AnyFloatTensor, type TensorDevice } from '../../src/tensor/resident.ts';

/**
 * Whether this denoiser's predictions can stay on the backend's device (WebGPU): it has one, and
 * the model takes and returns float32 (a float16 export converts on the host).
 */
function residentDevice(runtime: Runtime, session: ModelSession, roles: DenoiserRoles): TensorDevice | undefined {
  const device = runtime.backend.device;
  if (!device) return undefined;
  const type = (list: ModelSession['inputs'], name: string) => list.find((m) => m.name === name)?.type ?? 'float32';
  return type(session.inputs, roles.sample) === 'float32' && type(session.outputs, roles.output) === 'float32' ? device : undefined;
}

/** Where a message says the problem is (built only for messages: a denoise runs every step). */
function whereOf(nodeId: string, session: ModelSession): string {
  return `node "${nodeId}": ${session.label}`;
}

/** A prediction as a LATENT. Its samples are typed as host tensors; resident ones reach only nodes that take them. */
function latent(t: AnyFloatTensor): LatentValue {
  return { samples: t as Tensor<'float32'> };
}

function disposeResident(...tensors: AnyFloatTensor[]): void {
  for (const t of tensors) if (isResident(t)) t.dispose();
}

/** [x; x] on the device for a resident latent, else on the host. */
async function doubledSample(device: TensorDevice | undefined, sample: AnyFloatTensor): Promise<AnyFloatTensor> {
  if (isResident(sample) && device) return (await device.run('concat-batch', [sample, sample]))[0];
  return concatBatch([sample as Tensor<'float32'>, sample as Tensor<'float32'>]);
}

/** A [2B, …] prediction's halves (uncond, cond), on the device when it is resident there. */
async function predictionHalves(device: TensorDevice | undefined, both: AnyFloatTensor): Promise<[AnyFloatTensor, AnyFloatTensor]> {
  if (isResident(both) && device) {
    const [first, second] = await device.run('split-halves', [both]);
    return [first, second];
  }
  return splitHalves(both as Tensor<'float32'>);
}

/** Role mapping per session: computed once, looked up on every step. */
const rolesBySession = new WeakMap<object, DenoiserRoles>();

/** The extra-input sockets of a denoiser, for the node's hidden `extra_inputs` param. */
export async function inspectDenoiserPorts(runtime: Runtime, denoiser: DenoiserHandle) {
  const session = await runtime.session(denoiser.model);
  return denoiserExtraPorts(session.inputs, session.outputs, session.label);
}

/** What every denoiser call of one node run shares (handed to a module function: no closure per step). */
interface DenoiserTarget {
  session: ModelSession;
  roles: DenoiserRoles;
  timestep: number;
  nodeId: string;
  signal: AbortSignal;
  /** The prediction stays on the backend's device (a resident tensor) instead of being downloaded. */
  keepOnDevice: boolean;
}

/** One denoiser call: the feeds by role, the prediction out. */
function callDenoiser(
  { session, roles, timestep, nodeId, signal, keepOnDevice }: DenoiserTarget,
  sample: AnyFloatTensor,
  context: Tensor<'float32'>,
  extras: Record<string, Tensor>,
): Promise<AnyFloatTensor> {
  const feeds: Record<string, FeedValue> = { [roles.sample]: sample, [roles.timestep]: timestep, [roles.encoderHiddenStates!]: context, ...extras };
  return session.run(feeds, { nodeId, outputs: [roles.output], signal, keepOnDevice }).then((out) => out[roles.output] as AnyFloatTensor);
}

export const diffusionDenoise = defineNode({
  type: 'diffusion/denoise',
  needsRuntime: true,
  version: 1,
  // On WebGPU the latent comes and the predictions go as resident tensors (GPU buffers).
  residentInputs: true,
  title: 'Denoise (UNet)',
  category: 'diffusion',
  description: 'Predict noise for a latent at a timestep with an ONNX denoiser; with a negative prompt, both predictions for classifier-free guidance.',
  inputs: {
    denoiser: { type: 'DENOISER' },
    latent: { type: 'LATENT' },
    timestep: { type: 'FLOAT' },
    positive: { type: 'CONDITIONING' },
    negative: { type: 'CONDITIONING', optional: true },
  },
  outputs: {
    noise_pred: { type: 'LATENT', description: 'Prediction for the positive conditioning.' },
    noise_pred_uncond: { type: 'LATENT', description: 'Prediction for the negative conditioning (when connected).' },
  },
  params: {
    batch_cfg: { kind: 'boolean', default: true, label: 'One batch-2 call for CFG', description: 'Evaluate positive and negative together when the model takes a free batch size.' },
    lcm_guidance_scale: { kind: 'float', default: 8.5, min: 0, max: 50, step: 0.1, description: "Fills LCM's `timestep_cond` (guidance-scale embedding) when that socket is not connected." },
    extra_inputs: { kind: 'ports', default: [], hidden: true },
  },
  dynamicPorts(params) {
    const inputs: PortMap = {};
    for (const item of params.extra_inputs ?? []) inputs[item.name] = { type: item.type, optional: true };
    return { inputs };
  },
  async run(ctx, inputs, params) {
    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    // Loaded already on every step but the first: found without awaiting a look-up.
    const session = runtime.loadedSession?.(inputs.denoiser.model) ?? (await runtime.session(inputs.denoiser.model, { nodeId: ctx.nodeId, progress: ctx.progress }));
    let roles = rolesBySession.get(session);
    if (!roles) {
      roles = denoiserRoles(session.inputs, session.outputs, whereOf(ctx.nodeId, session));
      rolesBySession.set(session, roles);
    }
    const device = residentDevice(runtime, session, roles);
    let sample: AnyFloatTensor = inputs.latent.samples;
    if (isResident(sample) && !device) sample = await sample.download();
    if (sample.shape.length !== 4) throw new Error(`node "${ctx.nodeId}": latent must be [B, C, H, W], got [${sample.shape.join(', ')}]`);
    const batch = sample.shape[0];
    const pos = contextForBatch(inputs.positive.hiddenStates, batch, `node "${ctx.nodeId}": positive`);
    const neg = inputs.negative ? contextForBatch(inputs.negative.hiddenStates, batch, `node "${ctx.nodeId}": negative`) : undefined;
    if (!roles.encoderHiddenStates) throw new Error(`${whereOf(ctx.nodeId, session)} takes no text conditioning (no encoder_hidden_states input)`);

    const extras: Record<string, Tensor> = {};
    for (const meta of roles.extras) {
      const given = inputs[meta.name];
      if (given !== undefined) extras[meta.name] = given as Tensor;
      else if (meta.name === 'timestep_cond') {
        extras[meta.name] = guidanceScaleEmbedding(params.lcm_guidance_scale, Number(meta.shape?.[1] ?? 256), batch);
      } else if (meta.name === 'text_embeds' && inputs.positive.pooled) {
        extras[meta.name] = repeatBatch(inputs.positive.pooled, batch);
      } else if (meta.name === 'time_ids') {
        extras[meta.name] = sdxlTimeIds(sample.shape[2] * 8, sample.shape[3] * 8, batch);
      } else {
        throw new Error(
          `${whereOf(ctx.nodeId, session)} needs input \`${meta.name}\`; connect a TENSOR to the \`${meta.name}\` socket (inspect the model to add it)`,
        );
      }
    }

    // What every call shares, handed to a module function (no closure made per step).
    const target: DenoiserTarget = { session, roles, timestep: inputs.timestep, nodeId: ctx.nodeId, signal: ctx.signal, keepOnDevice: device !== undefined };

    if (!neg) {
      // No negative prompt: the uncond output stays empty (the engine objects only if it is read).
      const only: LatentValue = latent(await callDenoiser(target, sample, pos, extras));
      return { noise_pred: only, noise_pred_uncond: undefined as unknown as LatentValue };
    }
    if (params.batch_cfg && canBatchCfg(roles, session.inputs, batch, pos, neg)) {
      const doubled: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(extras)) doubled[name] = t.shape[0] === batch ? doubleBatch(t) : t;
      if (inputs.negative?.pooled && roles.extras.some((m) => m.name === 'text_embeds') && inputs.text_embeds === undefined) {
        doubled.text_embeds = concatBatch([repeatBatch(inputs.negative.pooled, batch), repeatBatch(inputs.positive.pooled!, batch)]);
      }
      const twice = await doubledSample(device, sample);
      const both = await callDenoiser(target, twice, concatBatch([neg, pos]), doubled);
      const [uncond, cond] = await predictionHalves(device, both);
      // The batch-2 tensors are this node's own: free their GPU memory now (no-ops on the host).
      disposeResident(twice, both);
      return { noise_pred: latent(cond), noise_pred_uncond: latent(uncond) };
    }
    const negExtras = { ...extras };
    if (inputs.negative?.pooled && roles.extras.some((m) => m.name === 'text_embeds') && inputs.text_embeds === undefined) {
      negExtras.text_embeds = repeatBatch(inputs.negative.pooled, batch);
    }
    const cond = await callDenoiser(target, sample, pos, extras);
    const uncond = await callDenoiser(target, sample, neg, negExtras);
    return { noise_pred: latent(cond), noise_pred_uncond: latent(uncond) };
  },
});
