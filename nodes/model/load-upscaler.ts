/**
 * `model/load-upscaler`: an ESRGAN-style image upscaler in ONNX ([B, 3, h, w] in [0, 1] →
 * [B, 3, s·h, s·w]) from a local path or an http(s) URL to its `.onnx` file. The session is
 * opened here (through the runtime's cache) so a missing or broken file fails at this node.
 */
import { requireRuntime } from '../../src/runtime/runtime.ts';
import { packageFileRef, type UpscalerHandle } from '../../src/runtime/handles.ts';
import { defineNode } from '../define.ts';

export { isUpscalerHandle, type UpscalerHandle } from '../../src/runtime/handles.ts';

/** Splits `…/dir/name.onnx` into the package folder (or base URL) and the file name. */
export function splitModelSource(source: string): { base: string; file: string } {
  const trimmed = source.trim();
  if (!trimmed) throw new Error('no upscaler model given (the `source` param is empty)');
  const isUrl = /^https?:\/\//i.test(trimmed);
  const cut = trimmed.lastIndexOf('/');
  const file = trimmed.slice(cut + 1);
  if (!file) throw new Error(`"${trimmed}" names a folder; give the path of the .onnx file`);
  let base = cut < 0 ? '.' : trimmed.slice(0, cut) || '/';
  if (isUrl) base += '/';
  else if (!base.startsWith('/') && !base.startsWith('.') && !base.startsWith('file:')) base = `./${base}`;
  return { base, file };
}

const fixedDim = (d: unknown) => (typeof d === 'number' && d > 0 ? d : undefined);

export const modelLoadUpscaler = defineNode({
  type: 'model/load-upscaler',
  needsRuntime: true,
  version: 1,
  title: 'Load upscaler',
  category: 'model',
  description: 'An ESRGAN-style ONNX upscaler (image → image, scale found by a probe run) from a path or URL.',
  inputs: {},
  outputs: { upscaler: { type: 'UPSCALER' } },
  params: {
    source: {
      kind: 'string',
      default: '',
      label: 'Model file',
      placeholder: 'models/4x-upscaler.onnx or https://…/model.onnx',
    },
  },
  async run(ctx, _inputs, params) {
    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    const { base, file } = splitModelSource(String(params.source));
    const pkg = await runtime.openPackage({ source: base }, `${ctx.nodeId}.source`);
    const model = packageFileRef(pkg, file);
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
