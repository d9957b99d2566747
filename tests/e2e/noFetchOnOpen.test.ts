/**
 * Opening a graph fetches nothing the graph names. A shared file whose `image/load` source is an
 * http(s) URL (a tracking pixel), whose models table names a URL package and whose `onnx/model`
 * node names a URL model must cause no request to those servers when it is imported, pasted or
 * restored from the autosave — only Run (or an explicit "load preview") may fetch.
 */
import { createServer, type Server } from 'node:http';
import { HAS_CHROMIUM, SKIP_REASON, node, openEditor, startSession, type Session } from './harness.ts';

if (!HAS_CHROMIUM && process.env.CI) throw new Error(`${SKIP_REASON} — CI needs chromium`);

// A 1×1 transparent PNG.
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

interface Tracker {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** A loopback server on a free port that answers everything with the pixel and counts requests. */
async function startTracker(): Promise<Tracker> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '/');
    res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' });
    res.end(PIXEL);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function trackingGraph(base: string): object {
  return {
    format: 'latentloom.graph',
    version: 1,
    meta: { title: 'Shared graph with a tracking pixel' },
    models: { remote: { source: `${base}/model-package/` } },
    nodes: [
      { id: 'load', type: 'image/load', version: 1, params: { source: `${base}/pixel.png?from=image-load` }, ui: { x: 0, y: 0 } },
      { id: 'save', type: 'image/save', version: 1, params: { filename_prefix: 'tracked', embed_graph: false }, ui: { x: 320, y: 0 } },
      { id: 'model', type: 'onnx/model', version: 1, params: { source: `${base}/model.onnx` }, ui: { x: 0, y: 320 } },
    ],
    edges: [{ from: { node: 'load', port: 'image' }, to: { node: 'save', port: 'images' } }],
  };
}

const settle = (ms = 1500) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!HAS_CHROMIUM)('editor (browser): opening a graph fetches nothing it names', () => {
  let s: Session;
  let tracker: Tracker;
  beforeAll(async () => {
    tracker = await startTracker();
    s = await startSession();
    await openEditor(s.page, s.server.url, '?fresh&example=math-demo');
  });
  afterAll(async () => {
    await s?.close();
    await tracker?.close();
  });

  it('importing the file makes no request to the URLs it names', async () => {
    const graph = trackingGraph(tracker.url);
    await s.page.getByTestId('file-input').setInputFiles({ name: 'shared.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(graph)) });
    await s.page.locator(node('load')).waitFor();
    await settle();
    expect(tracker.requests).toEqual([]);
    // The URL image is not shown by itself; the widget offers to load it.
    expect(await s.page.locator(`${node('load')} img`).count()).toBe(0);
    expect(await s.page.locator(`${node('load')} [data-testid="load-preview"]`).count()).toBe(1);
  });

  it('restoring it from the autosave on reload makes no request either', async () => {
    // Autosave is debounced: wait until it holds the graph, then reload without ?fresh.
    await settle(1000);
    await openEditor(s.page, s.server.url, '');
    await s.page.locator(node('load')).waitFor();
    await settle();
    expect(tracker.requests).toEqual([]);
  });

  it('"load preview" is the explicit action that fetches the image for the widget', async () => {
    await s.page.locator(`${node('load')} [data-testid="load-preview"]`).click();
    await s.page.locator(`${node('load')} img`).waitFor();
    await settle(500);
    expect(tracker.requests.filter((r) => r.startsWith('/pixel.png'))).toHaveLength(1);
    expect(tracker.requests.filter((r) => !r.startsWith('/pixel.png'))).toEqual([]);
  });

  it('Run asks for the image source under the network rule (a loopback host is refused), and for nothing else', async () => {
    tracker.requests.length = 0;
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await s.page.waitForFunction(() => (window as any).__latentloom.lastRun() !== undefined, null, { timeout: 30_000 });
    await s.page.waitForFunction(() => !(window as any).__latentloom.running(), null, { timeout: 30_000 });
    // The worker refuses graph-named URLs to loopback by their literal address, before any request.
    const error = await s.page.evaluate(() => String((window as any).__latentloom.lastRun()?.error ?? ''));
    expect(error, error).toMatch(/refused: it is a loopback address/);
    expect(tracker.requests).toEqual([]);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
