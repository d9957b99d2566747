/**
 * The browser host wiring, exercised in Node with onnxruntime-web's wasm build: built-in packages
 * fetched from the app's `/models/<id>/` (a real HTTP server here) into a memory store, and
 * dropped files (real File objects) registered as `folder:<name>`. Both hand model bytes and
 * external data to onnxruntime-web as buffers, as a browser does.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createWebBackend } from '../../src/runtime/backends/web.ts';
import { createBrowserRuntime, droppedFilesSource } from '../../src/runtime/browser/index.ts';
import { packageFileRef } from '../../src/runtime/handles.ts';
import { memoryDownloadStore } from '../../src/runtime/memoryStore.ts';
import { urlSource } from '../../src/runtime/urlSource.ts';
import { randomWeights } from '../fixtures/tinySdModels.ts';
import { makeTinySdPackages } from '../fixtures/tinySd.ts';
import { serveMounts, type FileServer } from '../fixtures/fileServer.ts';

const fixtures = makeTinySdPackages(['sd15']);
const pkgDir = fixtures.packages.sd15.dir;
let server: FileServer;
let origin: string;
let served: string[];

beforeAll(async () => {
  server = await serveMounts({ 'models/tiny-sd': pkgDir });
  origin = server.origin;
  served = server.requests;
});
afterAll(async () => {
  await server.close();
  fixtures.cleanup();
});

function filesOf(dir: string): File[] {
  const out: File[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const f = new File([readFileSync(p)], name);
        // As <input webkitdirectory> gives them: the picked folder's name first.
        Object.defineProperty(f, 'webkitRelativePath', { value: `my-model/${relative(dir, p)}` });
        out.push(f);
      }
    }
  };
  walk(dir);
  return out;
}

const feeds = () => ({ sample: randomWeights(5, [1, 4, 8, 8], 1), timestep: 500, encoder_hidden_states: randomWeights(6, [1, 77, 768], 1) });

describe('browser runtime wiring (wasm in Node)', () => {
  it('built-in and dropped-folder packages give the same UNet output', async () => {
    const runtime = createBrowserRuntime({ backend: await createWebBackend({ executionProvider: 'wasm', numThreads: 1 }), builtinBase: `${origin}/models/` });
    const builtin = await runtime.openPackage({ source: 'builtin:tiny-sd' });
    expect(builtin.schedulerConfig?._class_name).toBe('PNDMScheduler');
    const a = await (await runtime.session(packageFileRef(builtin, 'unet/model.onnx'))).run(feeds());
    expect(served).toContain('GET /models/tiny-sd/unet/model.onnx_data');

    await expect(runtime.openPackage({ source: 'folder:my-model' })).rejects.toThrow(/folder "my-model" has not been picked in this session/);
    runtime.registerFolder('my-model', droppedFilesSource(filesOf(pkgDir), 'folder:my-model'));
    const dropped = await runtime.openPackage({ source: 'folder:my-model' });
    const b = await (await runtime.session(packageFileRef(dropped, 'unet/model.onnx'))).run(feeds());
    expect(Array.from(b.out_sample.data as Float32Array)).toEqual(Array.from(a.out_sample.data as Float32Array));
    expect(await runtime.openPackage({ source: 'folder:my-model' })).toBe(dropped);
    // Picking another folder under the same name replaces the package.
    const onlyConfigs = filesOf(pkgDir).filter((f) => (f as File & { webkitRelativePath: string }).webkitRelativePath.includes('scheduler/'));
    runtime.registerFolder('my-model', droppedFilesSource(onlyConfigs, 'folder:my-model'));
    const repicked = await runtime.openPackage({ source: 'folder:my-model' });
    expect(repicked).not.toBe(dropped);
    expect(await repicked.has('unet/model.onnx')).toBe(false);
    await runtime.release();
  });

  it('a memory-store URL source verifies sha256 with WebCrypto', async () => {
    const rel = 'vae_decoder/config.json';
    const bytes = readFileSync(join(pkgDir, rel));
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
    const ok = urlSource(`${origin}/models/tiny-sd/`, { store: memoryDownloadStore(), files: { [rel]: { sha256: digest, size: bytes.length } } });
    expect(new TextDecoder().decode(await ok.readFile(rel))).toContain('scaling_factor');
    const bad = urlSource(`${origin}/models/tiny-sd/`, { store: memoryDownloadStore(), files: { [rel]: { size: bytes.length + 1 } } });
    await expect(bad.readFile(rel)).rejects.toThrow(/has \d+ bytes, but the graph's models table says \d+/);
  });
});

