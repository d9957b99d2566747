/**
 * The network rule through the real CLI process (`node bin/latentloom.mjs run`): a graph's
 * image URL on loopback is refused before any request; a stalled server fails clearly and fast;
 * a truncated cached package file is dropped and downloaded again; `--network none` still runs a
 * cached package without touching the network.
 */
import { createServer, type Server } from 'node:http';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runCliProcess } from './hostileHarness.ts';
import { cacheFolderName } from '../../src/runtime/node/downloadStore.ts';
import { makeTinySdPackages } from '../fixtures/tinySd.ts';

const fixtures = makeTinySdPackages(['sd15']);
const pkgDir = fixtures.packages.sd15.dir;
let server: Server;
let origin: string;
const hits: string[] = [];
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'll-cli-net-'));
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    hits.push(`${req.method} ${path}`);
    if (path === '/stall.png') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': '100000' });
      res.write(Buffer.from([0x89, 0x50, 0x4e, 0x47])); // then nothing, connection held open
      return;
    }
    const rel = path.replace(/^\/pkg\//, '');
    const file = join(pkgDir, rel);
    if (!path.startsWith('/pkg/') || rel.includes('..') || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
  fixtures.cleanup();
});
beforeEach(() => {
  hits.length = 0;
});

function imageGraph(source: string): string {
  const file = join(work, `image-${hits.length}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      format: 'latentloom.graph',
      version: 1,
      models: {},
      nodes: [
        { id: 'load', type: 'image/load', version: 1, params: { source } },
        { id: 'save', type: 'image/save', version: 1, params: { filename_prefix: 'net' } },
      ],
      edges: [{ from: { node: 'load', port: 'image' }, to: { node: 'save', port: 'images' } }],
    }),
  );
  return file;
}

/** JSON files of the tiny package: what model/load reads (the .onnx files are only probed). */
const JSON_FILES = ['model_index.json', 'scheduler/scheduler_config.json', 'vae_decoder/config.json', 'tokenizer/vocab.json', 'tokenizer/merges.txt', 'tokenizer/tokenizer_config.json', 'tokenizer/special_tokens_map.json'].filter((rel) => existsSync(join(pkgDir, rel)));

function modelGraph(withSizes: boolean): string {
  const file = join(work, `model-${Math.random().toString(36).slice(2)}.json`);
  const files = Object.fromEntries(JSON_FILES.map((rel) => [rel, { size: statSync(join(pkgDir, rel)).size }]));
  writeFileSync(
    file,
    JSON.stringify({
      format: 'latentloom.graph',
      version: 1,
      models: { sd: { source: `${origin}/pkg/`, ...(withSizes ? { files } : {}) } },
      nodes: [{ id: 'model', type: 'model/load', version: 1, params: { model: 'sd' } }],
      edges: [],
    }),
  );
  return file;
}

const env = (extra: Record<string, string>) => ({ ...process.env, ...extra });

describe('latentloom run: graph-provided URLs', () => {
  it('refuses image/load of a loopback URL and sends the server no request', async () => {
    const out = await runCliProcess(['run', imageGraph(`${origin}/admin`), '--out', join(work, 'out'), '--json']);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout);
    expect(report.error.node).toBe('load');
    expect(report.error.message).toMatch(/image download from host 127\.0\.0\.1 refused: it is a loopback address .*--allow-private-network/);
    expect(hits).toEqual([]);
  });

  it('rejects an unknown --network value as bad usage', async () => {
    const out = await runCliProcess(['run', imageGraph(`${origin}/x.png`), '--network', 'everything']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--network must be none, models or all/);
  });

  it('refuses a cloud metadata address even with --allow-private-network', async () => {
    const out = await runCliProcess(['run', imageGraph('http://169.254.169.254/latest/meta-data/'), '--allow-private-network', '--json']);
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout).error.message).toMatch(/169\.254\.169\.254 refused: it is a cloud metadata service address/);
  });

  it('--network none refuses image URLs', async () => {
    const out = await runCliProcess(['run', imageGraph(`${origin}/x.png`), '--network', 'none', '--allow-private-network', '--json']);
    expect(JSON.parse(out.stdout).error.message).toMatch(/network access is off \(--network none\)/);
    expect(hits).toEqual([]);
  });

  it('a stalled image server fails with a clear error well under 20 s', async () => {
    const out = await runCliProcess(['run', imageGraph(`${origin}/stall.png`), '--allow-private-network', '--json'], {
      env: env({ LATENTLOOM_STALL_TIMEOUT_S: '1' }),
      timeoutMs: 20_000,
    });
    expect(out.timedOut).toBe(false);
    expect(out.ms).toBeLessThan(20_000);
    expect(JSON.parse(out.stdout).error.message).toMatch(/image download from host 127\.0\.0\.1 stalled for 1 s/);
    expect(hits).toEqual(['GET /stall.png']);
  });

  it('drops a truncated cached package file and downloads it again', async () => {
    const cache = join(work, 'cache-truncated');
    const folder = join(cache, cacheFolderName(`${origin}/pkg/`));
    for (const rel of JSON_FILES) {
      mkdirSync(join(folder, rel, '..'), { recursive: true });
      cpSync(join(pkgDir, rel), join(folder, rel));
    }
    const full = readFileSync(join(pkgDir, 'model_index.json'));
    writeFileSync(join(folder, 'model_index.json'), full.subarray(0, Math.floor(full.length / 2)));
    const out = await runCliProcess(['run', modelGraph(true), '--output', 'model', '--allow-private-network', '--json'], { env: env({ LATENTLOOM_CACHE: cache }) });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout).ok).toBe(true);
    expect(hits).toContain('GET /pkg/model_index.json');
    // Only the bad file was fetched again; the good cached ones were kept.
    expect(hits.filter((h) => h.startsWith('GET ') && h !== 'GET /pkg/model_index.json')).toEqual([]);
    expect(readFileSync(join(folder, 'model_index.json')).equals(full)).toBe(true);
  });

  it('--network none runs a cached package without any request', async () => {
    const cache = join(work, 'cache-offline');
    const folder = join(cache, cacheFolderName(`${origin}/pkg/`));
    for (const rel of JSON_FILES) {
      mkdirSync(join(folder, rel, '..'), { recursive: true });
      cpSync(join(pkgDir, rel), join(folder, rel));
    }
    const out = await runCliProcess(['run', modelGraph(true), '--output', 'model', '--network', 'none', '--json'], { env: env({ LATENTLOOM_CACHE: cache }) });
    expect(JSON.parse(out.stdout).ok).toBe(true);
    expect(hits).toEqual([]);
  });

  it('an unresolvable package host says which host, why, how big, and how to use a local copy; leaves no cache entry', async () => {
    const cache = join(work, 'cache-dns');
    // model/load reads these three at once; whichever fails first names its size.
    const GIANT = Object.fromEntries(['model_index.json', 'scheduler/scheduler_config.json', 'vae_decoder/config.json'].map((rel) => [rel, { size: 1_700_000_000 }]));
    const file = join(work, 'dns.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'latentloom.graph',
        version: 1,
        models: { sd: { source: 'https://no-such-host.invalid/pkg/', files: GIANT } },
        nodes: [{ id: 'model', type: 'model/load', version: 1, params: { model: 'sd' } }],
        edges: [],
      }),
    );
    const out = await runCliProcess(['run', file, '--output', 'model', '--json'], { env: env({ LATENTLOOM_CACHE: cache }) });
    const message: string = JSON.parse(out.stdout).error.message;
    expect(message).toMatch(/could not download \S+\.json \(1\.7 GB\) of model package https:\/\/no-such-host\.invalid\/pkg\//);
    expect(message).toMatch(/could not resolve host no-such-host\.invalid \((ENOTFOUND|EAI_AGAIN)/);
    expect(message).toMatch(/local path as the model's source/);
    expect(message).not.toMatch(/has none of the files/);
    expect(existsSync(join(cache, cacheFolderName('https://no-such-host.invalid/pkg/')))).toBe(false);
  });
});
