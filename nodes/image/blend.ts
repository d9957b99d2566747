/**
 * `image/blend`: mixes image B into image A with a blend mode, by a factor and an optional mask,
 * as ComfyUI's "Image Blend": out = A·(1 − f·m) + mode(A, B)·f·m. B (and the mask) are resized
 * to A's size (bilinear) when they differ; a batch of 1 is repeated over the other's batch.
 */
import { Tensor } from '../../src/tensor/tensor.ts';
import { resizeTensor } from '../../src/tensor/resample.ts';
import { defineNode } from '../define.ts';

export const BLEND_MODES = ['normal', 'multiply', 'screen', 'overlay', 'soft-light', 'difference', 'add'] as const;
export type BlendMode = (typeof BLEND_MODES)[number];

/** The blend function on one channel value pair, inputs in [0, 1]. */
export function blendValue(mode: BlendMode, a: number, b: number): number {
  switch (mode) {
    case 'normal':
      return b;
    case 'multiply':
      return a * b;
    case 'screen':
      return 1 - (1 - a) * (1 - b);
    case 'overlay':
      return a <= 0.5 ? 2 * a * b : 1 - 2 * (1 - a) * (1 - b);
    case 'soft-light': {
      // The W3C compositing formula (as in CSS and ComfyUI).
      if (b <= 0.5) return a - (1 - 2 * b) * a * (1 - a);
      const d = a <= 0.25 ? ((16 * a - 12) * a + 4) * a : Math.sqrt(a);
      return a + (2 * b - 1) * (d - a);
    }
    case 'difference':
      return Math.abs(a - b);
    case 'add':
      return Math.min(1, a + b);
    default:
      throw new Error(`unknown blend mode "${String(mode)}"`);
  }
}

function fitTo(t: Tensor<'float32'>, height: number, width: number): Tensor<'float32'> {
  const [, , h, w] = t.shape;
  return h === height && w === width ? t : resizeTensor(t, height, width, { mode: 'bilinear' });
}

function batchOf(t: Tensor<'float32'>, what: string, batch: number): number {
  const b = t.shape[0];
  if (b !== batch && b !== 1) throw new Error(`image/blend: ${what} has batch ${b}, which cannot pair with batch ${batch}`);
  return b;
}

export const imageBlend = defineNode({
  type: 'image/blend',
  version: 1,
  title: 'Blend images',
  category: 'image',
  description: 'Blend image B over A (normal, multiply, screen, overlay, soft light, difference, add) by a factor and optional mask.',
  inputs: {
    image_a: { type: 'IMAGE', label: 'A (base)' },
    image_b: { type: 'IMAGE', label: 'B (blend)' },
    mask: { type: 'MASK', optional: true, description: 'Where to blend (1) and where to keep A (0).' },
  },
  outputs: { image: { type: 'IMAGE' } },
  params: {
    mode: { kind: 'enum', options: BLEND_MODES, default: 'normal' },
    factor: { kind: 'float', default: 0.5, min: 0, max: 1, step: 0.01 },
  },
  run(_ctx, inputs, params) {
    const a = inputs.image_a;
    for (const [name, t] of [['image_a', a], ['image_b', inputs.image_b]] as const) {
      if (!t || t.shape.length !== 4) throw new Error(`image/blend: input \`${name}\` must be [B, C, H, W]`);
    }
    const [batchA, channels, height, width] = a.shape;
    const b = fitTo(inputs.image_b, height, width);
    if (b.shape[1] !== channels) {
      throw new Error(`image/blend: image_a has ${channels} channels but image_b has ${b.shape[1]}`);
    }
    const batch = Math.max(batchA, b.shape[0]);
    const stepA = batchOf(a, 'image_a', batch) === 1 ? 0 : 1;
    const stepB = batchOf(b, 'image_b', batch) === 1 ? 0 : 1;
    const mask = inputs.mask ? fitTo(inputs.mask, height, width) : undefined;
    const stepM = mask ? (batchOf(mask, 'mask', batch) === 1 ? 0 : 1) : 0;
    const mode = params.mode as BlendMode;
    const plane = height * width;
    const out = new Float32Array(batch * channels * plane);
    for (let n = 0; n < batch; n++) {
      for (let c = 0; c < channels; c++) {
        const oa = (n * stepA * channels + c) * plane;
        const ob = (n * stepB * channels + c) * plane;
        const oo = (n * channels + c) * plane;
        for (let p = 0; p < plane; p++) {
          const f = params.factor * (mask ? mask.data[n * stepM * plane + p] : 1);
          const va = a.data[oa + p];
          out[oo + p] = va * (1 - f) + blendValue(mode, va, b.data[ob + p]) * f;
        }
      }
    }
    return { image: new Tensor('float32', [batch, channels, height, width], out) };
  },
});
