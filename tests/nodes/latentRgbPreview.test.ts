/**
 * Live previews by each model package's own latent → RGB map: toy-shapes declares factors fitted
 * to its PCA latents (SD 1.x's give the wrong colours on them), SD 1.x/2.x and SDXL packages get
 * the published factors of their latent space, and the zone preview of a real toy run uses the
 * denoiser's package map: its last preview looks like the decoded picture.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.ts';
import type { EngineEvent } from '../../src/engine/events.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { latentToRgbPreview } from '../../nodes/latent/preview.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime, REPO_ROOT } from '../../src/runtime/node/index.ts';
import { declaredLatentRgb, packageLatentRgb, SD15_LATENT_RGB, SDXL_LATENT_RGB, type LatentRgbMap } from '../../src/runtime/latentRgb.ts';
import type { DenoiserHandle } from '../../src/runtime/handles.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { buildFamily } from '../../src/toy/family.ts';
import { IMAGE_SIZE } from '../../src/toy/dataset.ts';
import { LATENT_CHANNELS, STRIDE } from '../../src/toy/vae.ts';
import { cellMeans, decodedTrainingImage } from '../../src/toy/latentRgbFit.ts';
import { createZonePreview } from '../../src/worker/preview.ts';

const family = buildFamily();
const toyIndex = JSON.parse(readFileSync(join(REPO_ROOT, 'public/models/toy-shapes/model_index.json'), 'utf8'));
const TOY = declaredLatentRgb(toyIndex, 'builtin:toy-shapes')!;
const CELLS = IMAGE_SIZE / STRIDE;

/** Mean |preview − cell-averaged picture| in [0, 1] units over all pixels and channels. */
function previewError(preview: Tensor<'float32'>, picture01: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < picture01.length; i++) sum += Math.abs(preview.data[i] - picture01[i]);
  return sum / picture01.length;
}

function trainingError(map: LatentRgbMap): number {
  let total = 0;
  const n = family.latents.count;
  for (let i = 0; i < n; i++) {
    const latent = new Tensor('float32', [1, LATENT_CHANNELS, CELLS, CELLS], family.latents.points.slice(i * family.latents.dim, (i + 1) * family.latents.dim));
    const target = cellMeans(decodedTrainingImage(family, i), IMAGE_SIZE).map((v) => Math.min(1, Math.max(0, (v + 1) / 2)));
    total += previewError(latentToRgbPreview(latent, map.factors, map.bias), target);
  }
  return total / n;
}

describe('latent → RGB maps per model package', () => {
  it('toy-shapes declares its own factors, which fit its latents far better than SD 1.x\'s', () => {
    expect(TOY.factors).toHaveLength(LATENT_CHANNELS);
    const toy = trainingError(TOY);
    const sd = trainingError(SD15_LATENT_RGB);
    console.log(`[latent rgb] toy-shapes training pictures, mean |preview − decoded| per channel: toy factors ${toy.toFixed(4)}, SD 1.x factors ${sd.toFixed(4)}`);
    expect(toy).toBeLessThan(0.03);
    expect(sd).toBeGreaterThan(5 * toy);
  });

  it('SD 1.x/2.x and SDXL packages get the published factors; a declared map is checked', () => {
    expect(packageLatentRgb({ _class_name: 'StableDiffusionPipeline' }, 'sd15')).toBe(SD15_LATENT_RGB);
    expect(packageLatentRgb(undefined, 'folder')).toBe(SD15_LATENT_RGB);
    expect(packageLatentRgb({ _class_name: 'StableDiffusionXLPipeline' }, 'sdxl')).toBe(SDXL_LATENT_RGB);
    expect(packageLatentRgb({ _class_name: 'CLIPModel' }, 'clip')).toBeUndefined();
    expect(packageLatentRgb(toyIndex, 'toy')).toMatchObject({ factors: TOY.factors, bias: TOY.bias });
    expect(() => declaredLatentRgb({ latent_rgb_factors: [[1, 2]] }, 'pkg-a')).toThrow(/model package pkg-a: model_index\.json latent_rgb_factors must be a list of \[R, G, B\]/);
    expect(() => declaredLatentRgb({ latent_rgb_factors: [[1, 2, 3]], latent_rgb_factors_bias: 'x' }, 'pkg-b')).toThrow(/pkg-b: .*latent_rgb_factors_bias must be \[R, G, B\]/);
    expect(() => declaredLatentRgb({ latent_rgb_factors_bias: [0, 0, 0] }, 'pkg-c')).toThrow(/pkg-c: .*bias but no latent_rgb_factors/);
  });

  it('a toy run previews its loop with toy-shapes\' map: the last preview looks like the decoded picture', async () => {
    const runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
    try {
      const engine = createEngine({ registry: defaultRegistry(), services: { runtime } });
      const doc = JSON.parse(readFileSync(join(REPO_ROOT, 'graphs/toy-txt2img.json'), 'utf8')) as GraphDocument;
      const previews: EngineEvent[] = [];
      const denoisers: unknown[] = [];
      const hook = createZonePreview(() => runtime);
      const result = await engine.run(doc, {
        outputs: ['decode', 'loop_out'],
        zonePreview: (info) => (denoisers.push(info.denoiser), hook(info)),
        onEvent: (e) => void (e.type === 'node-progress' && e.preview !== undefined && previews.push(e)),
      });
      expect(result.error).toBeUndefined();
      expect((denoisers[0] as DenoiserHandle).latentRgb).toMatchObject({ factors: TOY.factors });
      const last = previews.at(-1) as Extract<EngineEvent, { type: 'node-progress' }>;
      const preview = last.preview as Tensor<'float32'>;
      expect(preview.shape).toEqual([1, 3, CELLS, CELLS]);
      const decoded = result.outputs.decode.image as Tensor<'float32'>;
      const target = cellMeans(decoded.data as Float32Array, IMAGE_SIZE);
      const err = previewError(preview, target);
      const latent = (result.outputs.loop_out.latent as { samples: Tensor<'float32'> }).samples;
      const sdErr = previewError(latentToRgbPreview(latent, SD15_LATENT_RGB.factors), target);
      console.log(`[latent rgb] toy-txt2img last live preview vs decoded picture: ${err.toFixed(4)} (SD 1.x factors would give ${sdErr.toFixed(4)})`);
      expect(err).toBeLessThan(0.03);
      expect(sdErr).toBeGreaterThan(5 * err);
    } finally {
      await runtime.release();
    }
  }, 60_000);
});
