/**
 * The editor's first impression, for real: open the app with no query → the default graph
 * (graphs/toy-txt2img.json) is on the canvas → Run makes an image with the built-in toy-shapes
 * model in the worker (onnxruntime-web, wasm). Then editing the prompt re-runs only what depends
 * on it. Also prints Run → first image and main-thread long tasks during the run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HAS_CHROMIUM, ROOT, SKIP_REASON, chooseSetting, node, openEditor, probe, screenshot, startSession, type Session } from './harness.ts';
import { measureRun } from './measure.ts';

const HAS_GRAPH = existsSync(join(ROOT, 'graphs/toy-txt2img.json'));

describe.skipIf(!HAS_CHROMIUM || !HAS_GRAPH)('editor (browser): toy text-to-image', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('opens on the default graph and Run makes an image', async () => {
    await s.page.goto(`${s.server.url}/`);
    await s.page.evaluate(() => localStorage.setItem('latentloom.backend', 'wasm'));
    await openEditor(s.page, s.server.url, '');
    const doc = await probe(s.page, (p) => p.doc());
    expect(doc.nodes.some((n) => n.id === 'prompt')).toBe(true);
    await s.page.locator(node('prompt')).waitFor();
    // The sampler opens as a collapsed zone: one box.
    expect(await s.page.locator('[data-zone-box="sampler"]').count()).toBe(1);
    await screenshot(s.page, 'txt2img-01-default-graph');
    const run = await measureRun(s.page, 120_000);
    console.log(`[editor] toy-txt2img (wasm): Run → first image ${run.firstImageMs} ms; long tasks during the run: ${run.longTasks.length}${run.longTasks.length ? ` (longest ${Math.max(...run.longTasks).toFixed(0)} ms)` : ''}`);
    const last = await probe(s.page, (p) => p.lastRun());
    expect(last?.error).toBeUndefined();
    await expect.poll(() => s.page.getByTestId('backend-in-use').textContent()).toBe('onnxruntime-web/wasm');
    const caption = await s.page.locator('[data-testid="gallery"] figcaption').first().textContent();
    expect(caption).toMatch(/64×64/);
    await s.page.locator('.react-flow__controls-fitview').click();
    await screenshot(s.page, 'txt2img-02-image');
    expect(s.errors).toEqual([]);
  });

  it('after editing the prompt, only the nodes that depend on it run again', async () => {
    const text = s.page.locator(`${node('prompt')} textarea`);
    if (!(await text.isVisible())) await s.page.locator('.react-flow__controls-fitview').click();
    await text.fill('a blue square on white');
    await text.blur();
    const before = await s.page.locator('[data-testid="gallery"] img').count();
    await s.page.keyboard.press('Control+Enter');
    await s.page.waitForFunction((n) => document.querySelectorAll('[data-testid="gallery"] img').length > n && !(window as any).__latentloom.running(), before, { timeout: 120_000 });
    const last = (await probe(s.page, (p) => p.lastRun()))!;
    expect(last.error).toBeUndefined();
    // The text encoding is a subgraph: its inner nodes run under flat ids.
    for (const id of ['prompt', 'text_encoding/tokenize', 'text_encoding/encode', 'denoise', 'decode', 'save']) expect(last.executed).toContain(id);
    for (const id of ['load', 'negative', 'text_encoding/tokenize_negative', 'text_encoding/encode_negative', 'scheduler', 'noise']) expect(last.executed).not.toContain(id);
    expect(last.cached).toContain('load');
    await screenshot(s.page, 'txt2img-03-prompt-edited');
  });

  it('a new threads setting starts a new worker whose onnxruntime-web runs that many threads', async () => {
    const ortThreads = () => s.page.workers().filter((w) => !/engineWorker/.test(w.url())).length;
    expect(ortThreads()).toBe(0); // auto on this machine's cores, or one thread: no thread workers
    await chooseSetting(s.page, 'threads', '2');
    expect(await s.page.evaluate(() => localStorage.getItem('latentloom.threads'))).toBe('2');
    const before = await s.page.locator('[data-testid="gallery"] img').count();
    await s.page.keyboard.press('Control+Enter');
    await s.page.waitForFunction((n) => document.querySelectorAll('[data-testid="gallery"] img').length > n && !(window as any).__latentloom.running(), before, { timeout: 120_000 });
    const last = (await probe(s.page, (p) => p.lastRun()))!;
    expect(last.error).toBeUndefined();
    expect(last.executed).toContain('load'); // a fresh worker: nothing cached
    await expect.poll(ortThreads).toBeGreaterThan(0);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
else if (!HAS_GRAPH) it.skip('graphs/toy-txt2img.json is missing; the default-graph run is not tested', () => {});
