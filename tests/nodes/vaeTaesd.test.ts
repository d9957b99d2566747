/**
 * TAEF2 checkpoints (real .pth weights from ../shared/data/taesd) as a VAE: `vae/load` converts them
 * to ONNX on load; image/load → vae/encode → vae/decode gives the photo back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import jpeg from 'jpeg-js';
import { createEngine, type Engine } from '../../src/engine/index.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime, REPO_ROOT } from '../../src/runtime/node/index.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { rgbaToImageTensor } from '../../src/tensor/image.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import type { LatentValue } from '../../nodes/types.ts';
import { cliServices } from '../../src/cli/services.ts';
import { graph } from './modelGraph.ts';

const DATA = resolve(REPO_ROOT, '..', 'shared', 'data');
const TAESD = join(DATA, 'taesd');
const PHOTO = join(DATA, 'vaelight', 'example1.jpg');
const present = existsSync(join(TAESD, 'taef2_encoder.pth')) && existsSync(PHOTO);
if (!present && process.env.CI) throw new Error(`TAEF2 reference data missing at ${TAESD}; CI needs ../shared/data`);
if (!present) console.warn(`SKIP tests/nodes/vaeTaesd.test.ts: TAEF2 data not found at ${TAESD}`);

describe.skipIf(!present)('TAEF2 .pth as a VAE (real weights)', () => {
  let runtime: Runtime;
  let engine: Engine;
  beforeAll(() => {
    runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 2 }) });
    engine = createEngine({ registry: defaultRegistry(), services: { ...cliServices('/tmp/ll-taesd-out', runtime, { allowPaths: [DATA] }) } });
  });
  afterAll(() => runtime.release());

  const roundTrip = (decoder = join(TAESD, 'taef2_decoder.pth')) => graph({}, [
    ['img', 'image/load', { source: PHOTO }],
    ['vae', 'vae/load', { encoder: join(TAESD, 'taef2_encoder.pth'), decoder }],
    ['enc', 'vae/encode', {}],
    ['dec', 'vae/decode', {}],
  ], [
    ['img.image', 'enc.image'],
    ['vae.vae', 'enc.vae'],
    ['vae.vae', 'dec.vae'],
    ['enc.latent', 'dec.latent'],
  ]);

  it('image/load → vae/encode → vae/decode round-trips the photo at ≥ 31 dB', async () => {
    const result = await engine.run(roundTrip(), { outputs: ['dec', 'enc'] });
    expect(result.error).toBeUndefined();
    expect((result.outputs.enc.latent as LatentValue).samples.shape).toEqual([1, 32, 64, 64]);
    const decoded = result.outputs.dec.image as Tensor<'float32'>;
    const img = jpeg.decode(readFileSync(PHOTO), { useTArray: true, formatAsRGBA: true });
    const photo = rgbaToImageTensor({ width: img.width, height: img.height, data: img.data });
    expect(decoded.shape).toEqual(photo.shape);
    let se = 0;
    for (let i = 0; i < photo.size; i++) se += (decoded.data[i] - photo.data[i]) ** 2;
    const psnr = 10 * Math.log10(photo.size / se);
    console.log(`[convert] TAEF2 through vae/load → encode → decode: ${psnr.toFixed(2)} dB`);
    expect(psnr).toBeGreaterThanOrEqual(31);
  }, 60_000);

  it('an encoder checkpoint given as the decoder is a clear error naming the node', async () => {
    const result = await engine.run(roundTrip(join(TAESD, 'taef2_encoder.pth')), { outputs: ['dec'] });
    expect(result.error?.node).toBe('dec');
    expect(result.error?.message).toMatch(/taef2_encoder\.pth is a taesd-encoder, not a taesd-decoder/);
  }, 60_000);
});
