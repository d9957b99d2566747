/**
 * vae/encode and vae/decode conventions on small written models: [0,1] ⇄ [-1,1] mapping, the
 * scaling factor, the mean of an encoder that outputs distribution moments (2C channels), and
 * per-item decoding of a batch.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vaeDecode } from '../../nodes/vae/decode.ts';
import { vaeEncode } from '../../nodes/vae/encode.ts';
import { OnnxGraphBuilder } from '../../src/onnx/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { fileRefFromLocation, type Runtime } from '../../src/runtime/runtime.ts';
import type { VaeHandle } from '../../src/runtime/handles.ts';
import type { RunContext } from '../../src/graph/nodeSpec.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-vae-'));
let runtime: Runtime;

beforeAll(() => {
  runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
  // Encoder: moments = [x[:, :1] repeated to 4 channels (mean), constant 9 (logvar)], 1×1 pixels per latent.
  const enc = new OnnxGraphBuilder();
  const x = enc.input('sample', 'float32', ['batch', 3, 'h', 'w']);
  const first = enc.op('Slice', [x, enc.constant(new Tensor('int64', [1], BigInt64Array.from([0n]))), enc.constant(new Tensor('int64', [1], BigInt64Array.from([1n]))), enc.constant(new Tensor('int64', [1], BigInt64Array.from([1n])))]);
  const mean = enc.op('Concat', [first, first, first, first], { axis: 1 });
  const logvar = enc.op('Add', [enc.op('Mul', [mean, enc.constant(Tensor.float32([1], [0]))]), enc.constant(Tensor.float32([1], [9]))]);
  enc.output(enc.op('Concat', [mean, logvar], { axis: 1 }), 'latent_parameters', 'float32', ['batch', 8, 'h', 'w']);
  writeFileSync(join(dir, 'encoder.onnx'), enc.toBytes());
  // Decoder: sample = first latent channel repeated to RGB (so [-1,1] in gives [0,1] out), fixed batch 1.
  const dec = new OnnxGraphBuilder();
  const z = dec.input('latent_sample', 'float32', [1, 4, 'h', 'w']);
  const c0 = dec.op('Slice', [z, dec.constant(new Tensor('int64', [1], BigInt64Array.from([0n]))), dec.constant(new Tensor('int64', [1], BigInt64Array.from([1n]))), dec.constant(new Tensor('int64', [1], BigInt64Array.from([1n])))]);
  dec.output(dec.op('Concat', [c0, c0, c0], { axis: 1 }), 'sample', 'float32', [1, 3, 'h', 'w']);
  writeFileSync(join(dir, 'decoder.onnx'), dec.toBytes());
});
afterAll(async () => {
  await runtime.release();
  rmSync(dir, { recursive: true, force: true });
});

function ctx(): RunContext {
  return {
    nodeId: 'vae',
    signal: new AbortController().signal,
    progress: () => undefined,
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
    services: { runtime },
    graph: { format: 'latentloom.graph', version: 1, meta: {}, models: {}, nodes: [], edges: [] },
  };
}

it('encode takes the mean of moments and scales; decode unscales and maps to [0, 1], per batch item', async () => {
  const vae: VaeHandle = {
    kind: 'VAE',
    encoder: await fileRefFromLocation(runtime, join(dir, 'encoder.onnx'), 'test'),
    decoder: await fileRefFromLocation(runtime, join(dir, 'decoder.onnx'), 'test'),
    scalingFactor: 0.5,
  };
  const image = Tensor.float32([2, 3, 1, 2], [0, 1, 9, 9, 9, 9, 0.25, 0.75, 9, 9, 9, 9]);
  const { latent } = (await vaeEncode.run(ctx(), { vae, image }, { latent_channels: 4 })) as { latent: { samples: Tensor<'float32'> } };
  expect(latent.samples.shape).toEqual([2, 4, 1, 2]);
  // Red channel in [-1, 1] (2x − 1), times the scaling factor 0.5.
  expect(Array.from(latent.samples.data.slice(0, 2))).toEqual([-0.5, 0.5]);
  expect(Array.from(latent.samples.data.slice(8, 10))).toEqual([-0.25, 0.25]);
  const { image: decoded } = (await vaeDecode.run(ctx(), { vae, latent }, {})) as { image: Tensor<'float32'> };
  expect(decoded.shape).toEqual([2, 3, 1, 2]);
  expect(Array.from(decoded.data)).toEqual([0, 1, 0, 1, 0, 1, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75]);
});
