/**
 * `image/load`: an image file or URL → IMAGE, plus a MASK from its alpha channel with ComfyUI's
 * meaning (1 where the image is transparent, i.e. the area to inpaint; all 0 when opaque).
 */
import { Tensor } from '../../src/tensor/tensor.ts';
import { servicesOf } from '../services.ts';
import { defineNode } from '../define.ts';
import type { NodeServices } from '../services.ts';
import { decodeImageBytes, localImageStamp, readImageBytes } from './decode.ts';

export const imageLoad = defineNode({
  type: 'image/load',
  version: 1,
  title: 'Load image',
  category: 'image',
  description: 'Load a PNG or JPEG (any format in the browser) from a file, URL or data: URL; mask = transparency.',
  inputs: {},
  outputs: {
    image: { type: 'IMAGE' },
    mask: { type: 'MASK', description: '1 where the image is transparent (1 − alpha); 0 everywhere when opaque.' },
    width: { type: 'INT' },
    height: { type: 'INT' },
  },
  params: {
    source: { kind: 'image', default: '', label: 'Image', description: 'Path (Node), http(s) URL or data: URL.' },
  },
  // A local file can change on disk under the same path: its stamp is part of the identity.
  signatureExtra: (params, services) => localImageStamp(String(params.source), (services ?? {}) as NodeServices),
  async run(ctx, _inputs, params) {
    const source = String(params.source);
    const label = source.startsWith('data:') ? 'data: URL' : source;
    let decoded;
    try {
      decoded = await decodeImageBytes(await readImageBytes(source, servicesOf(ctx), ctx.signal), label);
    } catch (err) {
      throw new Error(`image/load (node "${ctx.nodeId}"): ${err instanceof Error ? err.message : String(err)}`);
    }
    const [, , height, width] = decoded.image.shape;
    const mask = Tensor.zeros([1, 1, height, width]);
    if (decoded.alpha) for (let i = 0; i < mask.size; i++) mask.data[i] = 1 - decoded.alpha.data[i];
    return { image: decoded.image, mask, width, height };
  },
});
