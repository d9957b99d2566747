/**
 * Browser tests of running and images, without a model: image/load → image/save runs in the
 * worker, the PNG appears on its node and in the gallery, its download carries the graph, and
 * dropping it back onto the editor restores that graph. Also Cancel mid-run, then Run again.
 */
import { readFileSync } from 'node:fs';
import { encodePng, readPngText } from '../../src/tensor/png.ts';
import { HAS_CHROMIUM, SKIP_REASON, node, openEditor, probe, screenshot, startSession, type Session } from './harness.ts';

function gradientDataUrl(size = 24): string {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = 3 * (y * size + x);
      data[i] = (x * 255) / (size - 1);
      data[i + 1] = (y * 255) / (size - 1);
      data[i + 2] = 128;
    }
  }
  return `data:image/png;base64,${Buffer.from(encodePng({ width: size, height: size, channels: 3, data })).toString('base64')}`;
}

const IMAGE_GRAPH = {
  format: 'latentloom.graph',
  version: 1,
  meta: { title: 'Image round trip' },
  models: {},
  nodes: [
    { id: 'load', type: 'image/load', version: 1, params: { source: gradientDataUrl() }, ui: { x: 0, y: 0 } },
    { id: 'save', type: 'image/save', version: 1, params: { filename_prefix: 'roundtrip', embed_graph: true }, ui: { x: 320, y: 0 } },
  ],
  edges: [{ from: { node: 'load', port: 'image' }, to: { node: 'save', port: 'images' } }],
};

describe.skipIf(!HAS_CHROMIUM)('editor (browser): images and runs', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
    await openEditor(s.page, s.server.url, '?fresh&example=math-demo');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('runs a graph and shows its image on the node and in the gallery', async () => {
    await s.page.getByTestId('file-input').setInputFiles({ name: 'image-graph.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(IMAGE_GRAPH)) });
    await s.page.locator(node('save')).waitFor();
    const issues = await s.page.getByTestId('issues-tab').textContent();
    expect(issues).toBe('Issues (0)');
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await s.page.locator(`${node('save')} [data-testid="node-image"]`).waitFor({ timeout: 30_000 });
    await s.page.locator('[data-testid="gallery"] img').first().waitFor();
    expect(await s.page.locator('[data-testid="gallery"] figcaption').first().textContent()).toMatch(/save · 24×24/);
    await screenshot(s.page, 'images-01-run-image');
  });

  it('downloads a PNG carrying the graph, and dropping it back loads the same graph', async () => {
    const before = await probe(s.page, (p) => p.doc());
    const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.getByTestId('download-png').first().click()]);
    const path = await download.path();
    const bytes = new Uint8Array(readFileSync(path));
    const text = readPngText(bytes);
    expect(JSON.parse(text['latentloom.graph']).nodes.map((n: { id: string }) => n.id)).toEqual(['load', 'save']);

    await s.page.getByRole('button', { name: 'New' }).click();
    expect((await probe(s.page, (p) => p.doc())).nodes).toEqual([]);
    // Drop the file on the editor as a user would from the file manager.
    await s.page.evaluate(async (b64) => {
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bin], 'downloaded.png', { type: 'image/png' }));
      document.querySelector('.ll-app')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, Buffer.from(bytes).toString('base64'));
    await s.page.waitForFunction(() => (window as any).__latentloom.doc().nodes.length === 2);
    const after = await probe(s.page, (p) => p.doc());
    expect(after.nodes).toEqual(before.nodes);
    expect(after.edges).toEqual(before.edges);
    await screenshot(s.page, 'images-02-png-dropped-back');
  });

  it('the image widget takes a picked picture, and the next run uses it', async () => {
    await s.page.getByTestId('file-input').setInputFiles({ name: 'image-graph.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(IMAGE_GRAPH)) });
    await s.page.locator(node('load')).waitFor();
    const small = Buffer.from(gradientDataUrl(16).split(',')[1], 'base64');
    await s.page.locator(`${node('load')} [data-param="source"] input[type="file"]`).setInputFiles({ name: 'small.png', mimeType: 'image/png', buffer: small });
    await expect.poll(async () => String((await probe(s.page, (p) => p.doc())).nodes.find((n) => n.id === 'load')!.params.source).slice(0, 22)).toBe('data:image/png;base64,');
    await s.page.keyboard.press('Control+Enter');
    await expect.poll(() => s.page.locator('[data-testid="gallery"] figcaption').first().textContent()).toMatch(/save · 16×16/);
    await screenshot(s.page, 'images-03-image-widget');
  });

    it('cancels a long run, then runs again to completion', async () => {
    await openEditor(s.page, s.server.url, '?fresh&example=math-demo');
    const steps = s.page.locator(`${node('steps')} input[aria-label="value"]`);
    await steps.fill('100000');
    await steps.blur();
    await s.page.keyboard.press('Control+Enter');
    await s.page.locator(`${node('loop_out')} .ll-progress`).waitFor({ timeout: 15_000 });
    await screenshot(s.page, 'images-03-running');
    await s.page.getByRole('button', { name: '■ Cancel' }).click();
    await s.page.waitForFunction(() => !(window as any).__latentloom.running(), null, { timeout: 15_000 });
    // The status bar renders on the next React commit after the run store says it stopped.
    await s.page.waitForFunction(() => !/^(Running…|Starting…|node \d)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ''), null, { timeout: 5_000 });
    expect(await s.page.getByTestId('status').textContent()).toBe('Cancelled');
    await steps.fill('3');
    await steps.blur();
    await s.page.keyboard.press('Control+Enter');
    await s.page.waitForFunction(() => document.querySelector('[data-id="finish"] [data-testid="node-values"]')?.textContent === 'result = 12.5', null, { timeout: 15_000 });
    expect(await s.page.getByTestId('status').textContent()).toMatch(/^Done in/);
    expect(s.errors).toEqual([]);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
