/**
 * Model downloads read in KB/MB and per second (browser): a URL package served slowly is
 * fetched during the run; the node's progress and the toolbar's line show sizes and rates,
 * never raw byte counts.
 */
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { DIST, HAS_CHROMIUM, SKIP_REASON, ensureBuilt, openEditor, startSession, type Session } from './harness.ts';
import { TOY_PACKAGE, chooseBackend, openGraph, toyGraph, withModelSource } from './workerRuns.ts';

const HAS_TOY = existsSync(join(TOY_PACKAGE, 'unet/model.onnx'));
const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};
const MIME: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

/** dist/ as is, and the toy package under /pkg-slow/ at about 320 KB/s. */
async function slowPackageServer(): Promise<{ url: string; close(): Promise<void> }> {
  await ensureBuilt();
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const slow = path.startsWith('/pkg-slow/');
    const root = slow ? TOY_PACKAGE : DIST;
    let file = normalize(join(root, slow ? path.slice('/pkg-slow/'.length) : path));
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { ...HEADERS, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Length': String(body.length) });
      if (!slow) return void res.end(body);
      for (let at = 0; at < body.length; at += 16 * 1024) {
        if (res.destroyed) return;
        res.write(body.subarray(at, at + 16 * 1024));
        await new Promise((r) => setTimeout(r, 50));
      }
      res.end();
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.skipIf(!HAS_CHROMIUM || !HAS_TOY)('editor (browser): download progress in KB/MB', () => {
  let s: Session;
  let app: Awaited<ReturnType<typeof slowPackageServer>>;
  beforeAll(async () => {
    s = await startSession();
    app = await slowPackageServer();
    await s.page.setViewportSize({ width: 1440, height: 900 });
  });
  afterAll(async () => {
    await s?.close();
    await app?.close();
  });

  it('a run that downloads its model shows sizes and a rate, on the node and in the toolbar', { timeout: 120_000 }, async () => {
    await openEditor(s.page, app.url, '?fresh');
    await chooseBackend(s.page, 'wasm');
    await openGraph(s.page, withModelSource(toyGraph(3), `${app.url}/pkg-slow/`), 'slow-toy.json');
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    const status = s.page.getByTestId('status');
    await expect.poll(() => status.textContent(), { timeout: 60_000, interval: 20 }).toMatch(/↓ \d+(\.\d)? \/ \d+(\.\d)? (KB|MB) · \d+(\.\d)? (KB|MB)\/s/);
    const nodeText = await s.page.locator('.ll-progress-text').allTextContents();
    expect(nodeText.some((t) => / (KB|MB)/.test(t))).toBe(true);
    expect(nodeText.some((t) => /^\d{5,}\/\d{5,}$/.test(t))).toBe(false);
    await s.page.screenshot({ path: '/tmp/newcomer-d3-download.png' });
    await s.page.waitForFunction(() => !(window as any).__latentloom.running(), null, { timeout: 90_000 });
    expect(await status.textContent()).toMatch(/^Done in/);
    expect(s.errors).toEqual([]);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
