/**
 * Workflow tabs (browser): an example opens in its own tab; each tab undoes only its own edits;
 * a run belongs to the tab that started it and goes on while another tab is shown (the tab strip
 * shows it running; another tab shows none of its statuses or pictures; its picture lands in its
 * own tab's gallery; a run of the other tab waits for it in the queue, each entry naming its
 * tab); closing a tab with a run or unsaved edits asks; the open tabs come back after a reload.
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
  const galleryCaptions = () => s.page.locator('[data-testid="gallery"] figcaption').allTextContents();
  const galleryCount = async () => (await galleryCaptions()).length;
  const galleryRuns = async () => (await galleryCaptions()).map((c) => /run (\d+)/.exec(c)?.[1]);
  /** A widget of a node's card, zoomed in on first when the card is drawn without widgets. */
  const widget = async (nodeId: string, selector: string) => {
    const field = s.page.locator(`${node(nodeId)} ${selector}`).first();
    if (!(await field.isVisible())) {
      // Fitted below the level-of-detail zoom, cards draw no widgets: zoom in on the card.
      await s.page.locator('.react-flow__controls-fitview').click();
      const box = await s.page.locator(node(nodeId)).boundingBox();
      if (box) await s.page.mouse.move(box.x + box.width / 2, box.y + 8);
      for (let i = 0; i < 20 && !(await field.isVisible()); i++) {
        await s.page.mouse.wheel(0, -60);
        await s.page.waitForTimeout(50);
      }
    }
    return field;
  };
  const editParam = async (nodeId: string, selector: string, value: string) => {
    const field = await widget(nodeId, selector);
    await field.fill(value);
    await field.blur();
  };
  const steps = '[data-param="steps"] input[type="number"]';
  const editPrompt = (text: string) => editParam('prompt', 'textarea', text);

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

  it('a run goes on in its tab while another is shown: its picture lands in its own gallery, and runs of two tabs take turns in the queue', { timeout: 300_000 }, async () => {
    await tab(0).click();
    await expect.poll(title).toBe('Toy text-to-image');
    // Ten runs of the most steps, each with its own seed: still going while the test switches
    // tabs and queues another.
    await editParam('scheduler', steps, '1000');
    await (await widget('noise', '.ll-seed-mode input')).check();
    await s.page.getByLabel('batch count').fill('10');
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await s.page.getByLabel('batch count').fill('1');
    await s.page.waitForFunction(() => (window as any).__latentloom.running());
    await tab(1).click();
    await expect.poll(title).toBe('Toy image-to-image');
    // Not cancelled: the first tab shows its run going on, with its progress.
    await expect.poll(() => tabs().nth(0).getAttribute('data-running')).toBe('true');
    await expect.poll(() => tabs().nth(0).getByTestId('doc-tab-progress').count()).toBe(1);
    expect(await tabs().nth(1).getAttribute('data-running')).toBe('false');
    expect(await shownRun()).toEqual(nothingShown);
    expect(await galleryCount()).toBe(0);
    expect(await probe(s.page, (p) => p.running())).toBe(false); // the shown tab runs nothing
    await screenshot(s.page, 'tabs-background-run');

    // Run here while the other tab's runs go on: it waits in the queue after them, each entry
    // naming its tab.
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await s.page.getByTestId('queue-panel').waitFor();
    expect(await s.page.getByTestId('queue-current').getByTestId('queue-tab').textContent()).toBe('Toy text-to-image');
    const owners = await s.page.getByTestId('queue-item').getByTestId('queue-tab').allTextContents();
    expect(owners.at(-1)).toBe('Toy image-to-image');
    expect(new Set(owners.slice(0, -1))).toEqual(new Set(owners.length > 1 ? ['Toy text-to-image'] : []));
    expect(await tabs().nth(1).getAttribute('data-queued')).toBe('1');
    await screenshot(s.page, 'tabs-queue-two-tabs');
    expect(await shownRun()).toEqual({ ...nothingShown, status: 'Queued: 1 run, after the run of "Toy text-to-image"' });
    // Back on the first tab meanwhile: its run's live state (the progress line, statuses).
    await tab(0).click();
    await expect.poll(title).toBe('Toy text-to-image');
    await expect.poll(() => s.page.getByTestId('status').textContent()).toMatch(/^node \d+\/\d+/);
    expect((await shownRun()).statuses).toBeGreaterThan(0);
    await tab(1).click();
    await expect.poll(title).toBe('Toy image-to-image');

    // The first tab's run finishes in the background; then this tab's run goes.
    await expect.poll(() => tabs().nth(0).getAttribute('data-running'), { timeout: 240_000 }).toBe('false');
    await s.page.waitForFunction(() => (window as any).__latentloom.lastRun() !== undefined, null, { timeout: 180_000 });
    await expect.poll(() => s.page.getByTestId('status').textContent(), { timeout: 60_000 }).toMatch(/^Done/);
    const second = await shownRun();
    expect(second.statuses).toBeGreaterThan(0);
    expect(await galleryRuns()).toEqual(['1']); // this tab's own picture, none of the other tab's three

    // Back on the first tab: its finished run and its own picture, none of the second tab's.
    await tab(0).click();
    await expect.poll(title).toBe('Toy text-to-image');
    await expect.poll(() => s.page.getByTestId('status').textContent()).toMatch(/^Done/);
    await expect.poll(async () => (await shownRun()).images).toBeGreaterThan(0);
    expect(await galleryRuns()).toEqual(['10', '9', '8', '7', '6', '5', '4', '3', '2', '1']);
    const done = await shownRun();
    await screenshot(s.page, 'tabs-run-kept');
    await tab(1).click();
    await expect.poll(title).toBe('Toy image-to-image');
    await expect.poll(shownRun).toEqual(second);
    await tab(0).click();
    await expect.poll(shownRun).toEqual(done);
    expect(s.errors).toEqual([]);
  });

  it('closing a tab whose run is under way asks, and stops the run', { timeout: 120_000 }, async () => {
    // Many runs queued (seeds still randomised): the tab has runs for a while.
    await s.page.getByLabel('batch count').fill('20');
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await s.page.getByLabel('batch count').fill('1');
    await s.page.waitForFunction(() => (window as any).__latentloom.running());
    await tabs().nth(1).getByRole('tab').click();
    await expect.poll(() => tabs().nth(0).getAttribute('data-running')).toBe('true');
    await tabs().nth(0).getByTestId('doc-tab-close').click();
    await s.page.getByTestId('confirm-dialog').waitFor();
    // The tab has unsaved edits too: the question names both.
    expect(await s.page.getByTestId('confirm-dialog').textContent()).toContain('This tab has a run under way or queued.');
    expect(await s.page.getByTestId('confirm-dialog').textContent()).toContain('discard them and cancel its run');
    await screenshot(s.page, 'tabs-close-running-asks');
    await s.page.getByTestId('confirm-cancel').click();
    expect(await tabs().count()).toBe(2);
    // Cancel (Esc) on this tab leaves the other tab's run alone.
    expect(await s.page.getByRole('button', { name: '■ Cancel' }).isEnabled()).toBe(false);
    await s.page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await s.page.keyboard.press('Escape');
    await s.page.waitForTimeout(300);
    expect(await tabs().nth(0).getAttribute('data-running')).toBe('true');
    await tab(0).click();
    // Its own tab stops them: the queue cleared, and Esc for the run under way (if not over yet).
    await s.page.getByTestId('queue-panel').getByRole('button', { name: 'Clear' }).click();
    await s.page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await s.page.keyboard.press('Escape');
    await expect.poll(() => tabs().nth(0).getAttribute('data-running')).toBe('false');
    expect(await s.page.getByTestId('status').textContent()).toMatch(/^(Cancelled|Done)/);
    expect(await s.page.getByTestId('queue-panel').count()).toBe(0);
    await (await widget('noise', '.ll-seed-mode input')).uncheck();
    await editParam('scheduler', steps, '20');
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
    expect(await galleryRuns()).toEqual(['1']); // its own picture, none of the closed tab's
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
