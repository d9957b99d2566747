/**
 * Real weights: the VAElight encoder/decoder from ../shared/data/vaelight (skipped when absent).
 * vae/encode then vae/decode of example1.jpg through the engine gives the photo back at latent
 * resolution: VAEpreview's main output `output` is the image at the latent's size (64×64 for a
 * 512×512 photo), measured here at 25.7 dB PSNR against the photo box-averaged 8×. The decoder's
 * three extra outputs (`101`, `92`, `77`: 2×, 4×, 8×) are reachable as sockets of onnx/model.
 * Measured: `77` mapped as clip(x,-1,1)·127+127 alone reaches only ~10.3 dB against the photo
 * (its range is about ±0.6), so it is checked for shape, not fidelity.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import jpeg from 'jpeg-js';
import { createEngine, type Engine } from '../../src/engine/index.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime, REPO_ROOT } from '../../src/runtime/node/index.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { rgbaToImageTensor } from '../../src/tensor/image.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import type { LatentValue } from '../../nodes/types.ts';
import type { NodeDefinition } from '../../src/graph/nodeSpec.ts';
import type { PortType } from '../../src/graph/portTypes.ts';
import { createRegistry } from '../../src/graph/registry.ts';
import { inspectOnnxModelPorts } from '../../nodes/onnx/model.ts';
import { graph } from './modelGraph.ts';

const DATA = resolve(REPO_ROOT, '..', 'shared', 'data', 'vaelight');
const present = existsSync(join(DATA, 'VAEencoder.onnx')) && existsSync(join(DATA, 'VAEpreview.onnx'));
if (!present) console.warn(`SKIP tests/nodes/vae.test.ts: VAElight reference data not found at ${DATA}`);

/** Box average over f×f blocks: [1, 3, H, W] → [1, 3, H/f, W/f]. */
function boxDown(t: Tensor<'float32'>, f: number): Tensor<'float32'> {
  const [, c, h, w] = t.shape;
  const oh = h / f;
  const ow = w / f;
  const out = new Float32Array(c * oh * ow);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        let sum = 0;
        for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) sum += t.data[ch * h * w + (y * f + dy) * w + x * f + dx];
        out[ch * oh * ow + y * ow + x] = sum / (f * f);
      }
    }
  }
  return new Tensor('float32', [1, c, oh, ow], out);
}

function psnr(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let se = 0;
  for (let i = 0; i < a.size; i++) se += (Number(a.data[i]) - Number(b.data[i])) ** 2;
  return 10 * Math.log10(1 / (se / a.size));
}

/** A test-only node that hands a fixed value to the graph (stands in for image/load). */
function valueNode(type: string, port: string, portType: PortType, value: unknown): NodeDefinition {
  return { type, version: 1, title: type, category: 'test', description: '', inputs: {}, outputs: { [port]: { type: portType } }, params: {}, run: () => ({ [port]: value }) };
}

/** example1.jpg as a [1, 3, 512, 512] image in [0, 1]. */
function photo(): Tensor<'float32'> {
  const img = jpeg.decode(readFileSync(join(DATA, 'example1.jpg')), { useTArray: true, formatAsRGBA: true });
  return rgbaToImageTensor({ width: img.width, height: img.height, data: img.data });
}

describe.skipIf(!present)('VAElight (real weights)', () => {
  let runtime: Runtime;
  let engine: Engine;
  const image = present ? photo() : Tensor.zeros([1, 3, 8, 8]);
  beforeAll(() => {
    runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 2 }) });
    const signed = new Tensor('float32', image.shape, image.data.map((v) => v * 2 - 1));
    const testNodes = new Map<string, NodeDefinition>([
      ['test/photo', valueNode('test/photo', 'image', 'IMAGE', image)],
      ['test/photo-signed', valueNode('test/photo-signed', 'tensor', 'TENSOR', signed)],
    ]);
    const registry = createRegistry([...defaultRegistry().list(), ...testNodes.values()]);
    engine = createEngine({ registry, services: { runtime } });
  });
  afterAll(() => runtime.release());

  it('vae/encode then vae/decode gives the photo back at latent resolution (PSNR ≥ 25 dB)', async () => {
    const vae = {
      encoder: join(DATA, 'VAEencoder.onnx'),
      decoder: join(DATA, 'VAEpreview.onnx'),
      decoder_output: 'output',
      // VAElight's encoder and decoder share one latent space; 1 keeps it unscaled between them.
      scaling_factor: 1,
    };
    const g = graph({}, [
      ['photo', 'test/photo'],
      ['vae', 'vae/load', vae],
      ['enc', 'vae/encode', {}],
      ['dec', 'vae/decode', {}],
    ], [
      ['vae.vae', 'enc.vae'],
      ['photo.image', 'enc.image'],
      ['vae.vae', 'dec.vae'],
      ['enc.latent', 'dec.latent'],
    ]);
    const result = await engine.run(g, { outputs: ['dec', 'enc'] });
    expect(result.error).toBeUndefined();
    const latent = (result.outputs.enc.latent as LatentValue).samples;
    expect(latent.shape).toEqual([1, 4, 64, 64]);
    const decoded = result.outputs.dec.image as Tensor;
    expect(decoded.shape).toEqual([1, 3, 64, 64]);
    const quality = psnr(decoded, boxDown(image, 8));
    console.log(`VAElight round trip of example1.jpg: PSNR ${quality.toFixed(2)} dB at 64×64`);
    expect(quality).toBeGreaterThanOrEqual(25);
    // A wrong output name is a clear, node-scoped error.
    const bad = structuredClone(g);
    bad.nodes[1].params.decoder_output = '78';
    const failed = await engine.run(bad, { outputs: ['dec'] });
    expect(failed.error?.node).toBe('dec');
    expect(failed.error?.message).toContain('VAEpreview.onnx has no output `78`; outputs are: output, 101, 92, 77');
  });

  it('onnx/model exposes the decoder outputs output, 101, 92, 77 as sockets', async () => {
    const source = join(DATA, 'VAEpreview.onnx');
    const ports = await inspectOnnxModelPorts(runtime, source);
    expect(ports.inputs).toEqual([{ name: 'latent', type: 'TENSOR' }]);
    expect(ports.outputs.map((p) => p.name)).toEqual(['output', '101', '92', '77']);
    // VAElight's encoder output feeds its decoder directly (no SD scaling in between).
    const g = graph({}, [
      ['enc', 'onnx/model', { source: join(DATA, 'VAEencoder.onnx'), ...(await inspectOnnxModelPorts(runtime, join(DATA, 'VAEencoder.onnx'))) }],
      ['photo_signed', 'test/photo-signed'],
      ['dec', 'onnx/model', { source, ...ports }],
    ], [
      ['photo_signed.tensor', 'enc.input'],
      ['enc.latent', 'dec.latent'],
    ]);
    const result = await engine.run(g, { outputs: ['dec'] });
    expect(result.error).toBeUndefined();
    const out = result.outputs.dec as Record<string, Tensor>;
    expect(out.output.shape).toEqual([1, 3, 64, 64]);
    expect(out['101'].shape).toEqual([1, 3, 128, 128]);
    expect(out['92'].shape).toEqual([1, 3, 256, 256]);
    expect(out['77'].shape).toEqual([1, 3, 512, 512]);
    // `output` from onnx/model is the same image vae/decode produced (mapped from [-1, 1]).
    const fromSocket = new Tensor('float32', out.output.shape, (out.output.data as Float32Array).map((v) => Math.min(1, Math.max(0, (v + 1) / 2))));
    expect(psnr(fromSocket, boxDown(image, 8))).toBeGreaterThanOrEqual(25);
  });
});
