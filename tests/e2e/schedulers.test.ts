/**
 * The "Toy schedulers side by side" example in the browser: after Run each zone's frame shows its
 * step count and time, the gallery names each picture by its sampler, and the four pictures are
 * not all the same (4 steps each: the samplers part ways).
 */
import { HAS_CHROMIUM, SKIP_REASON, openEditor, screenshot, useSession } from './harness.ts';
import { chooseBackend } from './workerRuns.ts';

if (!HAS_CHROMIUM && process.env.CI) throw new Error(`${SKIP_REASON} — CI needs chromium`);

describe.skipIf(!HAS_CHROMIUM)('editor (browser): toy schedulers side by side', () => {
  const session = useSession();

  it('shows steps and time per sampler zone, and four captioned pictures that differ', async () => {
    await openEditor(session().page, session().server.url, '?fresh&example=toy-schedulers');
    await chooseBackend(session().page, 'wasm');
    await session().page.getByRole('button', { name: '▶ Run' }).click();
    await session().page.waitForFunction(() => document.querySelectorAll('[data-testid="gallery"] figure').length === 4, null, { timeout: 60_000 });
    await session().page.locator('.react-flow__controls-fitview').click();
    const summaries = await session().page.locator('[data-testid="zone-summary"]').allTextContents();
    // One iteration a step; Heun's loop runs once per model evaluation (2 a step but the last).
    expect(summaries.map((t) => t.replace(/ · \d+(\.\d+)? m?s$/, '')).sort()).toEqual([' · 4 iterations', ' · 4 iterations', ' · 4 iterations', ' · 7 iterations']);
    const captions = await session().page.locator('[data-testid="gallery"] figcaption').allTextContents();
    expect(captions.map((c) => c.replace(/ · 64×64 · run 1PNG$/, '')).sort()).toEqual([
      'DDIM · 4 steps', 'DPM++ 2M Karras · 4 steps', 'Euler ancestral · 4 steps', 'Heun · 4 steps (7 evaluations)',
    ]);
    const pictures = await session().page.locator('[data-testid="gallery"] img').evaluateAll(async (imgs) => Promise.all(imgs.map(async (img) => {
      const bytes = new Uint8Array(await (await fetch((img as HTMLImageElement).src)).arrayBuffer());
      return Array.from(bytes.subarray(0, 4096)).join(',').length + ':' + bytes.length + ':' + bytes.reduce((a, b) => (a * 31 + b) >>> 0, 7);
    })));
    expect(new Set(pictures).size).toBeGreaterThanOrEqual(3);
    await screenshot(session().page, 'toy-schedulers-after-run');
  }, 120_000);
});
