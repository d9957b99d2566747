/**
 * `image/resize`: resizes an image batch by a factor or to a size. Modes: lanczos (PIL, a = 3,
 * antialiased), bicubic (PyTorch `F.interpolate(mode='bicubic', align_corners=False)`, a = −0.75),
 * bilinear (PyTorch, align_corners=False), area (PyTorch adaptive average), nearest-exact and
 * nearest (PyTorch) — the methods of ComfyUI's image scale nodes; see src/tensor/resample.ts.
 */
import { checkAllocation, Tensor } from '../../src/tensor/tensor.ts';
import { resizeTensor, type ResampleMode } from '../../src/tensor/resample.ts';
import { centerCropToAspect } from '../../src/tensor/ops.ts';
import { defineNode } from '../define.ts';

/** Target size; a 0 width or height follows the other with the image's aspect ratio. */
export function imageTargetSize(
  height: number,
  width: number,
  targetWidth: number,
  targetHeight: number,
): { height: number; width: number } {
  if (targetWidth <= 0 && targetHeight <= 0) throw new Error('image/resize: width and height are both 0; set at least one');
  const w = targetWidth > 0 ? targetWidth : Math.max(1, Math.round((targetHeight * width) / height));
  const h = targetHeight > 0 ? targetHeight : Math.max(1, Math.round((targetWidth * height) / width));
  return { height: h, width: w };
}

function clamp01(t: Tensor<'float32'>): Tensor<'float32'> {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] < 0 ? 0 : d[i] > 1 ? 1 : d[i];
  return t;
}

export const imageResize = defineNode({
  type: 'image/resize',
  version: 1,
  title: 'Resize image',
  category: 'image',
  description: 'Resize by a factor or to a width/height (0 keeps the aspect ratio): lanczos, bicubic, bilinear, area, nearest.',
  inputs: { image: { type: 'IMAGE' } },
  outputs: { image: { type: 'IMAGE' } },
  params: {
    method: { kind: 'enum', options: ['lanczos', 'bicubic', 'bilinear', 'area', 'nearest-exact', 'nearest'], default: 'lanczos' },
    by: { kind: 'enum', options: ['size', 'scale'], default: 'size', label: 'Resize by' },
    width: { kind: 'int', default: 1024, min: 0, max: 16384, step: 8, description: '0 keeps the aspect ratio.' },
    height: { kind: 'int', default: 0, min: 0, max: 16384, step: 8, description: '0 keeps the aspect ratio.' },
    scale: { kind: 'float', default: 2, min: 0.01, max: 16, step: 0.05 },
    crop: {
      kind: 'enum', options: ['disabled', 'center'], default: 'disabled',
      description: "By size: center first crops to the target's aspect ratio, then resizes (ComfyUI's crop \"center\").",
    },
    clamp: {
      kind: 'boolean',
      default: true,
      description: 'Clip to [0, 1] (bicubic and lanczos overshoot at sharp edges).',
    },
  },
  run(ctx, inputs, params) {
    const image = inputs.image;
    if (!image || image.shape.length !== 4) {
      throw new Error(`image/resize: input \`image\` must be a [B, C, H, W] tensor, got ${image ? `[${image.shape.join(', ')}]` : 'none'}`);
    }
    const [b, c, h, w] = image.shape;
    const mode = params.method as ResampleMode;
    let target: { height: number; width: number };
    if (params.by === 'scale') {
      // As ComfyUI's "Upscale Image By": round(side · factor), then resized to that size.
      const side = (n: number) => {
        if (!(params.scale > 0) || !Number.isFinite(params.scale)) throw new Error(`image/resize: scale must be a positive number, got ${params.scale}`);
        return Math.max(1, Math.round(n * params.scale));
      };
      target = { height: side(h), width: side(w) };
    } else {
      target = imageTargetSize(h, w, params.width, params.height);
    }
    checkAllocation([b, c, target.height, target.width], 'float32', `image/resize (node "${ctx.nodeId}")`);
    const source = params.by === 'size' && params.crop === 'center' ? centerCropToAspect(image, target.width, target.height) : image;
    const out = resizeTensor(source, target.height, target.width, { mode });
    return { image: params.clamp ? clamp01(out) : out };
  },
});
