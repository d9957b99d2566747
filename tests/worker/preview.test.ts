import { describe, expect, it } from 'vitest';
import { latentStatePreview, toRgbaPreview } from '../../src/worker/preview.ts';
import { previewObjectUrl, previewToPng } from '../../src/ui/run/images.ts';
import { decodePng } from '../../src/tensor/png.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

/** A [1, 4, 8, 16] latent whose first channel ramps along x (the rest zero). */
function rampLatent(): Tensor<'float32'> {
  const [h, w] = [8, 16];
  const data = new Float32Array(4 * h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = (x / (w - 1)) * 2 - 1;
  return new Tensor('float32', [1, 4, h, w], data);
}

describe('zone previews sent to the page', () => {
  it('are latent-resolution RGBA bytes in a buffer of their own (so it can be transferred)', () => {
    const rgb = latentStatePreview({ zone: 'z', iteration: 1, count: 2, state: { latent: { samples: rampLatent() } }, types: { latent: 'LATENT' } });
    const rgba = toRgbaPreview(rgb)!;
    expect(rgba).toMatchObject({ width: 16, height: 8 });
    expect(rgba.data).toBeInstanceOf(Uint8ClampedArray);
    expect(rgba.data.byteLength).toBe(16 * 8 * 4);
    expect(rgba.data.buffer.byteLength).toBe(16 * 8 * 4);
    expect(rgba.data[3]).toBe(255);
    // Channel 0 feeds red with a positive factor: red grows along the ramp.
    expect(rgba.data[15 * 4]).toBeGreaterThan(rgba.data[0]);
  });

  it('gives nothing for a state without a 4-channel latent', () => {
    expect(latentStatePreview({ zone: 'z', iteration: 1, count: 1, state: { x: 1 }, types: { x: 'FLOAT' } })).toBeUndefined();
    expect(toRgbaPreview(undefined)).toBeUndefined();
    expect(toRgbaPreview({ width: 2, height: 2, data: new Uint8Array(3) })).toBeUndefined();
  });

  it('the editor shows an RGBA preview pixel for pixel (PNG fallback outside the browser)', async () => {
    const rgba = toRgbaPreview(latentStatePreview({ zone: 'z', iteration: 1, count: 1, state: { l: { samples: rampLatent() } }, types: { l: 'LATENT' } }))!;
    const decoded = decodePng(previewToPng(rgba)!);
    expect([decoded.width, decoded.height]).toEqual([16, 8]);
    expect([...decoded.data]).toEqual([...rgba.data]);
    expect(previewToPng({ width: 2, height: 2, data: new Uint8Array(5) })).toBeUndefined();
    const url = await previewObjectUrl(rgba);
    expect(url).toMatch(/^blob:/);
    URL.revokeObjectURL(url!);
  });
});
