import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createBrowserRuntime } from '../../src/worker/browserRuntime.ts';
import { memoryPackageCache } from '../../src/runtime/browser/packageCache.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { decodePng } from '../../src/tensor/png.ts';

const ROOT = resolve(__dirname, '../..');
const PUBLIC = join(ROOT, 'public');
const GRAPH = join(ROOT, 'graphs/toy-txt2img.json');

/** What the dev server does for /models/…: serves files from public/, HEAD included. */
const servePublic: typeof fetch = async (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const path = join(PUBLIC, decodeURIComponent(url.pathname));
  if (!path.startsWith(PUBLIC) || !existsSync(path)) return new Response('not found', { status: 404 });
  const headers = { 'content-length': String(statSync(path).size) };
  if (init?.method === 'HEAD') return new Response(null, { status: 200, headers });
  return new Response(readFileSync(path), { status: 200, headers });
};

describe('memoryPackageCache', () => {
  it('keeps partial downloads apart from complete ones, lists packages with their sizes, deletes them', async () => {
    const cache = memoryPackageCache();
    const store = await cache.store('http://a.test/pkg');
    expect(await cache.store('http://a.test/pkg/')).toBe(store);
    const sink = await store.open('unet/a.bin', false);
    await sink.write(new Uint8Array([1, 2]));
    await sink.close();
    expect(await store.has('unet/a.bin')).toBe(false);
    expect(await store.partialSize('unet/a.bin')).toBe(2);
    expect(await cache.list()).toEqual([{ id: 'http://a.test/pkg/', bytes: 0, files: [], partialBytes: 2 }]);
    const resumed = await store.open('unet/a.bin', true);
    await resumed.write(new Uint8Array([3]));
    await resumed.commit();
    expect(await store.get('unet/a.bin')).toEqual(new Uint8Array([1, 2, 3]));
    expect(await store.sha256('unet/a.bin')).toBe('039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81');
    expect(await cache.list()).toEqual([{ id: 'http://a.test/pkg/', bytes: 3, files: [{ path: 'unet/a.bin', bytes: 3 }], partialBytes: 0 }]);
    expect(await cache.remove('http://a.test/pkg')).toBe(true);
    expect(await cache.remove('http://a.test/pkg')).toBe(false);
    expect(await cache.list()).toEqual([]);
  });
});

describe.skipIf(!existsSync(GRAPH) || !existsSync(join(PUBLIC, 'models/toy-shapes')))('browser runtime wiring (onnxruntime-web wasm in Node)', () => {
  it('runs the toy text-to-image graph with built-in models fetched from /models/', async () => {
    const runtime = await createBrowserRuntime({ executionProvider: 'wasm', modelsBase: 'http://app.test/models/', fetch: servePublic });
    expect(runtime.backend.name).toBe('onnxruntime-web/wasm');
    const doc = loadGraph(readFileSync(GRAPH, 'utf8'));
    expect(doc.ok).toBe(true);
    if (!doc.ok) return;
    const result = await createEngine({ registry: defaultRegistry(), services: { runtime } }).run(doc.graph);
    expect(result.error).toBeUndefined();
    const saved = Object.values(result.outputs).find((o) => Array.isArray(o.png) && o.files !== undefined)!;
    const png = decodePng((saved.png as Uint8Array[])[0]);
    expect([png.width, png.height]).toEqual([64, 64]);
    // Not a blank image: the toy model draws a shape on a background.
    const reds = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) reds.add(png.data[i]);
    expect(reds.size).toBeGreaterThan(4);
  }, 120_000);
});
