/**
 * ESRGAN-slim ×4 throughput in headless Chromium (issue 13): the built app's engine worker on
 * onnxruntime-web wasm upscales UpscalerJS's 128² fixture to 512². The first Run includes
 * converting the TF.js weights and creating the session; the warm Runs change only the tile size
 * (each still one whole-image tile), so only the upscale itself runs again. Input megapixels per
 * second, timed from pressing Run to the picture in the gallery. `npm run bench -- browser-upscaler`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchFigure } from './run.ts';
import { HAS_CHROMIUM, ROOT, SKIP_REASON, openEditor, startSession } from '../e2e/harness.ts';
import { chooseBackend, openGraph, runForImage, type Json } from '../e2e/workerRuns.ts';

const fixture = readFileSync(join(ROOT, 'node_modules/@upscalerjs/esrgan-slim/assets/fixture.png'));

function graph(tileSize: number): Json {
  const node = (id: string, type: string, params: Record<string, unknown>) => ({ id, type, version: 1, params, ui: { x: 0, y: 0 } });
  const edge = (a: string, ap: string, b: string, bp: string) => ({ from: { node: a, port: ap }, to: { node: b, port: bp } });
  return {
    format: 'latentloom.graph', version: 1, models: {},
    nodes: [
      node('img', 'image/load', { source: `data:image/png;base64,${fixture.toString('base64')}` }),
      node('upscaler', 'model/load-upscaler', { source: 'builtin:esrgan-slim-x4' }),
      node('up', 'image/upscale-model', { tile_size: tileSize, overlap: 0 }),
      node('save', 'image/save', { filename_prefix: 'up', embed_graph: false }),
    ],
    edges: [edge('upscaler', 'upscaler', 'up', 'upscaler'), edge('img', 'image', 'up', 'image'), edge('up', 'image', 'save', 'images')],
  } as unknown as Json;
}

export async function figures(): Promise<BenchFigure[]> {
  if (!HAS_CHROMIUM) return [{ name: 'browser upscaler', value: 0, unit: '', note: SKIP_REASON }];
  const s = await startSession();
  try {
    await openEditor(s.page, s.server.url, '?fresh&example=math-demo');
    await chooseBackend(s.page, 'wasm');
    const inputMp = (128 * 128) / 1e6;
    await openGraph(s.page, graph(0), 'slim-x4.json');
    const cold = await runForImage(s.page, 'save');
    const warm: number[] = [];
    for (const tile of [256, 512, 1024, 2048]) {
      await openGraph(s.page, graph(tile), `slim-x4-${tile}.json`);
      warm.push((await runForImage(s.page, 'save')).ms);
    }
    warm.sort((a, b) => a - b);
    const median = warm[Math.floor(warm.length / 2)];
    return [
      { name: 'Chromium wasm: esrgan-slim ×4 128²→512², first Run (conversion + session)', value: cold.ms, unit: 'ms' },
      { name: 'Chromium wasm: esrgan-slim ×4 128²→512², warm Run', value: median, unit: 'ms', note: `min ${warm[0]} ms` },
      { name: 'Chromium wasm: esrgan-slim ×4 throughput (warm)', value: inputMp / (median / 1000), unit: 'input MP/s', note: `${((inputMp * 16) / (median / 1000)).toFixed(3)} output MP/s` },
    ];
  } finally {
    await s.close();
  }
}
