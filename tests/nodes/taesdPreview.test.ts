/**
 * Live zone previews decoded with a TAESD (real TAEF2 weights from ../shared/data/taesd) wired
 * into the repeat-output's `preview_vae`: the previews are what `vae/decode` gives for the
 * carried latent; without a preview VAE the linear latent → RGB preview is used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createEngine, type Engine } from '../../src/engine/index.ts';
import type { EngineEvent } from '../../src/engine/events.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime, REPO_ROOT } from '../../src/runtime/node/index.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import type { LatentValue } from '../../nodes/types.ts';
import { latentToRgbPreview } from '../../nodes/latent/preview.ts';
import { cliServices } from '../../src/cli/services.ts';
import { createZonePreview, toRgbaPreview } from '../../src/worker/preview.ts';
import { graph } from './modelGraph.ts';

const DATA = resolve(REPO_ROOT, '..', 'shared', 'data');
const TAESD = join(DATA, 'taesd');
const PHOTO = join(DATA, 'vaelight', 'example1.jpg');
const present = existsSync(join(TAESD, 'taef2_decoder.pth')) && existsSync(join(TAESD, 'taef2_encoder.pth')) && existsSync(PHOTO);
if (!present && process.env.CI) throw new Error(`TAEF2 reference data missing at ${TAESD}; CI needs ../shared/data`);
if (!present) console.warn(`SKIP tests/nodes/taesdPreview.test.ts: TAEF2 data not found at ${TAESD}`);

type Progress = Extract<EngineEvent, { type: 'node-progress' }>;
type PreviewTensor = { shape: number[]; data: Float32Array };

/** photo → 64 px → TAEF2 encode ([1, 32, 8, 8]) → a 3-iteration zone carrying it → vae/decode. */
function zoneGraph(opts: { previewVae: boolean; count?: number; latent4?: boolean }): GraphDocument {
  const state = [{ name: 'latent', type: 'LATENT' }];
  const doc = graph({}, [
    ['img', 'image/load', { source: PHOTO }],
    ['small', 'image/resize', { by: 'size', width: 64, height: 64, method: 'area' }],
    ['vae', 'vae/load', { encoder: join(TAESD, 'taef2_encoder.pth'), decoder: join(TAESD, 'taef2_decoder.pth') }],
    ['enc', 'vae/encode', {}],
    ['empty', 'latent/empty', { width: 64, height: 64, batch: 1, channels: 4 }],
    ['count', 'const/int', { value: opts.count ?? 3 }],
    ['rin', 'flow/repeat-input', { state }],
    ['scale', 'latent/scale', { factor: 1 }],
    ['rout', 'flow/repeat-output', { state }],
    ['dec', 'vae/decode', {}],
  ], [
    ['img.image', 'small.image'],
    ['small.image', 'enc.image'],
    ['vae.vae', 'enc.vae'],
    [opts.latent4 ? 'empty.latent' : 'enc.latent', 'rin.latent'],
    ['count.value', 'rin.count'],
    ['rin.latent', 'scale.latent'],
    ['scale.latent', 'rout.latent'],
    ...(opts.previewVae ? ([['vae.vae', 'rout.preview_vae']] as [string, string][]) : []),
    ['vae.vae', 'dec.vae'],
    ['rout.latent', 'dec.latent'],
  ]);
  for (const node of doc.nodes) if (['rin', 'scale', 'rout'].includes(node.id)) node.zone = 'loop';
  return doc;
}

describe.skipIf(!present)('zone previews decoded with TAEF2 (real weights)', () => {
  let runtime: Runtime;
  let engine: Engine;
  beforeAll(() => {
    runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 2 }) });
    engine = createEngine({ registry: defaultRegistry(), services: { ...cliServices('/tmp/ll-taesd-out', runtime, { allowPaths: [DATA] }) } });
  });
  afterAll(() => runtime.release());

  const run = async (doc: GraphDocument, zonePreview = createZonePreview(() => runtime), outputs = ['dec', 'rout']) => {
    const events: Progress[] = [];
    const result = await engine.run(doc, {
      outputs,
      zonePreview,
      onEvent: (e) => void (e.type === 'node-progress' && e.zone !== undefined && e.preview !== undefined && events.push(e)),
    });
    return { result, previews: events };
  };

  it('previews each iteration with vae/decode of the carried latent, at the decoded size', async () => {
    const { result, previews } = await run(zoneGraph({ previewVae: true }));
    expect(result.error).toBeUndefined();
    expect((result.outputs.rout.latent as LatentValue).samples.shape).toEqual([1, 32, 8, 8]);
    const decoded = result.outputs.dec.image as Tensor<'float32'>;
    expect(decoded.shape).toEqual([1, 3, 64, 64]);
    expect(previews.length).toBeGreaterThan(0);
    expect(previews.at(-1)?.previewIteration).toBe(3);
    for (const p of previews) {
      const t = p.preview as PreviewTensor;
      expect(t.shape).toEqual([1, 3, 64, 64]);
      let worst = 0;
      for (let i = 0; i < decoded.size; i++) worst = Math.max(worst, Math.abs(t.data[i] - decoded.data[i]));
      expect(worst).toBeLessThanOrEqual(1 / 512);
      const rgba = toRgbaPreview(p.preview)!;
      expect([rgba.width, rgba.height, rgba.data.length]).toEqual([64, 64, 64 * 64 * 4]);
    }
    // Preview cost: the same zone with and without the TAESD previews (sessions warm).
    const count = 20;
    const t0 = performance.now();
    await run(zoneGraph({ previewVae: true, count }));
    const t1 = performance.now();
    await run(zoneGraph({ previewVae: false, count }));
    const t2 = performance.now();
    console.log(`[preview] TAEF2 8×8 → 64 px previews: ${((t1 - t0 - (t2 - t1)) / count).toFixed(2)} ms per iteration over ${count}`);
  }, 120_000);

  it('without a preview VAE the linear latent → RGB preview is used', async () => {
    const { result, previews } = await run(zoneGraph({ previewVae: false, latent4: true }), undefined, ['rout']);
    expect(result.error).toBeUndefined();
    expect(previews.map((p) => p.iteration)).toEqual([1, 2, 3]);
    const linear = latentToRgbPreview((result.outputs.rout.latent as LatentValue).samples);
    for (const p of previews) {
      expect(p.previewIteration).toBeUndefined();
      expect((p.preview as PreviewTensor).shape).toEqual([1, 3, 8, 8]);
      expect(Array.from((p.preview as PreviewTensor).data)).toEqual(Array.from(linear.data));
    }
  }, 60_000);

  it('a preview decoder that fails does not fail the run', async () => {
    const broken = createZonePreview(() => ({
      ...runtime,
      session: () => Promise.reject(new Error('preview decoder broke')),
    }) as Runtime);
    const { result, previews } = await run(zoneGraph({ previewVae: true }), broken);
    expect(result.error).toBeUndefined();
    expect((result.outputs.dec.image as Tensor<'float32'>).shape).toEqual([1, 3, 64, 64]);
    expect(previews).toEqual([]);
  }, 60_000);
});
