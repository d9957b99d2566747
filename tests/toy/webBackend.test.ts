/**
 * The toy models run on onnxruntime-web's wasm backend (what the browser worker uses) as well as
 * on onnxruntime-node, and give the same picture: toy-txt2img through the engine on both; the
 * metric and classifier-guidance graphs give the same figures.
 */
import { createWebBackend } from '../../src/runtime/backends/web.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { readPicture } from './analysis.ts';
import { engineFor, loadExample, nodeRuntime, pngImage, runForPngs } from './graphRunner.ts';

let web: Runtime;
let native: Runtime;
beforeAll(async () => {
  web = createNodeRuntime({ backend: await createWebBackend({ executionProvider: 'wasm', numThreads: 1 }) });
  native = nodeRuntime();
});
afterAll(async () => {
  await web.release();
  await native.release();
});

describe('toy-shapes on onnxruntime-web (wasm)', () => {
  it('toy-txt2img gives the same picture as on onnxruntime-node', async () => {
    const graph = loadExample('toy-txt2img.json');
    const onWeb = pngImage((await runForPngs(engineFor(web), graph)).save[0]).data;
    const onNode = pngImage((await runForPngs(engineFor(native), graph)).save[0]).data;
    expect(readPicture(onWeb)).toMatchObject({ colour: 'red', shape: 'circle', background: 'black' });
    let maxDiff = 0;
    for (let i = 0; i < onWeb.length; i++) maxDiff = Math.max(maxDiff, Math.abs(onWeb[i] - onNode[i]));
    // 8-bit PNGs: at most one level apart where float rounding differs between the backends.
    expect(maxDiff * 255).toBeLessThanOrEqual(1.01);
  });

  it('the cascade runs on wasm too', async () => {
    const result = await engineFor(web).run(loadExample('toy-cascade.json'));
    expect(result.ok, JSON.stringify(result.error)).toBe(true);
    const img = pngImage((result.outputs.save.png as Uint8Array[])[0]);
    expect(readPicture(img.data)).toMatchObject({ colour: 'blue', shape: 'cross', background: 'white' });
  });

  it('the metric graphs (CLIP score, FID, classifier guidance) give the same figures on wasm', async () => {
    const graph = loadExample('toy-metrics.json');
    const onWeb = await engineFor(web).run(graph);
    const onNode = await engineFor(native).run(graph);
    expect(onWeb.ok, JSON.stringify(onWeb.error)).toBe(true);
    expect(onNode.ok, JSON.stringify(onNode.error)).toBe(true);
    expect(onWeb.outputs.clip_score.mean as number).toBeCloseTo(onNode.outputs.clip_score.mean as number, 3);
    expect(onWeb.outputs.fid.fid as number).toBeCloseTo(onNode.outputs.fid.fid as number, 3);
    const guided = await engineFor(web).run(loadExample('toy-classifier-guidance.json'));
    expect(guided.ok, JSON.stringify(guided.error)).toBe(true);
    const img = pngImage((guided.outputs.save.png as Uint8Array[])[0]);
    expect(readPicture(img.data)).toMatchObject({ colour: 'red', shape: 'circle' });
  });
});
