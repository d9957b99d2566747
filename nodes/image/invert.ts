/** `image/invert`: 1 − x per channel (images and masks alike). */
import { Tensor } from '../../src/tensor/tensor.ts';
import { defineNode } from '../define.ts';

export const imageInvert = defineNode({
  type: 'image/invert',
  version: 1,
  title: 'Invert image',
  category: 'image',
  description: 'Negative of an image (1 − value); also inverts a mask.',
  inputs: { image: { type: 'IMAGE' } },
  outputs: { image: { type: 'IMAGE' } },
  params: {},
  run(_ctx, inputs) {
    const image = inputs.image;
    if (!image) throw new Error('image/invert: input `image` is missing');
    const out = new Float32Array(image.size);
    for (let i = 0; i < out.length; i++) out[i] = 1 - image.data[i];
    return { image: new Tensor('float32', image.shape, out) };
  },
});
