/**
 * The editor at common laptop sizes, in Chromium: at 1440×900 and 1280×800 the toolbar's
 * controls are all inside the window (backend, threads and snap live in the ⚙ settings menu,
 * which opens, sets, and closes on a click outside), and on the shipped examples no port's name
 * or type is drawn past its card's edge (a name that does not fit ends in an ellipsis, the row's
 * title says it in full).
 */
import type { Page } from 'playwright-core';
import { HAS_CHROMIUM, SKIP_REASON, chooseSetting, openEditor, screenshot, useSession } from './harness.ts';

if (!HAS_CHROMIUM && process.env.CI) throw new Error(`${SKIP_REASON} — CI needs chromium`);

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 800 },
];
const EXAMPLES = ['toy-txt2img', 'toy-img2img', 'toy-metrics', 'sd15'];

/** Toolbar controls whose box ends past the window's right edge or that the toolbar clips. */
async function clippedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bar = document.querySelector<HTMLElement>('.ll-toolbar')!;
    const right = Math.min(window.innerWidth, bar.getBoundingClientRect().right);
    return [...bar.querySelectorAll<HTMLElement>('button, select, input, summary')]
      .filter((el) => el.offsetParent !== null && !el.closest('.ll-settings-menu'))
      .filter((el) => el.getBoundingClientRect().right > right + 0.5)
      .map((el) => el.getAttribute('aria-label') ?? el.textContent ?? el.tagName);
  });
}

/** Port texts (name and type) drawn past their card's right or left edge, as `node.port`. */
async function overflowingPorts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const card of document.querySelectorAll<HTMLElement>('.react-flow__node-graphNode .ll-node')) {
      const box = card.getBoundingClientRect();
      for (const text of card.querySelectorAll<HTMLElement>('.ll-port-text')) {
        const port = text.closest<HTMLElement>('.ll-port')!.dataset.port;
        // Only what is drawn: the label (clipped by its ellipsis) and a type not wrapped away.
        const shown = [...text.children].filter((el) => el.getBoundingClientRect().top < text.getBoundingClientRect().bottom - 1);
        if (shown.some((el) => { const r = el.getBoundingClientRect(); return r.right > box.right + 0.5 || r.left < box.left - 0.5; })) out.push(`${card.dataset.nodeId}.${port}`);
        const label = text.querySelector<HTMLElement>('.ll-port-label')!;
        if (label.scrollWidth > label.clientWidth + 1 && getComputedStyle(label).textOverflow !== 'ellipsis') out.push(`${card.dataset.nodeId}.${port} (no ellipsis)`);
      }
    }
    return out;
  });
}

describe.skipIf(!HAS_CHROMIUM)('editor (browser): toolbar and cards at 1440 and 1280 px', () => {
  const session = useSession();

  it.each(SIZES)('at $width×$height every toolbar control is in the window', async (size) => {
    const { page, server } = session();
    await page.setViewportSize(size);
    await openEditor(page, server.url, '?fresh');
    expect(await clippedControls(page)).toEqual([]);
    await expect.poll(() => page.getByRole('button', { name: '▶ Run' }).isVisible()).toBe(true);
    await screenshot(page, `toolbar-${size.width}`);
  });

  it('the settings menu sets the backend and threads, shows snap, and closes on a click outside', async () => {
    const { page, server } = session();
    await page.setViewportSize(SIZES[1]);
    await openEditor(page, server.url, '?fresh');
    const menu = page.locator('details.ll-settings');
    await page.getByLabel('settings', { exact: true }).click();
    expect(await menu.locator('select[aria-label="backend"]').isVisible()).toBe(true);
    expect(await menu.getByText('snap to grid').isVisible()).toBe(true);
    const menuBox = (await menu.locator('.ll-settings-menu').boundingBox())!;
    expect(menuBox.x + menuBox.width).toBeLessThanOrEqual(SIZES[1].width);
    await screenshot(page, 'toolbar-settings-1280');
    await page.mouse.click(400, 500); // the empty canvas
    expect(await menu.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
    await chooseSetting(page, 'backend', 'wasm');
    await chooseSetting(page, 'threads', '1');
    expect(await page.evaluate(() => [localStorage.getItem('latentloom.backend'), localStorage.getItem('latentloom.threads')])).toEqual(['wasm', '1']);
    expect(await menu.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
  });

  it('Esc closes the settings menu and only the menu: a run under way goes on', async () => {
    const { page, server } = session();
    await page.setViewportSize(SIZES[1]);
    await openEditor(page, server.url, '?fresh');
    const running = () => page.evaluate(() => (window as unknown as { __latentloom: { running(): boolean } }).__latentloom.running());
    await page.getByLabel('batch count').fill('20');
    await page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await page.getByLabel('batch count').fill('1');
    await page.waitForFunction(() => (window as unknown as { __latentloom: { running(): boolean } }).__latentloom.running());
    const menu = page.locator('details.ll-settings');
    await page.getByLabel('settings', { exact: true }).click();
    expect(await menu.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);
    await page.keyboard.press('Escape');
    expect(await menu.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
    await page.waitForTimeout(300);
    expect(await running()).toBe(true);
    expect(await page.getByTestId('status').textContent()).not.toMatch(/^Cancelled/);
    // With the menu closed, Esc is the editor's again: it cancels the run.
    await page.getByTestId('queue-panel').getByRole('button', { name: 'Clear' }).click();
    await page.keyboard.press('Escape');
    await expect.poll(running).toBe(false);
  });

  it.each(EXAMPLES)('%s: no port name or type is drawn past its card (zoomed in, 1280 px)', async (name) => {
    const { page, server } = session();
    await page.setViewportSize(SIZES[1]);
    await openEditor(page, server.url, `?fresh&example=${name}`);
    await page.waitForTimeout(400); // the fit on load
    // The far level of detail draws no port texts: zoom in until it shows them.
    const texts = page.locator('.react-flow__node-graphNode .ll-port-text');
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
    for (let i = 0; i < 30 && (await texts.count()) === 0; i++) {
      await page.mouse.wheel(0, -80);
      await page.waitForTimeout(60);
    }
    await expect.poll(() => texts.count()).toBeGreaterThan(0);
    await page.waitForTimeout(100); // drawn and laid out
    expect(await overflowingPorts(page)).toEqual([]);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
