import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import { latentPreview, latentToRgbPreview, SD15_LATENT_RGB_FACTORS } from '../../nodes/latent/preview.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const ctx = { nodeId: 'preview', signal: new AbortController().signal } as RunContext;

describe('latent/preview', () => {
  it('maps each latent pixel through the SD 1.x factors, then [-1, 1] → [0, 1]', () => {
    // One pixel: latent (1, 0, 0, 0) → RGB = row 0 of the factors; (0, 0, 0, 1) → row 3.
    const latent = Tensor.float32([1, 4, 1, 2], [1, 0, 0, 0, 0, 0, 0, 1]);
    const rgb = latentToRgbPreview(latent);
    expect(rgb.shape).toEqual([1, 3, 1, 2]);
    for (let c = 0; c < 3; c++) {
      expect(rgb.data[c * 2]).toBeCloseTo((SD15_LATENT_RGB_FACTORS[0][c] + 1) / 2, 6);
      expect(rgb.data[c * 2 + 1]).toBeCloseTo((SD15_LATENT_RGB_FACTORS[3][c] + 1) / 2, 6);
    }
    // Hand-computed: R of (1, 0, 0, 0) = (0.3512 + 1) / 2.
    expect(rgb.data[0]).toBeCloseTo(0.6756, 6);
  });

  it('is linear in the latent and clamps to [0, 1]', () => {
    const a = Tensor.float32([1, 4, 1, 1], [0.1, -0.2, 0.3, 0.05]);
    const b = Tensor.float32([1, 4, 1, 1], [0.2, -0.4, 0.6, 0.1]);
    const ra = latentToRgbPreview(a).data;
    const rb = latentToRgbPreview(b).data;
    for (let c = 0; c < 3; c++) expect(rb[c] - 0.5).toBeCloseTo(2 * (ra[c] - 0.5), 6);
    const huge = latentToRgbPreview(Tensor.float32([1, 4, 1, 1], [50, 50, 50, -50])).data;
    expect([...huge]).toEqual([1, 1, 1]);
  });

  it('enlarges by nearest neighbour in the node and keeps the batch', async () => {
    const latent = Tensor.float32([2, 4, 2, 3], Array.from({ length: 48 }, (_, i) => Math.sin(i)));
    const out = (await (latentPreview as NodeDefinition).run(ctx, { latent: { samples: latent } }, { upscale: '8' })) as {
      image: Tensor<'float32'>;
    };
    expect(out.image.shape).toEqual([2, 3, 16, 24]);
    const small = latentToRgbPreview(latent);
    // Pixel (y=9, x=17) of batch 1, green, comes from latent cell (1, 2).
    expect(out.image.data[((1 * 3 + 1) * 16 + 9) * 24 + 17]).toBe(small.data[((1 * 3 + 1) * 2 + 1) * 3 + 2]);
  });

  it('rejects a latent without 4 channels, saying what it got', () => {
    expect(() => latentToRgbPreview(Tensor.zeros([1, 16, 2, 2]))).toThrow(/\[B, 4, H, W\] latent, got \[1, 16, 2, 2\]/);
  });
});
