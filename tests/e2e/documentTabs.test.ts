/**
 * Workflow tabs (browser): an example opens in its own tab; each tab undoes only its own edits;
 * a run belongs to the tab that started it (another tab shows none of its statuses or images,
 * during the run or after it, and the finished run is back on its own tab); closing a tab with
 * unsaved edits asks; the open tabs come back after a reload.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HAS_CHROMIUM, ROOT, SKIP_REASON, node, openEditor, probe, screenshot, startSession, type Session } from './harness.ts';

const HAS_GRAPHS = existsSync(join(ROOT, 'graphs/toy-txt2img.json')) && existsSync(join(ROOT, 'graphs/toy-img2img.json'));

describe.skipIf(!HAS_CHROMIUM || !HAS_GRAPHS)('editor (browser): workflow tabs', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
    await s.page.setViewportSize({ width: 1440, height: 900 });
  });
  afterAll(async () => {
    await s?.close();
  });

  const tabs = () => s.page.locator('[data-testid="doc-tab"]');
  const tab = (i: number) => tabs().nth(i).getByRole('tab');
  const prompt = async () => (await probe(s.page, (p) => p.doc())).nodes.find((n) => n.id === 'prompt')?.params.text;
  const title = async () => (await probe(s.page, (p) => p.doc())).meta.title;
  const shownRun = async () => ({
    statuses: await s.page.locator('[data-testid="node-status"]').count(),
    images: await s.page.locator('.react-flow [data-testid="node-image"]').count(),
    status: await s.page.getByTestId('status').textContent(),
  });
  const nothingShown = { statuses: 0, images: 0, status: '' };
  const editPrompt = async (text: string) => {
    const field = s.page.locator(`${node('prompt')} textarea`);
    if (!(await field.isVisible())) {
      // Fitted below the level-of-detail zoom, cards draw no widgets: zoom in on the prompt's card.
      await s.page.locator('.react-flow__controls-fitview').click();
      const box = await s.page.locator(node('prompt')).boundingBox();
      if (box) await s.page.mouse.move(box.x + box.width / 2, box.y + 8);
      for (let i = 0; i < 20 && !(await field.isVisible()); i++) {
        await s.page.mouse.wheel(0, -60);
        await s.page.waitForTimeout(50);
      }
    }
    await field.fill(text);
    await field.blur();
  };

  it('an example opens in a new tab, and each tab undoes only its own edits', { timeout: 90_000 }, async () => {
    await s.page.goto(`${s.server.url}/`);
    await s.page.evaluate(() => localStorage.setItem('latentloom.backend', 'wasm'));
    await openEditor(s.page, s.server.url, '?fresh');
    await s.page.locator(node('prompt')).waitFor();
    const original = await prompt();
    await editPrompt('a first-tab prompt');
    expect(await tabs().count()).toBe(1);
    expect(await tabs().first().getAttribute('data-dirty')).toBe('true');

    await s.page.getByLabel('examples').selectOption('toy-img2img');
    await expect.poll(() => tabs().count()).toBe(2);
    expect(await s.page.getByTestId('confirm-dialog').count()).toBe(0);
    expect(await title()).toBe('Toy image-to-image');
    expect(await tabs().nth(1).getAttribute('data-active')).toBe('true');
    const secondOriginal = await prompt();
    // Nothing to undo in the new tab: Undo (button and keys) leaves both documents alone.
    expect(await s.page.getByRole('button', { name: 'Undo' }).isEnabled()).toBe(false);
    await s.page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await s.page.keyboard.press('Control+z');
    expect(await prompt()).toBe(secondOriginal);
    await editPrompt('a second-tab prompt');
    await s.page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await s.page.keyboard.press('Control+z');
    await expect.poll(prompt).toBe(secondOriginal);
    expect(await s.page.getByRole('button', { name: 'Undo' }).isEnabled()).toBe(false);
    await screenshot(s.page, 'tabs-two-documents');
    // A selection stays with its document: the same node id in the other tab is not selected.
    await s.page.locator(node('prompt')).click({ position: { x: 30, y: 8 } });
    await expect.poll(() => s.page.locator('.react-flow__node.selected').count()).toBeGreaterThan(0);

    await tab(0).click();
    await expect.poll(title).toBe('Toy text-to-image');
    await expect.poll(() => s.page.locator('.react-flow__node.selected').count()).toBe(0);
    expect(await prompt()).toBe('a first-tab prompt');
    await s.page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(prompt).toBe(original);
    // Redo on the first tab, then the second tab still has its own redo step.
    await s.page.getByRole('button', { name: 'Redo' }).click();
    await expect.poll(prompt).toBe('a first-tab prompt');
    await tab(1).click();
    await expect.poll(title).toBe('Toy image-to-image');
    expect(await prompt()).toBe(secondOriginal);
    expect(await s.page.getByRole('button', { name: 'Redo' }).isEnabled()).toBe(true);
    expect(s.errors).toEqual([]);
  });

  it('a run belongs to its tab: none of it shows on another tab, during the run or after', { timeout: 240_000 }, async () => {
    await tab(0).click();
    await expect.poll(title).toBe('Toy text-to-image');
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await s.page.waitForFunction(() => (window as any).__latentloom.running());
    await tab(1).click();
    await expect.poll(title).toBe('Toy image-to-image');
    expect(await shownRun()).toEqual(nothingShown);
    expect(await s.page.getByTestId('toast').textContent()).toMatch(/run under way was cancelled/);
    // Whatever the cut-short run still reports does not land here.
    await s.page.waitForTimeout(1500);
    expect(await shownRun()).toEqual(nothingShown);
    expect(await probe(s.page, (p) => p.running())).toBe(false);

    // A run to its end, then away and back: its results are still on its own tab only.
    await tab(0).click();
    await expect.poll(title).toBe('Toy text-to-image');
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await s.page.locator(`${node('save')} [data-testid="node-image"]`).waitFor({ timeout: 180_000 });
    await s.page.waitForFunction(() => !(window as any).__latentloom.running());
    await expect.poll(() => s.page.getByTestId('status').textContent()).toMatch(/^Done/);
    const done = await shownRun();
    expect(done.images).toBeGreaterThan(0);
    await tab(1).click();
    await expect.poll(title).toBe('Toy image-to-image');
    expect(await shownRun()).toEqual(nothingShown);
    expect(await probe(s.page, (p) => p.lastRun())).toBeUndefined();
    await tab(0).click();
    await expect.poll(title).toBe('Toy text-to-image');
    await expect.poll(shownRun).toEqual(done);
    await screenshot(s.page, 'tabs-run-kept');
    expect(s.errors).toEqual([]);
  });

  it('closing a tab with unsaved edits asks; Cancel keeps it, Discard closes it', { timeout: 60_000 }, async () => {
    const first = tabs().first();
    expect(await first.getAttribute('data-dirty')).toBe('true');
    await first.getByTestId('doc-tab-close').click();
    await s.page.getByTestId('confirm-dialog').waitFor();
    expect(await s.page.getByTestId('confirm-dialog').textContent()).toContain('Close "Toy text-to-image"');
    await screenshot(s.page, 'tabs-close-asks');
    await s.page.getByTestId('confirm-cancel').click();
    expect(await tabs().count()).toBe(2);
    expect(await prompt()).toBe('a first-tab prompt');
    await first.getByTestId('doc-tab-close').click();
    await s.page.getByTestId('confirm-discard').click();
    await expect.poll(() => tabs().count()).toBe(1);
    await expect.poll(title).toBe('Toy image-to-image');
    expect(await shownRun()).toEqual(nothingShown);
    // A New tab, then an example opened from it replaces it (nothing there to lose).
    await s.page.getByRole('button', { name: 'New', exact: true }).click();
    await expect.poll(() => tabs().count()).toBe(2);
    await s.page.getByLabel('examples').selectOption('toy-txt2img');
    await expect.poll(title).toBe('Toy text-to-image');
    expect(await tabs().count()).toBe(2);
    // A subgraph open in one tab: another tab with the same node ids shows its whole graph.
    await s.page.locator(`${node('text_encoding')} .ll-node-title`).dblclick();
    await s.page.getByTestId('subgraph-bar').waitFor();
    await s.page.getByLabel('examples').selectOption('toy-txt2img');
    await expect.poll(() => tabs().count()).toBe(3);
    await s.page.locator(node('save')).waitFor();
    expect(await s.page.getByTestId('subgraph-bar').count()).toBe(0);
    await tabs().nth(2).getByTestId('doc-tab-close').click(); // clean: closes without asking
    await expect.poll(() => tabs().count()).toBe(2);
    expect(await s.page.getByTestId('confirm-dialog').count()).toBe(0);
    expect(s.errors).toEqual([]);
  });

  it('the open tabs come back after a reload, each with its own document', { timeout: 60_000 }, async () => {
    // Now: Toy image-to-image, then Toy text-to-image (shown). The first one gets an edit.
    await tab(0).click();
    await expect.poll(title).toBe('Toy image-to-image');
    await editPrompt('kept across the reload');
    await tab(1).click();
    await expect.poll(title).toBe('Toy text-to-image');
    await s.page.waitForTimeout(1200); // both autosaves are debounced
    await openEditor(s.page, s.server.url);
    await expect.poll(() => tabs().count()).toBe(2);
    expect(await tabs().nth(1).getAttribute('data-active')).toBe('true');
    expect(await title()).toBe('Toy text-to-image');
    await tab(0).click();
    await expect.poll(title).toBe('Toy image-to-image');
    expect(await prompt()).toBe('kept across the reload');
    expect(await tabs().nth(0).getAttribute('data-dirty')).toBe('true');
    await screenshot(s.page, 'tabs-after-reload');
    expect(s.errors).toEqual([]);
  });

  it('many tabs scroll sideways, the one shown always in view', { timeout: 90_000 }, async () => {
    const names = ['math-demo', 'toy-cascade', 'toy-classifier-guidance', 'toy-esrgan', 'toy-metrics', 'toy-schedulers', 'toy-upscale', 'toy-guidance-sweep', 'toy-img2img', 'toy-txt2img'];
    for (const name of names) {
      const before = await tabs().count();
      await s.page.getByLabel('examples').selectOption(name);
      await expect.poll(() => tabs().count()).toBe(before + 1);
    }
    const bar = await s.page.getByTestId('doc-tabs').boundingBox();
    const shown = await s.page.locator('[data-testid="doc-tab"][data-active="true"]').boundingBox();
    expect(bar && shown).toBeTruthy();
    expect(shown!.x).toBeGreaterThanOrEqual(bar!.x);
    expect(shown!.x + shown!.width).toBeLessThanOrEqual(bar!.x + bar!.width + 1);
    expect(await s.page.getByTestId('doc-tabs').evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
    await screenshot(s.page, 'tabs-many');
    expect(s.errors).toEqual([]);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
