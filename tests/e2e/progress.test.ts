/**
 * Progress you can see (browser): while the sampler runs the toolbar says node i/N, the node,
 * step k/K and an ETA; the example's description shows in its info card when opened.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HAS_CHROMIUM, ROOT, SKIP_REASON, node, openEditor, startSession, type Session } from './harness.ts';

const HAS_GRAPH = existsSync(join(ROOT, 'graphs/toy-txt2img.json'));

describe.skipIf(!HAS_CHROMIUM || !HAS_GRAPH)('editor (browser): progress and graph info', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
    await s.page.setViewportSize({ width: 1440, height: 900 });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('opening an example shows its description; ℹ shows it again', async () => {
    await s.page.goto(`${s.server.url}/`);
    await s.page.evaluate(() => localStorage.setItem('latentloom.backend', 'wasm'));
    await openEditor(s.page, s.server.url, '?fresh');
    const info = s.page.getByTestId('graph-info');
    await info.waitFor();
    expect(await info.textContent()).toMatch(/built-in toy-shapes model/);
    await s.page.screenshot({ path: '/tmp/newcomer-d1-graph-info.png' });
    await s.page.getByLabel('close graph info').click();
    expect(await info.count()).toBe(0);
    await s.page.getByLabel('graph info').click();
    await info.waitFor();
    await s.page.getByLabel('examples').selectOption('toy-img2img');
    await expect.poll(() => info.textContent()).toMatch(/img2img|image/i);
    await s.page.getByLabel('examples').selectOption('toy-txt2img');
    await s.page.locator(node('scheduler')).waitFor();
  });

  it('the toolbar shows node i/N, step k/K and an ETA while sampling', { timeout: 180_000 }, async () => {
    const steps = s.page.locator(`${node('scheduler')} [data-param="steps"] input[type="number"]`).first();
    await steps.fill('1000');
    await steps.blur();
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    const status = s.page.getByTestId('status');
    await expect.poll(() => status.textContent(), { timeout: 60_000, interval: 20 }).toMatch(/^node \d+\/\d+ · \S+ · step \d+\/1000/);
    await expect.poll(() => status.textContent(), { timeout: 60_000, interval: 20 }).toMatch(/ETA \d/);
    await s.page.screenshot({ path: '/tmp/newcomer-d2-progress.png' });
    await s.page.waitForFunction(() => !(window as any).__latentloom.running(), null, { timeout: 120_000 });
    expect(await status.textContent()).toMatch(/^Done in/);
    expect(s.errors).toEqual([]);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
