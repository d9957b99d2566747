/**
 * `image/upscale-model`: runs an ESRGAN-style ONNX upscaler on an image batch, tile by tile with
 * overlap and feathered blending (src/tensor/tiling.ts) so large images fit in memory. The scale
 * factor is found by running the model once on a small probe tile.
 */
import { requireRuntime } from '../../src/runtime/runtime.ts';
import type { ModelSession } from '../../src/runtime/types.ts';
import { checkAllocation, Tensor } from '../../src/tensor/tensor.ts';
import { cropTopLeft, extractTile, padToAtLeast, runTiled } from '../../src/tensor/tiling.ts';
import { isUpscalerHandle, type UpscalerHandle } from '../../src/runtime/handles.ts';
import { defineNode } from '../define.ts';

/** Edge of the probe tile used to measure the scale factor on models with free input sizes. */
const PROBE_SIZE = 16;

async function runModel(session: ModelSession, handle: UpscalerHandle, tile: Tensor<'float32'>, nodeId: string, signal: AbortSignal) {
  const outputs = await session.run({ [handle.inputName]: tile }, { nodeId, outputs: [handle.outputName], signal });
  const result = outputs[handle.outputName];
  if (result.dtype !== 'float32') throw new Error(`upscaler output \`${handle.outputName}\` is ${result.dtype}, expected a float tensor`);
  return result as Tensor<'float32'>;
}

/** Integer scale of the model, from one probe run; throws when the output is not s·h × s·w. */
export async function probeScale(
  model: (tile: Tensor<'float32'>) => Promise<Tensor<'float32'>>,
  image: Tensor<'float32'>,
  probeH: number,
  probeW: number,
): Promise<number> {
  const probe = extractTile(image, 0, { y: 0, x: 0, h: probeH, w: probeW });
  const out = await model(probe);
  const [, , oh, ow] = out.shape;
  const scale = oh / probeH;
  if (out.shape.length !== 4 || !Number.isInteger(scale) || scale < 1 || ow !== scale * probeW) {
    throw new Error(
      `the model turned a ${probeW}×${probeH} probe tile into [${out.shape.join(', ')}]; an upscaler must give [1, C, s·${probeH}, s·${probeW}] for an integer s`,
    );
  }
  return scale;
}

export const imageUpscaleModel = defineNode({
  type: 'image/upscale-model',
  needsRuntime: true,
  version: 1,
  title: 'Upscale image (model)',
  category: 'image',
  description: 'Upscale with an ONNX upscaler (ESRGAN and the like), tiled with overlap so large images fit in memory.',
  inputs: { upscaler: { type: 'UPSCALER' }, image: { type: 'IMAGE' } },
  outputs: { image: { type: 'IMAGE' } },
  params: {
    tile_size: {
      kind: 'int',
      default: 512,
      min: 0,
      max: 4096,
      step: 32,
      label: 'Tile size',
      description: 'Input pixels per tile edge; 0 runs the whole image at once. Models with a fixed input size use theirs.',
    },
    overlap: { kind: 'int', default: 32, min: 0, max: 512, step: 8, description: 'Input pixels shared by neighbouring tiles.' },
  },
  async run(ctx, inputs, params) {
    const where = `image/upscale-model (node "${ctx.nodeId}")`;
    const handle = inputs.upscaler;
    if (!isUpscalerHandle(handle)) throw new Error(`${where}: input \`upscaler\` is not an UPSCALER (connect model/load-upscaler)`);
    const image = inputs.image;
    if (!image || image.shape.length !== 4 || image.shape[1] !== 3) {
      throw new Error(`${where}: input \`image\` must be [B, 3, H, W], got ${image ? `[${image.shape.join(', ')}]` : 'none'}`);
    }
    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    const session = await runtime.session(handle.model, { nodeId: ctx.nodeId });
    const model = (tile: Tensor<'float32'>) => runModel(session, handle, tile, ctx.nodeId, ctx.signal);

    const [, , height, width] = image.shape;
    let tileH = params.tile_size > 0 ? params.tile_size : Math.max(height, width);
    let tileW = tileH;
    if (handle.fixedTile) {
      tileH = handle.fixedTile.height;
      tileW = handle.fixedTile.width;
    }
    // An image smaller than a fixed tile is edge-padded to it and cropped afterwards.
    const padded = padToAtLeast(image, handle.fixedTile ? tileH : 1, handle.fixedTile ? tileW : 1);
    const probeH = handle.fixedTile ? tileH : Math.min(PROBE_SIZE, height);
    const probeW = handle.fixedTile ? tileW : Math.min(PROBE_SIZE, width);
    let scale: number;
    try {
      scale = await probeScale(model, padded, probeH, probeW);
    } catch (err) {
      throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
    // The tiled result is [B, 3, s·H', s·W'] for the padded size, kept until the crop.
    checkAllocation([padded.shape[0], 3, padded.shape[2] * scale, padded.shape[3] * scale], 'float32', where);
    const overlap = Math.min(params.overlap, Math.min(tileH, tileW) - 1);
    const upscaled = await runTiled(
      padded,
      {
        tileSize: tileH,
        tileWidth: tileW,
        overlap: Math.max(0, overlap),
        scale,
        signal: ctx.signal,
        onTile: (done, total) => ctx.progress(done, total),
      },
      model,
    );
    const cropped = cropTopLeft(upscaled, height * scale, width * scale);
    const d = cropped.data;
    for (let i = 0; i < d.length; i++) d[i] = d[i] < 0 ? 0 : d[i] > 1 ? 1 : d[i];
    return { image: cropped };
  },
});
