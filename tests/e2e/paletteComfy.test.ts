/** The palette speaks ComfyUI (browser): "KSampler" offers the sampler zone template first and inserts it. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HAS_CHROMIUM, ROOT, SKIP_REASON, openEditor, probe, startSession, type Session } from './harness.ts';

const HAS_GRAPH = existsSync(join(ROOT, 'graphs/toy-txt2img.json'));

describe.skipIf(!HAS_CHROMIUM || !HAS_GRAPH)('editor (browser): palette with ComfyUI names', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
    await s.page.setViewportSize({ width: 1440, height: 900 });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('KSampler → the sampler zone template, inserted with Enter', async () => {
    await openEditor(s.page, s.server.url, '?fresh');
    const before = (await probe(s.page, (p) => p.doc())).nodes.length;
    const pane = (await s.page.locator('.react-flow__pane').boundingBox())!;
    await s.page.mouse.dblclick(pane.x + 200, pane.y + 120);
    await s.page.getByLabel('search nodes').fill('KSampler');
    const first = s.page.locator('.ll-palette-list li').first();
    expect(await first.locator('.ll-palette-title').textContent()).toBe('Text-to-image sampler zone');
    expect(await first.locator('.ll-palette-via').textContent()).toBe('≈ KSampler');
    const titles = await s.page.locator('.ll-palette-list .ll-palette-title').allTextContents();
    expect(titles).toContain('Denoise (UNet)');
    await s.page.screenshot({ path: '/tmp/newcomer-b1-palette-ksampler.png' });
    await s.page.getByLabel('search nodes').fill('CheckpointLoaderSimple');
    expect(await s.page.locator('.ll-palette-list li .ll-palette-title').first().textContent()).toBe('Load model');
    await s.page.screenshot({ path: '/tmp/newcomer-b2-palette-checkpoint.png' });
    await s.page.getByLabel('search nodes').fill('KSampler');
    await s.page.keyboard.press('Enter');
    expect((await probe(s.page, (p) => p.doc())).nodes.length).toBeGreaterThan(before + 10);
    expect(s.errors).toEqual([]);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
