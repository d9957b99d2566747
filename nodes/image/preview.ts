import { defineNode } from '../define.ts';
import { encodeImageBatch } from './encodeBatch.ts';

/** Shows images in the editor: the result holds one PNG per image of the batch. */
export const imagePreview = defineNode({
  type: 'image/preview',
  version: 1,
  title: 'Preview Image',
  category: 'image',
  description: 'Shows the images in the editor (PNG bytes in the result; nothing is written).',
  isOutput: true,
  inputs: { images: { type: 'IMAGE', label: 'Images' } },
  outputs: {},
  params: {},
  run(ctx, inputs) {
    const [, , height, width] = inputs.images.shape.length === 4 ? inputs.images.shape : [1, ...inputs.images.shape];
    return { png: encodeImageBatch(inputs.images, undefined, ctx.signal, `image/preview (node "${ctx.nodeId}")`), width, height };
  },
});
