/**
 * `vae/load`: a VAE from explicit files (local paths or URLs) with its own input/output names and
 * scaling factor, for VAEs that do not come in a Stable Diffusion package (e.g. a small preview
 * VAE whose decoder takes `latent` and returns `output`).
 */
import { fileRefFromLocation, requireRuntime } from '../../src/runtime/runtime.ts';
import type { VaeHandle } from '../../src/runtime/handles.ts';
import { DEFAULT_VAE_SCALING_FACTOR } from '../../src/runtime/package.ts';
import { defineNode } from '../define.ts';
import { convertedModelRef, isCheckpointFile } from '../model/convertedModel.ts';

const orUndefined = (s: string) => (s.trim() === '' ? undefined : s.trim());

export const vaeLoad = defineNode({
  type: 'vae/load',
  needsRuntime: true,
  version: 1,
  title: 'Load VAE',
  category: 'vae',
  description: 'A VAE from separate encoder/decoder files (paths or URLs): ONNX, or TAESD-family .pth / .safetensors checkpoints converted on load; input/output names when they are not the diffusers ones.',
  inputs: {},
  outputs: { vae: { type: 'VAE' } },
  params: {
    decoder: { kind: 'string', default: '', label: 'Decoder file', placeholder: 'vae_decoder/model.onnx' },
    encoder: { kind: 'string', default: '', label: 'Encoder file (optional)' },
    scaling_factor: { kind: 'float', default: DEFAULT_VAE_SCALING_FACTOR, min: 1e-6, max: 100, step: 0.00001 },
    decoder_input: { kind: 'string', default: '', label: 'Decoder input name (auto if empty)' },
    decoder_output: { kind: 'string', default: '', label: 'Decoder output name (auto if empty)' },
    encoder_input: { kind: 'string', default: '', label: 'Encoder input name (auto if empty)' },
    encoder_output: { kind: 'string', default: '', label: 'Encoder output name (auto if empty)' },
  },
  async run(ctx, _inputs, params) {
    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    const decoder = orUndefined(params.decoder);
    const encoder = orUndefined(params.encoder);
    if (!decoder && !encoder) throw new Error(`node "${ctx.nodeId}": give a decoder file, an encoder file, or both`);
    // A TAESD checkpoint (.pth / .safetensors) is converted to ONNX on first use; its latents are
    // already in the denoiser's scale, so the scaling factor is 1 unless the graph says otherwise.
    const checkpoint = [decoder, encoder].some((f) => f !== undefined && isCheckpointFile(f));
    const ref = async (file: string, role: 'decoder' | 'encoder') => {
      const where = `node "${ctx.nodeId}" ${role}`;
      const plain = await fileRefFromLocation(runtime, file, where);
      return isCheckpointFile(file) ? convertedModelRef(plain, role === 'decoder' ? 'taesd-decoder' : 'taesd-encoder', where, 'signed') : plain;
    };
    const vae: VaeHandle = {
      kind: 'VAE',
      decoder: decoder ? await ref(decoder, 'decoder') : undefined,
      encoder: encoder ? await ref(encoder, 'encoder') : undefined,
      scalingFactor: checkpoint && params.scaling_factor === DEFAULT_VAE_SCALING_FACTOR ? 1 : params.scaling_factor,
      io: {
        decoderInput: orUndefined(params.decoder_input),
        decoderOutput: orUndefined(params.decoder_output),
        encoderInput: orUndefined(params.encoder_input),
        encoderOutput: orUndefined(params.encoder_output),
      },
    };
    return { vae };
  },
});
