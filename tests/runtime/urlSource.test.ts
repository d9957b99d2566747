/**
 * URL model packages against a real HTTP server on 127.0.0.1: lazy downloads, the Node cache
 * folder, Range resume after a cut connection, size/sha256 checks, progress, clear 404s.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { nodeDownloadStore } from '../../src/runtime/node/downloadStore.ts';
import { urlSource } from '../../src/runtime/urlSource.ts';
import { packageFileRef } from '../../src/runtime/handles.ts';
import { RuntimeError } from '../../src/runtime/types.ts';
import { randomWeights } from '../fixtures/tinySdModels.ts';
import { makeTinySdPackages } from '../fixtures/tinySd.ts';

/** The test server listens on loopback, which the default network policy refuses. */
const LOCAL_SERVER = { allowPrivateNetwork: true };
const fixtures = makeTinySdPackages(['sd15']);
const pkgDir = fixtures.packages.sd15.dir;
let server: Server;
let base: string;
const requests: { method: string; path: string; range?: string }[] = [];
/** Paths whose next GET is cut after this many bytes. */
const cutNext = new Map<string, number>();
let cacheRoot: string;

beforeAll(async () => {
  cacheRoot = mkdtempSync(join(tmpdir(), 'll-cache-'));
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname).replace(/^\/pkg\//, '');
    requests.push({ method: req.method!, path, range: req.headers.range });
    const file = join(pkgDir, path);
    if (!existsSync(file) || path.includes('..')) {
      res.writeHead(404).end('not found');
      return;
    }
    const body = readFileSync(file);
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) start = Number(m[1]);
    if (start >= body.length && m) {
      res.writeHead(416).end();
      return;
    }
    const slice = body.subarray(start);
    res.writeHead(m ? 206 : 200, {
      'content-length': String(slice.length),
      'accept-ranges': 'bytes',
      ...(m ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const cut = cutNext.get(path);
    if (cut !== undefined) {
      cutNext.delete(path);
      res.write(slice.subarray(0, cut), () => res.socket?.destroy());
      return;
    }
    res.end(slice);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pkg/`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(cacheRoot, { recursive: true, force: true });
  fixtures.cleanup();
});
beforeEach(() => {
  requests.length = 0;
});

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('URL model packages', () => {
  it('downloads nothing heavy to open a package, then fetches a model (and its external data) on first use', async () => {
    const runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }), cacheRoot, network: LOCAL_SERVER });
    const pkg = await runtime.openPackage({ source: base });
    expect(pkg.schedulerConfig?._class_name).toBe('PNDMScheduler');
    expect(requests.filter((r) => r.method === 'GET' && r.path.endsWith('.onnx'))).toEqual([]);
    const session = await runtime.session(packageFileRef(pkg, 'unet/model.onnx'));
    const gets = requests.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(gets).toContain('unet/model.onnx');
    expect(gets).toContain('unet/model.onnx_data');
    expect(gets.filter((p) => p.includes('.onnx') && !p.startsWith('unet/'))).toEqual([]);

    // Same numbers as the local folder.
    const local = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
    const localPkg = await local.openPackage({ source: pkgDir });
    const feeds = { sample: randomWeights(1, [1, 4, 8, 8], 1), timestep: 999, encoder_hidden_states: randomWeights(2, [1, 77, 768], 1) };
    const a = await session.run(feeds);
    const b = await (await local.session(packageFileRef(localPkg, 'unet/model.onnx'))).run(feeds);
    expect(Array.from(a.out_sample.data as Float32Array)).toEqual(Array.from(b.out_sample.data as Float32Array));

    // A second runtime over the same cache folder downloads nothing again.
    requests.length = 0;
    const again = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }), cacheRoot, network: LOCAL_SERVER });
    await again.session(packageFileRef(await again.openPackage({ source: base }), 'unet/model.onnx'));
    expect(requests.filter((r) => r.method === 'GET' && r.path.startsWith('unet/'))).toEqual([]);
    await Promise.all([runtime.release(), local.release(), again.release()]);
  });

  it('resumes a cut download with a Range request and reports progress', async () => {
    const rel = 'text_encoder/model.onnx';
    const size = statSync(join(pkgDir, rel)).size;
    cutNext.set(rel, 100_000);
    const store = nodeDownloadStore(base, join(cacheRoot, 'resume'));
    const source = urlSource(base, { store });
    const progress: number[] = [];
    source.onProgress((p) => {
      expect(p.file).toBe(rel);
      progress.push(p.loaded);
    });
    const first = await source.readFile(rel).then(() => undefined, (e: unknown) => e);
    expect(first).toBeInstanceOf(RuntimeError);
    expect((first as RuntimeError).message).toMatch(/(interrupted after|ended early at) \d+ .*resumes on the next attempt/);
    // What arrived before the cut is kept (at most the 100,000 bytes the server sent).
    const kept = await store.partialSize(rel);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(100_000);
    const bytes = await source.readFile(rel);
    expect(bytes.length).toBe(size);
    expect(Buffer.from(bytes).equals(readFileSync(join(pkgDir, rel)))).toBe(true);
    const gets = requests.filter((r) => r.method === 'GET' && r.path === rel);
    expect(gets.map((r) => r.range)).toEqual([undefined, `bytes=${kept}-`]);
    expect(progress[progress.length - 1]).toBe(size);
    expect(progress).toContain(kept);
  });

  it('checks sizes and sha256 from the models table and discards a mismatch', async () => {
    const rel = 'vae_decoder/model.onnx';
    const path = join(pkgDir, rel);
    const good = urlSource(base, { store: nodeDownloadStore(base, join(cacheRoot, 'good')), files: { [rel]: { size: statSync(path).size, sha256: sha256(path) } } });
    await good.prefetch();
    expect((await good.readFile(rel)).length).toBe(statSync(path).size);

    const store = nodeDownloadStore(base, join(cacheRoot, 'bad'));
    const bad = urlSource(base, { store, files: { [rel]: { sha256: '0'.repeat(64) } } });
    await expect(bad.readFile(rel)).rejects.toThrow(/vae_decoder\/model\.onnx from .* has sha256 [0-9a-f]{64}, expected 0{64}; the download was discarded/);
    expect(await store.has(rel)).toBe(false);
  });

  it('prefetch downloads the standard files with progress events; opening sessions then fetches nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'll-prefetch-'));
    try {
      const runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }), cacheRoot: root, network: LOCAL_SERVER });
      const events: string[] = [];
      runtime.onDownload((e) => {
        if (e.total !== undefined && e.loaded === e.total) events.push(e.file);
      });
      const files = await runtime.prefetch({ source: base });
      expect(files).toEqual(expect.arrayContaining(['model_index.json', 'tokenizer/vocab.json', 'text_encoder/model.onnx', 'unet/model.onnx', 'unet/model.onnx_data', 'vae_decoder/model.onnx', 'vae_encoder/model.onnx']));
      expect(events).toEqual(expect.arrayContaining(['unet/model.onnx_data', 'text_encoder/model.onnx']));
      requests.length = 0;
      const pkg = await runtime.openPackage({ source: base });
      for (const rel of ['text_encoder/model.onnx', 'unet/model.onnx', 'vae_decoder/model.onnx']) await runtime.session(packageFileRef(pkg, rel));
      expect(requests.filter((r) => r.method === 'GET')).toEqual([]);
      await runtime.release();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a missing file is a clear missing-file error', async () => {
    const runtime = createNodeRuntime({ backend: createNodeBackend(), cacheRoot, network: LOCAL_SERVER });
    const pkg = await runtime.openPackage({ source: base });
    const err = await runtime.session(packageFileRef(pkg, 'unet_xl/model.onnx'), { nodeId: 'u' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as RuntimeError).message).toBe(`node "u": model file unet_xl/model.onnx is missing (package ${base})`);
  });
});
