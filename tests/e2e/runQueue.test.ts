/**
 * The run queue in the browser (ComfyUI-style): a batch of 3 with the noise seed on "randomise
 * after run" queues 3 runs (count badge, queue panel), all finish, and the gallery holds a
 * picture of each; a queued run removed with its × never runs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HAS_CHROMIUM, ROOT, SKIP_REASON, node, openEditor, probe, startSession, type Session } from './harness.ts';

const HAS_GRAPH = existsSync(join(ROOT, 'graphs/toy-txt2img.json'));

describe.skipIf(!HAS_CHROMIUM || !HAS_GRAPH)('editor (browser): run queue', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
    await s.page.setViewportSize({ width: 1440, height: 900 });
  });
  afterAll(async () => {
    await s?.close();
  });

  const captions = () => s.page.locator('[data-testid="gallery"] figcaption').allTextContents();
  const idle = () => s.page.waitForFunction(() => !(window as any).__latentloom.running() && !document.querySelector('[data-testid="queue-panel"]'), null, { timeout: 180_000 });

  it('queues a batch of 3 runs; all finish and each adds its picture to the gallery', { timeout: 240_000 }, async () => {
    await s.page.goto(`${s.server.url}/`);
    await s.page.evaluate(() => localStorage.setItem('latentloom.backend', 'wasm'));
    await openEditor(s.page, s.server.url, '?fresh');
    await s.page.locator(`${node('noise')} .ll-seed-mode input`).check();
    await s.page.getByLabel('batch count').fill('3');
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await s.page.getByTestId('queue-panel').waitFor();
    expect(Number(await s.page.getByTestId('queue-count').textContent())).toBeGreaterThan(0);
    await s.page.screenshot({ path: '/tmp/newcomer-c1-queue.png' });
    await idle();
    const runsSeen = new Set((await captions()).map((c) => /run (\d+)/.exec(c)?.[1]));
    expect([...runsSeen].sort()).toEqual(['1', '2', '3']);
    // One entry per picture: the Save's, not the Preview's copy of it too.
    expect((await captions()).map((c) => c.split(' · ')[0])).toEqual(['save', 'save', 'save']);
    expect(await s.page.getByTestId('queue-count').count()).toBe(0);
    expect((await probe(s.page, (p) => p.lastRun()))?.error).toBeUndefined();
    await s.page.screenshot({ path: '/tmp/newcomer-c2-queue-done.png' });
  });

  it('a queued run removed with its × never runs; Ctrl+Enter queues too', { timeout: 240_000 }, async () => {
    // Long enough runs that the queue is still there when we act on it.
    const steps = s.page.locator(`${node('scheduler')} [data-param="steps"] input[type="number"]`).first();
    await steps.fill('1000');
    await steps.blur();
    await s.page.getByLabel('batch count').fill('2');
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await s.page.getByTestId('queue-panel').waitFor();
    // One more from the keyboard while the first runs (batch count back to 1): 2 queued now.
    await s.page.getByLabel('batch count').fill('1');
    await s.page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await s.page.keyboard.press('Control+Enter');
    await expect.poll(() => s.page.getByTestId('queue-item').count()).toBe(2);
    const started = Date.now();
    await s.page.getByTestId('queue-cancel').last().click();
    await expect.poll(() => s.page.getByTestId('queue-item').count()).toBeLessThanOrEqual(1);
    await idle();
    console.log(`[editor] two queued 1000-step runs finished ${Date.now() - started} ms after the cancel`);
    const ids = new Set((await captions()).map((c) => /run (\d+)/.exec(c)?.[1]));
    expect(ids.has('5')).toBe(true);
    expect(ids.has('6')).toBe(false);
    expect(s.errors).toEqual([]);
  });

  it('a rerun that changes nothing adds nothing to the gallery', { timeout: 120_000 }, async () => {
    await s.page.locator(`${node('noise')} .ll-seed-mode input`).uncheck();
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await idle();
    const before = (await captions()).length;
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await idle();
    expect((await probe(s.page, (p) => p.lastRun()))?.executed).toEqual([]);
    expect((await captions()).length).toBe(before);
    expect(await s.page.locator(`${node('save')} [data-testid="node-image"]`).count()).toBe(1);
    await s.page.screenshot({ path: '/tmp/newcomer-e1-cached-rerun.png' });
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
