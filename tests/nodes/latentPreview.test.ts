import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import { latentPreview, latentToRgbPreview, SD15_LATENT_RGB_FACTORS } from '../../nodes/latent/preview.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImageBytes } from '../../nodes/image/decode.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { resizeTensor } from '../../src/tensor/resample.ts';

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

describe('latent/preview on a real SD latent', () => {
  const DATA = join(process.cwd(), '../shared/data/vaelight');
  const present = existsSync(join(DATA, 'VAEencoder.onnx')) && existsSync(join(DATA, 'example1.jpg'));
  if (!present) console.warn(`latent/preview real-latent test skipped: ${DATA} is absent (shared test data)`);

  /** Pearson correlation per RGB channel between two [1, 3, h, w] images. */
  function channelCorrelations(a: Tensor<'float32'>, b: Tensor<'float32'>): number[] {
    const plane = a.shape[2] * a.shape[3];
    return [0, 1, 2].map((c) => {
      const x = a.data.subarray(c * plane, (c + 1) * plane);
      const y = b.data.subarray(c * plane, (c + 1) * plane);
      const mx = x.reduce((s, v) => s + v, 0) / plane;
      const my = y.reduce((s, v) => s + v, 0) / plane;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      for (let i = 0; i < plane; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) ** 2;
        syy += (y[i] - my) ** 2;
      }
      return sxy / Math.sqrt(sxx * syy);
    });
  }

  it.skipIf(!present)('follows the photo the latent encodes (VAElight encoder, latents × 0.18215)', async () => {
    const runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
    try {
      const jpegBytes = new Uint8Array(readFileSync(join(DATA, 'example1.jpg')));
      const photo = resizeTensor((await decodeImageBytes(jpegBytes, 'example1.jpg')).image, 256, 256, { mode: 'lanczos' });
      const pkg = await runtime.openPackage({ source: DATA });
      const session = await runtime.session(await pkg.file('VAEencoder.onnx'));
      const signed = Tensor.float32(photo.shape, Float32Array.from(photo.data, (v) => 2 * v - 1));
      const raw = (await session.run({ input: signed })).latent as Tensor<'float32'>;
      expect(raw.shape).toEqual([1, 4, 32, 32]);
      const latent = Tensor.float32(raw.shape, Float32Array.from(raw.data, (v) => v * 0.18215));
      const reference = resizeTensor(photo, 32, 32, { mode: 'lanczos' });

      const preview = latentToRgbPreview(latent);
      const correlations = channelCorrelations(preview, reference);
      for (const r of correlations) expect(r).toBeGreaterThan(0.8);
      let mae = 0;
      for (let i = 0; i < preview.size; i++) mae += Math.abs(preview.data[i] - reference.data[i]);
      expect(mae / preview.size).toBeLessThan(0.15);

      // Control: the same factors with latent channels in reverse order lose the picture.
      const reversed = latentToRgbPreview(latent, [...SD15_LATENT_RGB_FACTORS].reverse());
      const worst = Math.min(...channelCorrelations(reversed, reference));
      expect(worst).toBeLessThan(0.5);
    } finally {
      await runtime.release();
    }
  });
});
