/**
 * Built-in upscalers in the editor (headless Chromium): `builtin:esrgan-slim-x2` and
 * `builtin:esrgan-medium-x3` run in the engine worker on onnxruntime-web's wasm backend from the
 * app's own assets (the build copies the npm packages' TF.js files to /models/upscaler-<name>/),
 * and reproduce UpscalerJS's published samples as in Node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePng } from '../../src/tensor/png.ts';
import { HAS_CHROMIUM, ROOT, SKIP_REASON, openEditor, startSession, type Session } from './harness.ts';
import { chooseBackend, openGraph, runForImage, type Json } from './workerRuns.ts';

const pkg = (name: string) => join(ROOT, 'node_modules/@upscalerjs', name);
const fixture = readFileSync(join(pkg('esrgan-slim'), 'assets', 'fixture.png'));

function upscaleGraph(source: string): Json {
  const node = (id: string, type: string, params: Record<string, unknown>) => ({ id, type, version: 1, params, ui: { x: 0, y: 0 } });
  const edge = (a: string, ap: string, b: string, bp: string) => ({ from: { node: a, port: ap }, to: { node: b, port: bp } });
  return {
    format: 'latentloom.graph',
    version: 1,
    models: {},
    nodes: [
      node('img', 'image/load', { source: `data:image/png;base64,${fixture.toString('base64')}` }),
      node('upscaler', 'model/load-upscaler', { source }),
      node('up', 'image/upscale-model', { tile_size: 0, overlap: 0 }),
      node('save', 'image/save', { filename_prefix: 'up', embed_graph: false }),
    ],
    edges: [edge('upscaler', 'upscaler', 'up', 'upscaler'), edge('img', 'image', 'up', 'image'), edge('up', 'image', 'save', 'images')],
  } as unknown as Json;
}

describe.skipIf(!HAS_CHROMIUM)('built-in upscalers in the editor (browser, wasm)', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
    await openEditor(s.page, s.server.url, '?fresh&example=math-demo');
    await chooseBackend(s.page, 'wasm');
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  for (const [name, scale] of [['esrgan-slim', 2], ['esrgan-medium', 3]] as const) {
    it(`builtin:${name}-x${scale} reproduces UpscalerJS's sample`, async () => {
      await openGraph(s.page, upscaleGraph(`builtin:${name}-x${scale}`), `${name}.json`);
      const run = await runForImage(s.page, 'save');
      const expected = decodePng(new Uint8Array(readFileSync(join(pkg(name), 'assets', 'samples', `${scale}x`, 'result.png'))));
      expect([run.width, run.height]).toEqual([expected.width, expected.height]);
      let same = 0;
      let worst = 0;
      let n = 0;
      for (let i = 0; i < expected.data.length; i++) {
        if ((i & 3) === 3) continue;
        const d = Math.abs(run.rgba[i] - expected.data[i]);
        if (d === 0) same++;
        worst = Math.max(worst, d);
        n++;
      }
      const mp = (run.width * run.height) / 1e6;
      console.log(`[browser] ${name} x${scale} (wasm): ${((same / n) * 100).toFixed(3)}% identical, worst ${worst}; run ${run.ms} ms (${(mp / (run.ms / 1000)).toFixed(2)} output MP/s incl. conversion)`);
      expect(same / n).toBeGreaterThanOrEqual(0.999);
      expect(worst).toBeLessThanOrEqual(2);
      expect(s.errors).toEqual([]);
    }, 180_000);
  }
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
