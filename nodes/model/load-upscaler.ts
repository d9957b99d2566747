/**
 * `model/load-upscaler`: an ESRGAN-style image upscaler in ONNX ([B, 3, h, w] in [0, 1] →
 * [B, 3, s·h, s·w]) from a local path or an http(s) URL to its `.onnx` file. The session is
 * opened here (through the runtime's cache) so a missing or broken file fails at this node.
 */
import { requireRuntime } from '../../src/runtime/runtime.ts';
import type { UpscalerHandle } from '../../src/runtime/handles.ts';
import { upscalerModelRef } from './upscalerSource.ts';

export { splitModelSource } from './upscalerSource.ts';
import { defineNode } from '../define.ts';

export { isUpscalerHandle, type UpscalerHandle } from '../../src/runtime/handles.ts';

const fixedDim = (d: unknown) => (typeof d === 'number' && d > 0 ? d : undefined);

export const modelLoadUpscaler = defineNode({
  type: 'model/load-upscaler',
  needsRuntime: true,
  version: 1,
  title: 'Load upscaler',
  category: 'model',
  description: 'An image upscaler (scale found by a probe run): an .onnx file, an ESRGAN/Real-ESRGAN .pth/.safetensors, a TF.js model.json, or builtin:esrgan-slim-x2…x8 / builtin:esrgan-medium-x2…x8.',
  inputs: {},
  outputs: { upscaler: { type: 'UPSCALER' } },
  params: {
    source: {
      kind: 'string',
      default: '',
      label: 'Model file',
      placeholder: 'builtin:esrgan-slim-x4, models/4x.pth or https://…/model.onnx',
    },
  },
  async run(ctx, _inputs, params) {
    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    const model = await upscalerModelRef(runtime, String(params.source), ctx.nodeId);
    const file = model.label;
    const session = await runtime.session(model, { nodeId: ctx.nodeId });
    const input = session.inputs[0];
    const output = session.outputs[0];
    if (!input || !output) throw new Error(`model/load-upscaler (node "${ctx.nodeId}"): ${file} has no inputs or outputs`);
    if (input.shape && input.shape.length !== 4) {
      throw new Error(
        `model/load-upscaler (node "${ctx.nodeId}"): ${file} input \`${input.name}\` has rank ${input.shape.length}; an upscaler takes [B, 3, H, W]`,
      );
    }
    const height = fixedDim(input.shape?.[2]);
    const width = fixedDim(input.shape?.[3]);
    const handle: UpscalerHandle = {
      kind: 'UPSCALER',
      model,
      inputName: input.name,
      outputName: output.name,
      fixedTile: height && width ? { height, width } : undefined,
    };
    return { upscaler: handle };
  },
});
