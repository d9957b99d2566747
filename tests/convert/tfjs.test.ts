/**
 * TF.js layers models → ONNX, checked against the results UpscalerJS publishes for its own
 * models (the esrgan-slim and esrgan-medium packages ship a fixture and the upscaled images their
 * TF.js runtime made).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { buildTfjsOnnx, parseTfjsModelJson } from '../../src/convert/tfjs.ts';
import { decodePng } from '../../src/tensor/pngDecode.ts';

const packageRoot = (name: string) => fileURLToPath(new URL(`../../node_modules/@upscalerjs/${name}`, import.meta.url));
const slimRoot = packageRoot('esrgan-slim');

function loadSlim(scale: number, root = slimRoot) {
  const dir = join(root, 'models', `x${scale}`);
  const model = parseTfjsModelJson(readFileSync(join(dir, 'model.json'), 'utf8'), `${root.split('/').pop()} x${scale}/model.json`);
  const shards = new Map(model.weightsManifest.flatMap((g) => g.paths).map((p) => [p, new Uint8Array(readFileSync(join(dir, p)))]));
  return { model, shards };
}

async function upscale(onnx: Uint8Array, rgba: Uint8Array, width: number, height: number) {
  const x = new Float32Array(3 * width * height);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) x[c * width * height + i] = rgba[i * 4 + c] / 255;
  const session = await ort.InferenceSession.create(onnx);
  const out = await session.run({ image: new ort.Tensor('float32', x, [1, 3, height, width]) });
  const y = out.upscaled;
  await session.release();
  return { data: y.data as Float32Array, height: y.dims[2], width: y.dims[3] };
}

describe('TF.js layers models', () => {
  const cases = [2, 3, 4].flatMap((scale) => ['esrgan-slim', 'esrgan-medium'].map((name) => ({ name, scale })));
  for (const { name, scale } of cases) {
    it(`${name} x${scale} reproduces UpscalerJS's own sample`, async () => {
      const root = packageRoot(name);
      const { model, shards } = loadSlim(scale, root);
      const started = performance.now();
      const { onnx, info, parameters } = buildTfjsOnnx(model, shards, `${name} x${scale}`, [0, 255]);
      const convertMs = performance.now() - started;
      expect(info.scale).toBe(scale);
      const fixture = decodePng(new Uint8Array(readFileSync(join(root, 'assets', 'fixture.png'))));
      const expected = decodePng(new Uint8Array(readFileSync(join(root, 'assets', 'samples', `${scale}x`, 'result.png'))));
      const y = await upscale(onnx, fixture.data, fixture.width, fixture.height);
      expect([y.width, y.height]).toEqual([expected.width, expected.height]);
      const plane = y.width * y.height;
      let same = 0;
      let worst = 0;
      for (let i = 0; i < plane; i++) {
        for (let c = 0; c < 3; c++) {
          const ours = Math.round(Math.min(1, Math.max(0, y.data[c * plane + i])) * 255);
          const diff = Math.abs(ours - expected.data[i * 4 + c]);
          worst = Math.max(worst, diff);
          if (diff === 0) same++;
        }
      }
      const identical = same / (plane * 3);
      console.log(`[convert] ${name} x${scale}: ${parameters} params, converted in ${convertMs.toFixed(0)} ms (${(onnx.length / 2 ** 20).toFixed(2)} MB ONNX); ${(identical * 100).toFixed(3)}% of values identical, worst ${worst}`);
      expect(identical).toBeGreaterThanOrEqual(0.999);
      expect(worst).toBeLessThanOrEqual(2);
    }, 60_000);
  }

  it('refuses shard paths that leave the folder, truncated shards and unknown layers, naming them', () => {
    const json = (manifest: unknown, layers: unknown[] = []) =>
      JSON.stringify({ format: 'layers-model', modelTopology: { model_config: { class_name: 'Functional', config: { layers } } }, weightsManifest: manifest });
    expect(() => parseTfjsModelJson(json([{ paths: ['../secret.bin'], weights: [] }]), 'm.json')).toThrow(/m\.json: names a weight shard "\.\.\/secret\.bin" that is not a plain file name/);
    expect(() => parseTfjsModelJson('root:x:0:0', 'm.json')).toThrow(/^m\.json: is not valid JSON$/);
    const { model, shards } = loadSlim(2);
    const [name] = model.weightsManifest[0].paths;
    const cut = new Map([[name, shards.get(name)!.subarray(0, 1000)]]);
    expect(() => buildTfjsOnnx(model, cut, 'x2.json')).toThrow(/x2\.json: weight shards are truncated/);
    const odd = parseTfjsModelJson(
      json([{ paths: [], weights: [] }], [
        { class_name: 'InputLayer', name: 'in', config: { batch_input_shape: [null, null, null, 3] }, inbound_nodes: [] },
        { class_name: 'Lambda', name: 'evil', config: { function: 'x' }, inbound_nodes: [[['in', 0, 0, {}]]] },
      ]),
      'odd.json',
    );
    expect(() => buildTfjsOnnx(odd, new Map(), 'odd.json')).toThrow(/odd\.json: layer evil: layer class Lambda is not supported/);
  });
});
