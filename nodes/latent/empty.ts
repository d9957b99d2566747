/**
 * `latent/empty`: a batch of zero latents for an image size (ComfyUI's "Empty Latent Image"):
 * [batch, channels, height / downscale, width / downscale], sizes floored as ComfyUI does.
 */
import { checkAllocation, Tensor } from '../../src/tensor/tensor.ts';
import { defineNode } from '../define.ts';

export interface LatentSizeParams {
  width: number;
  height: number;
  batch: number;
  channels: number;
  downscale: number;
}

/** [B, C, H / downscale, W / downscale], with a clear error naming the node for bad sizes. */
export function latentShape(nodeId: string, type: string, p: LatentSizeParams): number[] {
  for (const key of ['width', 'height', 'batch', 'channels', 'downscale'] as const) {
    if (!Number.isInteger(p[key]) || p[key] < 1) {
      throw new Error(`${type} (node "${nodeId}"): param \`${key}\` must be a positive integer, got ${p[key]}`);
    }
  }
  const h = Math.floor(p.height / p.downscale);
  const w = Math.floor(p.width / p.downscale);
  if (h < 1 || w < 1) {
    throw new Error(`${type} (node "${nodeId}"): ${p.width}×${p.height} pixels is smaller than one latent cell of ${p.downscale} px`);
  }
  return [p.batch, p.channels, h, w];
}

export const latentEmpty = defineNode({
  type: 'latent/empty',
  version: 1,
  title: 'Empty latent',
  category: 'latent',
  description: 'A batch of all-zero latents sized for an image (pixels ÷ downscale).',
  inputs: {},
  outputs: { latent: { type: 'LATENT' } },
  params: {
    width: { kind: 'int', default: 512, min: 8, max: 16384, step: 8 },
    height: { kind: 'int', default: 512, min: 8, max: 16384, step: 8 },
    batch: { kind: 'int', default: 1, min: 1, max: 64 },
    channels: { kind: 'int', default: 4, min: 1, max: 64 },
    downscale: { kind: 'int', default: 8, min: 1, max: 64, description: 'Pixels per latent cell (8 for SD VAEs).' },
  },
  run(ctx, _inputs, params) {
    const shape = latentShape(ctx.nodeId, 'latent/empty', params);
    checkAllocation(shape, 'float32', `latent/empty (node "${ctx.nodeId}")`);
    return { latent: { samples: Tensor.zeros(shape) } };
  },
});
