/**
 * Model manager in headless Chromium (issues 4 and 6): a URL model package (a copy of the
 * built-in toy-shapes package, served by the test server under another path) is downloaded from
 * the Models panel through the engine worker with streamed progress, lands in the browser's
 * Origin Private File System, is listed with its size, is still there after a page reload (a
 * fresh worker), runs the toy text-to-image graph without touching the network, and is gone
 * after "delete" — from the list and from OPFS. Then the same with the Cache API, which the worker
 * falls back to where OPFS has no writable file streams (Safari): the test takes
 * `createWritable` away in the worker before its first model call.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
});
