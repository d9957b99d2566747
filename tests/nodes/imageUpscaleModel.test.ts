/**
 * image/upscale-model and model/load-upscaler on real onnxruntime-node sessions, with tiny
 * upscalers written by src/onnx (nearest ×2/×3, and a blur + bilinear ×2 with a receptive field).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import { imageUpscaleModel } from '../../nodes/image/upscale-model.ts';
import { modelLoadUpscaler, splitModelSource } from '../../nodes/model/load-upscaler.ts';
import { OnnxGraphBuilder } from '../../src/onnx/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createWebBackend } from '../../src/runtime/backends/web.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { scaleTensor } from '../../src/tensor/resample.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const dir = mkdtempSync(join(tmpdir(), 'latentloom-upscaler-'));

type Dims = readonly (number | string)[];

function writeModel(name: string, build: (g: OnnxGraphBuilder, x: string) => string, inputDims: Dims = ['batch', 3, 'h', 'w']) {
  const g = new OnnxGraphBuilder();
  const x = g.input('input', 'float32', inputDims);
  g.output(build(g, x), 'output', 'float32', ['batch', 3, null, null]);
  const path = join(dir, name);
  writeFileSync(path, g.toBytes());
  return path;
}

const resize = (g: OnnxGraphBuilder, x: string, s: number, mode: string) =>
  g.op('Resize', [x, '', g.constant(Tensor.float32([4], [1, 1, s, s]))], { mode });

const nearest2 = writeModel('nearest2.onnx', (g, x) => resize(g, x, 2, 'nearest'));
const nearest3 = writeModel('nearest3.onnx', (g, x) => resize(g, x, 3, 'nearest'));
const fixed8 = writeModel('fixed8.onnx', (g, x) => resize(g, x, 2, 'nearest'), [1, 3, 8, 8]);
const blur2 = writeModel('blur2.onnx', (g, x) => {
  const kernel = Tensor.float32([3, 1, 3, 3], Array.from({ length: 27 }, (_, i) => [1, 2, 1, 2, 4, 2, 1, 2, 1][i % 9] / 16));
  const blurred = g.op('Conv', [x, g.constant(kernel)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 3 });
  return resize(g, blurred, 2, 'linear');
});
/** ESRGAN's tail in miniature: a 3×3 convolution to 3·2² channels, then pixel shuffle (DepthToSpace). */
const shuffle2 = writeModel('shuffle2.onnx', (g, x) => {
  let seed = 9;
  const weights = Array.from({ length: 12 * 3 * 9 }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed / 2147483648 - 0.5) / 4;
  });
  const conv = g.op('Conv', [x, g.constant(Tensor.float32([12, 3, 3, 3], weights)), g.constant(Tensor.float32([12], new Float32Array(12).fill(0.5)))], {
    kernel_shape: [3, 3],
    pads: [1, 1, 1, 1],
  });
  return g.op('DepthToSpace', [conv], { blocksize: 2, mode: 'CRD' });
});
const notUpscaler = writeModel('crop.onnx', (g, x) =>
  g.op('Slice', [x, g.constant(new Tensor('int64', [1], BigInt64Array.from([1n]))), g.constant(new Tensor('int64', [1], BigInt64Array.from([1000n]))), g.constant(new Tensor('int64', [1], BigInt64Array.from([3n])))]),
);

let runtime: Runtime;
beforeAll(() => {
  runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
});
afterAll(async () => {
  await runtime.release();
});

function context(nodeId: string, progress: string[] = [], rt: Runtime = runtime): RunContext {
  return {
    nodeId,
    signal: new AbortController().signal,
    progress: (v, m) => progress.push(`${v}/${m}`),
    log: { debug() {}, info() {}, warn() {} },
    services: { runtime: rt },
    graph: { format: 'latentloom.graph', version: 1, meta: {}, models: {}, nodes: [], edges: [] },
  };
}

async function loadUpscaler(source: string, rt: Runtime = runtime) {
  return ((await (modelLoadUpscaler as NodeDefinition).run(context('loader', [], rt), {}, { source })) as { upscaler: unknown }).upscaler;
}

async function upscale(source: string, image: Tensor<'float32'>, tile_size: number, overlap: number, progress?: string[], rt: Runtime = runtime) {
  const upscaler = await loadUpscaler(source, rt);
  const out = await (imageUpscaleModel as NodeDefinition).run(context('up', progress, rt), { upscaler, image }, { tile_size, overlap });
  return (out as { image: Tensor<'float32'> }).image;
}

function randomImage(shape: number[], seed = 5): Tensor<'float32'> {
  let s = seed;
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = s / 2147483648;
  }
  return Tensor.float32(shape, data);
}

const maxAbsDiff = (a: Tensor<'float32'>, b: Tensor<'float32'>) => {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
};

describe('model/load-upscaler', () => {
  it('splits a source into package folder or base URL and file', () => {
    expect(splitModelSource('/m/x/4x.onnx')).toEqual({ base: '/m/x', file: '4x.onnx' });
    expect(splitModelSource('models/4x.onnx')).toEqual({ base: './models', file: '4x.onnx' });
    expect(splitModelSource('4x.onnx')).toEqual({ base: '.', file: '4x.onnx' });
    expect(splitModelSource('https://h.example/a/4x.onnx')).toEqual({ base: 'https://h.example/a/', file: '4x.onnx' });
    expect(() => splitModelSource('')).toThrow(/empty/);
  });

  it('reads the model interface and names a missing file', async () => {
    const handle = (await loadUpscaler(nearest2)) as { kind: string; inputName: string; outputName: string };
    expect(handle).toMatchObject({ kind: 'UPSCALER', inputName: 'input', outputName: 'output' });
    await expect(loadUpscaler(join(dir, 'missing.onnx'))).rejects.toThrow(/missing\.onnx/);
  });
});

describe('image/upscale-model', () => {
  it('runs the model: untiled output equals nearest ×2, and the scale is probed (×2, ×3)', async () => {
    const image = randomImage([1, 3, 21, 17]);
    expect(maxAbsDiff(await upscale(nearest2, image, 0, 0), scaleTensor(image, 2, 'nearest'))).toBe(0);
    const x3 = await upscale(nearest3, image, 0, 0);
    expect(x3.shape).toEqual([1, 3, 63, 51]);
    expect(maxAbsDiff(x3, scaleTensor(image, 3, 'nearest'))).toBe(0);
  });

  it('tiled output equals the untiled run for a pixel-local model, batch included', async () => {
    const image = randomImage([2, 3, 40, 33], 11);
    const whole = await upscale(nearest2, image, 0, 0);
    const progress: string[] = [];
    const tiled = await upscale(nearest2, image, 16, 4, progress);
    expect(maxAbsDiff(tiled, whole)).toBeLessThan(1e-6);
    expect(progress.at(-1)).toBe('18/18'); // 3 rows × 3 columns × 2 images
  });

  it('tiled output matches the untiled run within tolerance for a model with a receptive field', async () => {
    const image = randomImage([1, 3, 48, 40], 23);
    const whole = await upscale(blur2, image, 0, 0);
    const seams = maxAbsDiff(await upscale(blur2, image, 16, 0), whole);
    const blended = maxAbsDiff(await upscale(blur2, image, 16, 8), whole);
    expect(seams).toBeGreaterThan(0.02);
    // Blur and bilinear reach 2 output pixels past a cut; the dropped quarter of 16 covers them.
    expect(blended).toBeLessThan(1e-5);
  });

  it('tiles a conv + pixel-shuffle upscaler seamlessly (output equals the untiled run)', async () => {
    const image = randomImage([1, 3, 37, 45], 41);
    const whole = await upscale(shuffle2, image, 0, 0);
    expect(whole.shape).toEqual([1, 3, 74, 90]);
    expect(maxAbsDiff(await upscale(shuffle2, image, 16, 8), whole)).toBeLessThan(1e-5);
  });

  it('uses a fixed-shape model’s own tile size, padding small images', async () => {
    const image = randomImage([1, 3, 20, 13], 3);
    const out = await upscale(fixed8, image, 512, 2);
    expect(maxAbsDiff(out, scaleTensor(image, 2, 'nearest'))).toBeLessThan(1e-6);
    const small = randomImage([1, 3, 5, 6], 4);
    expect(maxAbsDiff(await upscale(fixed8, small, 0, 0), scaleTensor(small, 2, 'nearest'))).toBe(0);
  });

  it('gives the same tiled result on onnxruntime-web (wasm, the browser backend)', async () => {
    const web = createNodeRuntime({ backend: await createWebBackend({ executionProvider: 'wasm', numThreads: 1 }) });
    try {
      const image = randomImage([1, 3, 40, 36], 31);
      const onWeb = await upscale(blur2, image, 16, 8, [], web);
      expect(maxAbsDiff(onWeb, await upscale(blur2, image, 16, 8))).toBeLessThan(1e-5);
    } finally {
      await web.release();
    }
  });

  it('explains a model that is not an upscaler, and a missing upscaler input', async () => {
    const image = randomImage([1, 3, 20, 20]);
    await expect(upscale(notUpscaler, image, 0, 0)).rejects.toThrow(/node "up".*probe tile.*integer s/);
    await expect(
      (imageUpscaleModel as NodeDefinition).run(context('up'), { upscaler: {}, image }, { tile_size: 0, overlap: 0 }),
    ).rejects.toThrow(/input `upscaler` is not an UPSCALER/);
  });
});
