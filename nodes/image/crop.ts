/**
 * `image/crop`: a width × height rectangle at (x, y) of every image in a batch. As ComfyUI's
 * "ImageCrop", the origin is clamped into the image and the size to what remains.
 */
import { Tensor } from '../../src/tensor/tensor.ts';
import { defineNode } from '../define.ts';

export function cropRect(
  height: number,
  width: number,
  rect: { x: number; y: number; width: number; height: number },
): { x: number; y: number; width: number; height: number } {
  const x = Math.min(Math.max(0, Math.floor(rect.x)), width - 1);
  const y = Math.min(Math.max(0, Math.floor(rect.y)), height - 1);
  return { x, y, width: Math.max(1, Math.min(rect.width, width - x)), height: Math.max(1, Math.min(rect.height, height - y)) };
}

export const imageCrop = defineNode({
  type: 'image/crop',
  version: 1,
  title: 'Crop image',
  category: 'image',
  description: 'Cut a rectangle out of an image (or mask) batch.',
  inputs: { image: { type: 'IMAGE' } },
  outputs: { image: { type: 'IMAGE' } },
  params: {
    x: { kind: 'int', default: 0, min: 0, max: 16384 },
    y: { kind: 'int', default: 0, min: 0, max: 16384 },
    width: { kind: 'int', default: 512, min: 1, max: 16384, step: 8 },
    height: { kind: 'int', default: 512, min: 1, max: 16384, step: 8 },
  },
  run(ctx, inputs, params) {
    const image = inputs.image;
    if (!image || image.shape.length !== 4) {
      throw new Error(`image/crop (node "${ctx.nodeId}"): input \`image\` must be [B, C, H, W], got ${image ? `[${image.shape.join(', ')}]` : 'none'}`);
    }
    const [batch, channels, height, width] = image.shape;
    const r = cropRect(height, width, params);
    const out = new Float32Array(batch * channels * r.height * r.width);
    for (let p = 0; p < batch * channels; p++) {
      for (let row = 0; row < r.height; row++) {
        const from = (p * height + r.y + row) * width + r.x;
        out.set(image.data.subarray(from, from + r.width), (p * r.height + row) * r.width);
      }
    }
    return { image: new Tensor('float32', [batch, channels, r.height, r.width], out) };
  },
});
