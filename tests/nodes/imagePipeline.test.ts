/**
 * The E2 image nodes wired as a graph and run by the engine (validation, params, caching):
 * image/load → image/resize → image/upscale-model ← model/load-upscaler, plus latent nodes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.ts';
import type { GraphDocument, GraphNode } from '../../src/graph/document.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { OnnxGraphBuilder } from '../../src/onnx/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { imageTensorToPng } from '../../src/tensor/image.ts';
import { resizeTensor, scaleTensor } from '../../src/tensor/resample.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const dir = mkdtempSync(join(tmpdir(), 'latentloom-pipeline-'));

function node(id: string, type: string, params: Record<string, unknown>): GraphNode {
  return { id, type, version: 1, params, ui: { x: 0, y: 0 } };
}
const edge = (from: string, fromPort: string, to: string, toPort: string) => ({
  from: { node: from, port: fromPort },
  to: { node: to, port: toPort },
});

describe('image nodes in an engine run', () => {
  const runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
  afterAll(() => runtime.release());

  it('loads, resizes and upscales with a model, tiled; a second run is served from the cache', async () => {
    const plane = 24 * 20;
    const pixels = Tensor.float32([1, 3, 20, 24], Array.from({ length: 3 * plane }, (_, i) => ((i * 37) % 256) / 255));
    const imagePath = join(dir, 'in.png');
    writeFileSync(imagePath, imageTensorToPng(pixels));
    const g = new OnnxGraphBuilder();
    const x = g.input('image', 'float32', [1, 3, 'h', 'w']);
    g.output(g.op('Resize', [x, '', g.constant(Tensor.float32([4], [1, 1, 2, 2]))], { mode: 'nearest' }), 'upscaled', 'float32', [1, 3, null, null]);
    const modelPath = join(dir, 'x2.onnx');
    writeFileSync(modelPath, g.toBytes());

    const doc: GraphDocument = {
      format: 'latentloom.graph',
      version: 1,
      meta: { title: 'upscale' },
      models: {},
      nodes: [
        node('load', 'image/load', { source: imagePath }),
        node('resize', 'image/resize', { method: 'bilinear', by: 'size', width: 36, height: 0, scale: 2, clamp: true }),
        node('upscaler', 'model/load-upscaler', { source: modelPath }),
        node('up', 'image/upscale-model', { tile_size: 16, overlap: 4 }),
      ],
      edges: [edge('load', 'image', 'resize', 'image'), edge('resize', 'image', 'up', 'image'), edge('upscaler', 'upscaler', 'up', 'upscaler')],
    };
    const engine = createEngine({
      registry: defaultRegistry(),
      services: { runtime, readFile: async (p: string) => new Uint8Array(await readFile(p)) },
    });
    const first = await engine.run(doc, { outputs: ['up', 'load'] });
    expect(first.error).toBeUndefined();
    expect(first.ok).toBe(true);
    const out = first.outputs.up.image as Tensor<'float32'>;
    expect(out.shape).toEqual([1, 3, 60, 72]);
    const expected = scaleTensor(resizeTensor(pixels, 30, 36, { mode: 'bilinear' }), 2, 'nearest');
    let diff = 0;
    for (let i = 0; i < out.size; i++) diff = Math.max(diff, Math.abs(out.data[i] - expected.data[i]));
    expect(diff).toBeLessThan(1e-5);
    expect(first.outputs.load.width).toBe(24);

    const second = await engine.run(doc, { outputs: ['up'] });
    expect(second.nodes.up.status).toBe('cached');
  });

  it('stops with an error naming the node when the image file is missing', async () => {
    const doc: GraphDocument = {
      format: 'latentloom.graph',
      version: 1,
      meta: {},
      models: {},
      nodes: [node('load', 'image/load', { source: join(dir, 'missing.png') })],
      edges: [],
    };
    const engine = createEngine({ registry: defaultRegistry(), services: { readFile: async (p: string) => new Uint8Array(await readFile(p)) } });
    const result = await engine.run(doc, { outputs: ['load'] });
    expect(result.ok).toBe(false);
    expect(result.error?.node).toBe('load');
    expect(result.error?.message).toMatch(/missing\.png/);
  });
});
