/**
 * Model manager in headless Chromium (issues 4 and 6): a URL model package (a copy of the
 * built-in toy-shapes package, served by the test server under another path) is downloaded from
 * the Models panel through the engine worker with streamed progress, lands in the browser's
 * Origin Private File System, is listed with its size, is still there after a page reload (a
 * fresh worker), runs the toy text-to-image graph without touching the network, and is gone
 * after "delete" — from the list and from OPFS. Then the same with the Cache API, which the worker
 * falls back to where OPFS has no writable file streams (Safari): the test takes
 * `createWritable` away in the worker before its first model call. A download cut off mid-file
 * resumes after a reload from the bytes kept in OPFS, with an HTTP Range request.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import type { StaticServer } from './server.ts';
import { HAS_CHROMIUM, SKIP_REASON, openEditor, startSession, type Session } from './harness.ts';
import { TOY_GRAPH, TOY_PACKAGE, engineWorker, openGraph, runForImage, serveAppWith, toyGraph, withModelSource } from './workerRuns.ts';
import { STANDARD_PACKAGE_FILES } from '../../src/runtime/runtime.ts';
import { formatBytes } from '../../src/ui/panels/ModelsPanel.tsx';

const HAS_TOY = existsSync(TOY_GRAPH) && existsSync(TOY_PACKAGE);
if (!HAS_CHROMIUM) console.log(SKIP_REASON);

/** Package folders the worker's OPFS holds under latentloom-models/, with their recorded URLs. */
async function opfsPackages(page: Page): Promise<string[]> {
  return engineWorker(page).evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    let top: FileSystemDirectoryHandle;
    try {
      top = await root.getDirectoryHandle('latentloom-models');
    } catch {
      return [];
    }
    const out: string[] = [];
    for await (const [, handle] of (top as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
      if (handle.kind !== 'directory') continue;
      const marker = await (handle as FileSystemDirectoryHandle).getFileHandle('.latentloom-source');
      out.push(await (await marker.getFile()).text());
    }
    return out;
  });
}

/** Makes the worker's OPFS look like Safari's (no writable streams); call before any model call. */
async function withoutOpfsWrites(page: Page): Promise<void> {
  await engineWorker(page).evaluate(() => {
    delete (FileSystemFileHandle.prototype as unknown as { createWritable?: unknown }).createWritable;
  });
}

/** URLs the worker's Cache API model cache holds. */
async function cacheApiUrls(page: Page): Promise<string[]> {
  return engineWorker(page).evaluate(async () => (await (await caches.open('latentloom-models')).keys()).map((r) => r.url));
}

async function reloadEditor(page: Page): Promise<void> {
  await page.reload();
  await page.waitForFunction(() => (window as unknown as { __latentloomReady?: boolean }).__latentloomReady === true, null, { timeout: 30_000 });
}

async function openModelsTab(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Models' }).click();
}

const cachedItem = (page: Page, base: string) => page.locator('.ll-model-list li', { has: page.locator('code', { hasText: base }) });

describe.skipIf(!HAS_CHROMIUM || !HAS_TOY)('model manager in Chromium: URL package download, OPFS cache, reload, run, delete', () => {
  let s: Session;
  let app: StaticServer;

  beforeAll(async () => {
    const settled = await Promise.allSettled([
      startSession().then((started) => void (s = started)),
      serveAppWith({ 'pkg-toy': TOY_PACKAGE, 'pkg-cache': TOY_PACKAGE }).then((server) => void (app = server)),
    ]);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
  });
  afterAll(async () => {
    await s?.close();
    await app?.close();
  });

  it('downloads with progress, persists across a reload, runs offline from the cache, deletes', async () => {
    const { page } = s;
    const base = `${app.url}/pkg-toy/`;
    const graph = withModelSource(toyGraph(3), base);
    const packageFiles = STANDARD_PACKAGE_FILES.filter((f) => existsSync(join(TOY_PACKAGE, f)));
    const packageBytes = packageFiles.reduce((n, f) => n + statSync(join(TOY_PACKAGE, f)).size, 0);

    await openEditor(page, app.url, '?fresh');
    await openGraph(page, graph, 'url-toy.json');
    await openModelsTab(page);
    await page.getByText('Nothing cached yet.').waitFor({ timeout: 10_000 });

    const row = page.getByTestId('model-download-toy');
    await row.getByRole('button', { name: 'download toy' }).click();
    await row.getByText(`downloaded: ${packageFiles.length} files`).waitFor({ timeout: 30_000 });
    // Every file reports its first and last bytes at least.
    expect(Number(await row.getAttribute('data-progress-reports'))).toBeGreaterThanOrEqual(2 * packageFiles.length);
    await expect.poll(() => cachedItem(page, base).textContent()).toContain(formatBytes(packageBytes));
    expect(await opfsPackages(page)).toEqual([base]);

    // A reload starts a fresh worker: the package is still cached.
    await reloadEditor(page);
    await openGraph(page, graph, 'url-toy.json');
    await openModelsTab(page);
    await expect.poll(() => cachedItem(page, base).textContent(), { timeout: 10_000 }).toContain(formatBytes(packageBytes));

    const requestsBefore = app.requests.length;
    await page.getByRole('tab', { name: /^Gallery/ }).click();
    const run = await runForImage(page, 'save');
    expect(run.status).not.toMatch(/error|fail/i);
    expect([run.width, run.height]).toEqual([64, 64]);
    // Everything came from OPFS: not one request for the package during the run.
    expect(app.requests.slice(requestsBefore).filter((r) => r.path.startsWith('/pkg-toy/'))).toEqual([]);

    await openModelsTab(page);
    await cachedItem(page, base).getByRole('button', { name: 'delete' }).click();
    await page.getByText('Nothing cached yet.').waitFor({ timeout: 10_000 });
    expect(await opfsPackages(page)).toEqual([]);
  }, 60_000);

  it('falls back to the Cache API where OPFS cannot write: download, reload, run, delete', async () => {
    const { page } = s;
    const base = `${app.url}/pkg-cache/`;
    const graph = withModelSource(toyGraph(2), base);
    await reloadEditor(page);
    await withoutOpfsWrites(page);
    await openGraph(page, graph, 'cache-api-toy.json');
    await openModelsTab(page);
    const row = page.getByTestId('model-download-toy');
    await row.getByRole('button', { name: 'download toy' }).click();
    await row.getByText(/downloaded: \d+ files/).waitFor({ timeout: 30_000 });
    await expect.poll(() => cachedItem(page, base).textContent()).toMatch(/MiB|KiB/);
    const shown = await cachedItem(page, base).textContent();
    expect(await cacheApiUrls(page)).toEqual(expect.arrayContaining([base, `${base}unet/model.onnx`, `${base}tokenizer/vocab.json`]));
    expect(await opfsPackages(page)).toEqual([]);

    await reloadEditor(page);
    await withoutOpfsWrites(page);
    await openGraph(page, graph, 'cache-api-toy.json');
    await openModelsTab(page);
    await expect.poll(() => cachedItem(page, base).textContent(), { timeout: 10_000 }).toBe(shown);
    const requestsBefore = app.requests.length;
    await page.getByRole('tab', { name: /^Gallery/ }).click();
    const run = await runForImage(page, 'save');
    expect([run.width, run.height]).toEqual([64, 64]);
    expect(app.requests.slice(requestsBefore).filter((r) => r.path.startsWith('/pkg-cache/'))).toEqual([]);

    await openModelsTab(page);
    await cachedItem(page, base).getByRole('button', { name: 'delete' }).click();
    await page.getByText('Nothing cached yet.').waitFor({ timeout: 10_000 });
    expect(await cacheApiUrls(page)).toEqual([]);
  }, 60_000);

  it('runs from a model folder chosen in the Models panel (folder:<name>, read in place)', async () => {
    const { page } = s;
    await reloadEditor(page);
    await openGraph(page, withModelSource(toyGraph(2), 'folder:toy-shapes'), 'folder-toy.json');
    await openModelsTab(page);
    // What "load folder" falls back to without showDirectoryPicker: <input webkitdirectory>.
    await page.getByTestId('model-folder-input').setInputFiles(TOY_PACKAGE);
    await page.getByText(/^folder:toy-shapes loaded \(\d+ package files\)$/).waitFor({ timeout: 10_000 });
    const requestsBefore = app.requests.length;
    await page.getByRole('tab', { name: /^Gallery/ }).click();
    const run = await runForImage(page, 'save');
    expect([run.width, run.height]).toEqual([64, 64]);
    expect(app.requests.slice(requestsBefore).filter((r) => r.path.includes('/models/') || r.path.includes('/pkg-'))).toEqual([]);
  }, 60_000);

  it('resumes a download cut off mid-file, after a reload, from the part kept in OPFS (HTTP Range)', async () => {
    const { page } = s;
    const unet = readFileSync(join(TOY_PACKAGE, 'unet/model.onnx'));
    const cutAt = 400_000;
    const ranges: string[] = [];
    let cut = false;
    // Same origin as the app (it is cross-origin isolated): the package with Range support and a
    // connection dropped once in the middle of the UNet; everything else from the app server.
    const server: Server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
      const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };
      if (path.startsWith('/pkg-resume/')) {
        const file = join(TOY_PACKAGE, path.slice('/pkg-resume/'.length));
        if (path.includes('..') || !existsSync(file) || statSync(file).isDirectory()) return void res.writeHead(404, isolation).end();
        const body = readFileSync(file);
        const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
        if (range) {
          ranges.push(`${path} ${req.headers.range}`);
          const from = Number(range[1]);
          res.writeHead(206, { ...isolation, 'Content-Length': String(body.length - from), 'Content-Range': `bytes ${from}-${body.length - 1}/${body.length}` });
          return void res.end(req.method === 'HEAD' ? undefined : body.subarray(from));
        }
        res.writeHead(200, { ...isolation, 'Content-Length': String(body.length) });
        if (req.method === 'HEAD') return void res.end();
        if (path.endsWith('unet/model.onnx') && !cut) {
          cut = true;
          res.write(body.subarray(0, cutAt));
          return void setTimeout(() => res.destroy(), 300);
        }
        return void res.end(body);
      }
      const upstream = request(`${app.url}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const base = `${origin}/pkg-resume/`;
    try {
      await openEditor(page, origin, '?fresh');
      await openGraph(page, withModelSource(toyGraph(2), base), 'resume-toy.json');
      await openModelsTab(page);
      const row = page.getByTestId('model-download-toy');
      await row.getByRole('button', { name: 'download toy' }).click();
      await row.locator('.ll-widget-error').getByText(/unet\/model\.onnx.*(interrupted|ended early)/).waitFor({ timeout: 20_000 });

      await reloadEditor(page);
      await openGraph(page, withModelSource(toyGraph(2), base), 'resume-toy.json');
      await openModelsTab(page);
      await row.getByRole('button', { name: 'download toy' }).click();
      await row.getByText(/downloaded: \d+ files/).waitFor({ timeout: 20_000 });
      expect(ranges).toHaveLength(1);
      const resumedFrom = Number(/bytes=(\d+)-/.exec(ranges[0])![1]);
      expect(ranges[0]).toMatch(/^\/pkg-resume\/unet\/model\.onnx bytes=\d+-$/);
      expect(resumedFrom).toBeGreaterThan(0);
      expect(resumedFrom).toBeLessThanOrEqual(cutAt);
      await expect.poll(() => cachedItem(page, base).textContent()).toContain('MiB');
      // The stitched file is the original, byte for byte: the toy pipeline runs on it.
      await page.getByRole('tab', { name: /^Gallery/ }).click();
      const run = await runForImage(page, 'save');
      expect([run.width, run.height]).toEqual([64, 64]);
      const size = await engineWorker(page).evaluate(async () => {
        const top = await (await navigator.storage.getDirectory()).getDirectoryHandle('latentloom-models');
        for await (const [, dir] of (top as unknown as { entries(): AsyncIterable<[string, FileSystemDirectoryHandle]> }).entries()) {
          const unetDir = await dir.getDirectoryHandle('unet');
          return (await (await unetDir.getFileHandle('model.onnx')).getFile()).size;
        }
        return -1;
      });
      expect(size).toBe(unet.length);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }, 60_000);
});
