/**
 * URL package downloads under the network policy, against a real loopback server: a stalled
 * transfer fails with the host and the wait in its message and resumes afterwards; a stall before
 * any byte leaves no partial file; a cached model that fails to load is dropped and fetched again.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { cacheFolderName, nodeDownloadStore } from '../../src/runtime/node/downloadStore.ts';
import { urlSource } from '../../src/runtime/urlSource.ts';
import { packageFileRef } from '../../src/runtime/handles.ts';
import { defaultNetworkPolicy } from '../../src/security/network.ts';
import { guardedFetch } from '../../src/security/nodeFetch.ts';
import { makeTinySdPackages } from '../fixtures/tinySd.ts';

const fixtures = makeTinySdPackages(['sd15']);
const pkgDir = fixtures.packages.sd15.dir;
let server: Server;
let base: string;
let root: string;
const gets: { path: string; range?: string }[] = [];
/** Paths whose next GET sends this many bytes and then stalls. */
const stallNext = new Map<string, number>();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'll-urlcache-'));
  server = createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url!, 'http://x').pathname).replace(/^\/pkg\//, '');
    const file = join(pkgDir, rel);
    if (rel.includes('..') || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    if (req.method === 'GET') gets.push({ path: rel, range: req.headers.range });
    const body = readFileSync(file);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const slice = body.subarray(start);
    res.writeHead(m ? 206 : 200, { 'content-length': String(slice.length), ...(m ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}) });
    if (req.method === 'HEAD') return void res.end();
    const stall = stallNext.get(rel);
    if (stall !== undefined) {
      stallNext.delete(rel);
      if (stall > 0) res.write(slice.subarray(0, stall));
      else res.flushHeaders();
      return; // holds the connection open, sending nothing more
    }
    res.end(slice);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pkg/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(root, { recursive: true, force: true });
  fixtures.cleanup();
});
beforeEach(() => {
  gets.length = 0;
});

const policy = (idleTimeoutMs: number) => defaultNetworkPolicy({ allowPrivateNetwork: true, idleTimeoutMs });

describe('URL package downloads under the network policy', () => {
  it('a stalled download fails naming the host and the wait, keeps what arrived, and resumes', async () => {
    const rel = 'text_encoder/model.onnx';
    const full = readFileSync(join(pkgDir, rel));
    stallNext.set(rel, 50_000);
    const store = nodeDownloadStore(base, join(root, 'stall'));
    const source = urlSource(base, { store, fetch: guardedFetch({ policy: policy(300), purpose: 'model' }) });
    const t0 = Date.now();
    await expect(source.readFile(rel)).rejects.toThrow(/interrupted after 50000 of \d+ bytes \(model download from host 127\.0\.0\.1 stalled for 0\.3 s.*resumes on the next attempt/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await store.partialSize(rel)).toBe(50_000);
    const bytes = await source.readFile(rel);
    expect(Buffer.from(bytes).equals(full)).toBe(true);
    expect(gets.map((g) => g.range)).toEqual([undefined, 'bytes=50000-']);
  });

  it('a stall before the first byte leaves no partial file behind', async () => {
    const rel = 'vae_decoder/model.onnx';
    stallNext.set(rel, 0);
    const store = nodeDownloadStore(base, join(root, 'empty'));
    const partPath = join(root, 'empty', cacheFolderName(base), `${rel}.part`);
    const source = urlSource(base, { store, fetch: guardedFetch({ policy: policy(300), purpose: 'model' }) });
    await expect(source.readFile(rel)).rejects.toThrow(/stalled for 0\.3 s/);
    expect(existsSync(partPath)).toBe(false); // not even an empty .part file
    expect(await store.has(rel)).toBe(false);
  });

  it('a cached model that fails to load is removed, and the next session downloads it again', async () => {
    const cacheRoot = join(root, 'broken');
    const rel = 'vae_decoder/model.onnx';
    const cached = join(cacheRoot, cacheFolderName(base), rel);
    mkdirSync(join(cached, '..'), { recursive: true });
    writeFileSync(cached, readFileSync(join(pkgDir, rel)).subarray(0, 300)); // a cut-off copy, no sizes to catch it
    const runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }), cacheRoot, network: { allowPrivateNetwork: true } });
    const pkg = await runtime.openPackage({ source: base });
    await expect(runtime.session(packageFileRef(pkg, rel))).rejects.toThrow(/removed from the cache and is fetched again/);
    expect(existsSync(cached)).toBe(false);
    expect(gets.filter((g) => g.path === rel)).toEqual([]);
    const session = await runtime.session(packageFileRef(pkg, rel));
    expect(session.inputs.length).toBeGreaterThan(0);
    expect(gets.filter((g) => g.path === rel).length).toBe(1);
    expect(readFileSync(cached).equals(readFileSync(join(pkgDir, rel)))).toBe(true);
    await runtime.release();
  });
});
