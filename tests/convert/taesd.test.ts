/** TAEF2 (real weights from ../shared/data/taesd) converted to ONNX and run on onnxruntime-node. */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import jpeg from 'jpeg-js';
import { convertCheckpoint, readWeights, detectArchitecture } from '../../src/convert/index.ts';
import { torchZip } from '../fixtures/torchZip.ts';

const DATA = resolve(__dirname, '../../../shared/data');
const TAESD = join(DATA, 'taesd');
const have = existsSync(join(TAESD, 'taef2_encoder.pth')) && existsSync(join(DATA, 'vaelight/example1.jpg'));
if (!have && process.env.CI) throw new Error(`../shared/data/taesd or vaelight/example1.jpg is missing (looked in ${DATA}); CI needs it`);
const withData = have ? describe : describe.skip;
if (!have) console.warn(`[skip] TAEF2 tests: ${TAESD} not found`);

async function run(onnx: Uint8Array, name: string, data: Float32Array, dims: number[]) {
  const session = await ort.InferenceSession.create(onnx);
  try {
    const out = await session.run({ [name]: new ort.Tensor('float32', data, dims) });
    return out[session.outputNames[0]] as ort.Tensor;
  } finally {
    await session.release();
  }
}

withData('TAEF2 checkpoints', () => {
  it('are recognised with their latent channels and the mid-block norm', () => {
    const enc = detectArchitecture(readWeights(readFileSync(join(TAESD, 'taef2_encoder.pth')), 'taef2_encoder.pth'), 'taef2_encoder.pth');
    const dec = detectArchitecture(readWeights(readFileSync(join(TAESD, 'taef2_decoder.pth')), 'taef2_decoder.pth'), 'taef2_decoder.pth');
    expect(enc).toEqual({ architecture: 'taesd-encoder', latentChannels: 32, width: 64, midBlockNorm: true });
    expect(dec).toEqual({ architecture: 'taesd-decoder', latentChannels: 32, width: 64, midBlockNorm: true });
  });

  it('round-trip a real photo at ≥ 31 dB PSNR', async () => {
    const encoder = convertCheckpoint(readFileSync(join(TAESD, 'taef2_encoder.pth')), 'taef2_encoder.pth');
    const decoder = convertCheckpoint(readFileSync(join(TAESD, 'taef2_decoder.pth')), 'taef2_decoder.pth');
    expect(encoder.parameters).toBeGreaterThan(1.3e6);
    const img = jpeg.decode(readFileSync(join(DATA, 'vaelight/example1.jpg')), { useTArray: true });
    const { width: w, height: h } = img;
    const x = new Float32Array(3 * h * w);
    for (let i = 0; i < h * w; i++) for (let c = 0; c < 3; c++) x[c * h * w + i] = img.data[i * 4 + c] / 255;
    const latent = await run(encoder.onnx, 'image', x, [1, 3, h, w]);
    expect(latent.dims).toEqual([1, 32, h / 8, w / 8]);
    const out = (await run(decoder.onnx, 'latent', latent.data as Float32Array, [...latent.dims])).data as Float32Array;
    let se = 0;
    for (let i = 0; i < x.length; i++) se += (Math.min(1, Math.max(0, out[i])) - x[i]) ** 2;
    const psnr = 10 * Math.log10(x.length / se);
    console.log(`[convert] TAEF2 round trip of example1.jpg (${w}×${h}): ${psnr.toFixed(2)} dB`);
    expect(psnr).toBeGreaterThanOrEqual(31);
  }, 60_000);
});

describe('architecture detection', () => {
  it('names the known architectures and the first keys of an unknown checkpoint', () => {
    const bytes = torchZip({ 'body.0.weight': { shape: [64, 3, 3, 3], data: new Float32Array(64 * 27) } });
    expect(() => convertCheckpoint(bytes, 'mystery.pth')).toThrow(/mystery\.pth: unknown architecture \(known: .*taesd-encoder, taesd-decoder\); its first keys are body\.0\.weight \[64, 3, 3, 3\]/);
  });
});
