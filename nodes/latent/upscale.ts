/**
 * `latent/upscale`: resizes a latent batch (and its noise mask) by a factor or to a pixel size,
 * as ComfyUI's "Upscale Latent" / "Upscale Latent By" do (sizes in image pixels, ÷ 8 for the
 * latent; a 0 width or height keeps the aspect ratio; a factor gives round(side · factor)).
 * Interpolation follows PyTorch's F.interpolate to that size.
 */
import { checkAllocation, type Tensor } from '../../src/tensor/tensor.ts';
import { resizeTensor, type ResampleMode } from '../../src/tensor/resample.ts';
import { centerCropToAspect } from '../../src/tensor/ops.ts';
import { defineNode } from '../define.ts';

/** Pixels per latent cell for SD-family VAEs. */
const LATENT_DOWNSCALE = 8;

/** Latent size for a requested pixel size; 0 in one dimension follows the other's ratio. */
export function latentTargetSize(
  latentH: number,
  latentW: number,
  pixelWidth: number,
  pixelHeight: number,
): { height: number; width: number } {
  if (pixelWidth <= 0 && pixelHeight <= 0) {
    throw new Error('latent/upscale: width and height are both 0; set at least one');
  }
  let width = Math.floor(pixelWidth / LATENT_DOWNSCALE);
  let height = Math.floor(pixelHeight / LATENT_DOWNSCALE);
  if (pixelWidth <= 0) width = Math.max(1, Math.round((height * latentW) / latentH));
  if (pixelHeight <= 0) height = Math.max(1, Math.round((width * latentH) / latentW));
  if (width < 1 || height < 1) {
    throw new Error(`latent/upscale: ${pixelWidth}×${pixelHeight} pixels is smaller than one latent cell (${LATENT_DOWNSCALE} px)`);
  }
  return { height, width };
}

function roundedSize(side: number, factor: number): number {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new Error(`latent/upscale: scale must be a positive number, got ${factor}`);
  return Math.max(1, Math.round(side * factor));
}

function resizeMask(mask: Tensor<'float32'>, fromH: number, fromW: number, toH: number, toW: number): Tensor<'float32'> {
  const mh = mask.shape[mask.shape.length - 2];
  const mw = mask.shape[mask.shape.length - 1];
  // A mask may be at latent or image resolution; keep its ratio to the latent.
  const outH = Math.max(1, Math.round((mh * toH) / fromH));
  const outW = Math.max(1, Math.round((mw * toW) / fromW));
  return resizeTensor(mask, outH, outW, { mode: 'bilinear' });
}

export const latentUpscale = defineNode({
  type: 'latent/upscale',
  version: 1,
  title: 'Upscale latent',
  category: 'latent',
  description: 'Resize a latent by a factor or to an image size (nearest-exact, nearest, bilinear, area, bicubic).',
  inputs: { latent: { type: 'LATENT' } },
  outputs: { latent: { type: 'LATENT' } },
  params: {
    method: { kind: 'enum', options: ['nearest-exact', 'nearest', 'bilinear', 'area', 'bicubic'], default: 'nearest-exact' },
    by: { kind: 'enum', options: ['scale', 'size'], default: 'scale', label: 'Resize by' },
    scale: { kind: 'float', default: 1.5, min: 0.01, max: 8, step: 0.05 },
    width: { kind: 'int', default: 1024, min: 0, max: 16384, step: 8, description: 'Image pixels; 0 keeps the aspect ratio.' },
    height: { kind: 'int', default: 1024, min: 0, max: 16384, step: 8, description: 'Image pixels; 0 keeps the aspect ratio.' },
    crop: {
      kind: 'enum', options: ['disabled', 'center'], default: 'disabled',
      description: "By size: center first crops to the target's aspect ratio, then resizes (ComfyUI's crop \"center\").",
    },
  },
  run(ctx, inputs, params) {
    const samples = inputs.latent?.samples;
    if (!samples || samples.shape.length !== 4) {
      throw new Error(`latent/upscale: input \`latent\` must hold a [B, C, H, W] tensor, got ${samples ? `[${samples.shape.join(', ')}]` : 'none'}`);
    }
    const [, , h, w] = samples.shape;
    const mode = params.method as ResampleMode;
    // As ComfyUI's "Upscale Latent By": the size is round(side · factor), then resized to that size.
    const target =
      params.by === 'scale'
        ? { height: roundedSize(h, params.scale), width: roundedSize(w, params.scale) }
        : latentTargetSize(h, w, params.width, params.height);
    checkAllocation([samples.shape[0], samples.shape[1], target.height, target.width], 'float32', `latent/upscale (node "${ctx.nodeId}")`);
    const crop = params.by === 'size' && params.crop === 'center';
    const source = crop ? centerCropToAspect(samples, target.width, target.height) : samples;
    const resized = resizeTensor(source, target.height, target.width, { mode });
    const mask = inputs.latent.noiseMask && crop ? centerCropToAspect(inputs.latent.noiseMask, target.width, target.height) : inputs.latent.noiseMask;
    const noiseMask = mask
      ? resizeMask(mask, source.shape[2], source.shape[3], target.height, target.width)
      : undefined;
    return { latent: noiseMask ? { samples: resized, noiseMask } : { samples: resized } };
  },
});
