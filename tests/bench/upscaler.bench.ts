/**
 * Real pretrained upscalers: UpscalerJS ESRGAN slim (TF.js) converted to ONNX — conversion time
 * and size — and upscaling throughput through the graph (model/load-upscaler → image/upscale-model
 * on onnxruntime-node): whole-image vs tiled, and a tiled 1024² → 4096² ×4 run with the process's
 * peak memory (RSS sampled every 20 ms).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../../src/engine/index.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { buildTfjsOnnx, parseTfjsModelJson } from '../../src/convert/tfjs.ts';
import { encodePng } from '../../src/tensor/png.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import type { BenchFigure } from './run.ts';

const slimRoot = fileURLToPath(new URL('../../node_modules/@upscalerjs/esrgan-slim', import.meta.url));

function photoLike(size: number): string {
  // Smooth gradients plus some edges: a stand-in photo that compresses like one.
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const i = (y * size + x) * 3;
    data[i] = (x * 255) / size;
    data[i + 1] = (y * 255) / size;
    data[i + 2] = ((x >> 5) + (y >> 5)) % 2 ? 200 : 40;
  }
  return `data:image/png;base64,${Buffer.from(encodePng({ width: size, height: size, channels: 3, data })).toString('base64')}`;
}

function graph(source: string, image: string, tile: number): GraphDocument {
  return {
    format: 'latentloom.graph',
    version: 1,
    nodes: [
      { id: 'img', type: 'image/load', version: 1, params: { source: image } },
      { id: 'upscaler', type: 'model/load-upscaler', version: 1, params: { source } },
      { id: 'up', type: 'image/upscale-model', version: 1, params: { tile_size: tile, overlap: tile > 0 ? 16 : 0 } },
      { id: 'out', type: 'image/preview', version: 1, params: {} },
    ],
    edges: [
      { from: { node: 'upscaler', port: 'upscaler' }, to: { node: 'up', port: 'upscaler' } },
      { from: { node: 'img', port: 'image' }, to: { node: 'up', port: 'image' } },
      { from: { node: 'up', port: 'image' }, to: { node: 'out', port: 'images' } },
    ],
  } as unknown as GraphDocument;
}

export async function figures(): Promise<BenchFigure[]> {
  const out: BenchFigure[] = [];
  for (const scale of [2, 4]) {
    const dir = join(slimRoot, 'models', `x${scale}`);
    const model = parseTfjsModelJson(readFileSync(join(dir, 'model.json'), 'utf8'), 'model.json');
    const shards = new Map(model.weightsManifest.flatMap((g) => g.paths).map((p) => [p, new Uint8Array(readFileSync(join(dir, p)))]));
    const t0 = performance.now();
    const { onnx, parameters } = buildTfjsOnnx(model, shards, 'model.json', [0, 255]);
    out.push({ name: `esrgan-slim x${scale}: TF.js → ONNX`, value: performance.now() - t0, unit: 'ms', note: `${parameters} params, ${(onnx.length / 2 ** 20).toFixed(2)} MB` });
  }
  const runtime = createNodeRuntime({ backend: createNodeBackend() });
  const engine = createEngine({ registry: defaultRegistry(), services: { runtime } });
  const run = async (g: GraphDocument) => {
    const t = performance.now();
    const result = await engine.run(g);
    if (!result.ok) throw new Error(result.error?.message);
    return performance.now() - t;
  };
  for (const tile of [0, 128]) {
    // Warm (conversion, session, the tile shapes), then a different image so nothing is cached.
    await run(graph('builtin:esrgan-slim-x4', photoLike(tile ? 300 : 64), tile));
    const ms = await run(graph('builtin:esrgan-slim-x4', photoLike(256), tile));
    out.push({ name: `esrgan-slim x4, 256² → 1024², ${tile ? `tiles ${tile}/16` : 'whole image'}`, value: (256 * 256) / 1e6 / (ms / 1000), unit: 'input MP/s', note: `${ms.toFixed(0)} ms` });
  }
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const ms = await run(graph('builtin:esrgan-slim-x4', photoLike(1024), 256));
  clearInterval(timer);
  out.push({ name: 'esrgan-slim x4, 1024² → 4096², tiles 256/16', value: ms / 1000, unit: 's', note: `peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (${((peak - rss0) / 2 ** 20).toFixed(0)} MiB above the start)` });
  return out;
}
