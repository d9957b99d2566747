/** image/save and image/preview check the PNG encoder's working set against the memory budget. */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeImageBatch } from '../../nodes/image/encodeBatch.ts';
import { setMemoryBudget, Tensor } from '../../src/tensor/tensor.ts';
import { decodePng } from '../../src/tensor/png.ts';

afterEach(() => setMemoryBudget(undefined));

const image = (w: number, h: number) => new Tensor('float32', [1, 3, h, w], new Float32Array(3 * w * h).fill(0.5));

describe('PNG encoding under the memory budget', () => {
  it('refuses an image whose encoding would pass the budget, naming the node and the size', () => {
    setMemoryBudget(64 * 1024);
    // 3 × 128 · (1 + 128·3) bytes = 144.4 KiB of scanlines, filtered rows and deflate output.
    expect(() => encodeImageBatch(image(128, 128), undefined, new AbortController().signal, 'image/save (node "save")')).toThrow(
      'image/save (node "save"): encoding a 128×128 PNG needs 144.4 KiB, over the memory budget of 64.0 KiB',
    );
  });

  it('encodes what fits', () => {
    setMemoryBudget(64 * 1024);
    const [png] = encodeImageBatch(image(32, 32), undefined, new AbortController().signal, 'image/save (node "save")');
    const decoded = decodePng(png);
    expect([decoded.width, decoded.height]).toEqual([32, 32]);
  });
});
