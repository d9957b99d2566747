/**
 * Collapsible zones and subgraphs, in Chromium at 1440×900: the default graph opens readable
 * (zoom ≥ 0.75, every box inside the window, at most 9 boxes: the text encoding is a subgraph
 * and the sampler a collapsed zone); Run makes an image; the sampler expands in place and
 * collapses back; "show whole pipeline" expands everything in one click; a selection becomes a
 * subgraph (Ctrl+G) that runs, saves, reloads, opens in its own view and unpacks back
 * (Ctrl+Shift+G). No console errors or warnings along the way.
 */
import { readFileSync } from 'node:fs';
import { HAS_CHROMIUM, SKIP_REASON, node, openEditor, probe, screenshot, startSession, type Session } from './harness.ts';

const BOXES = '.react-flow__node:not(.react-flow__node-zoneFrame)';

async function viewState(s: Session) {
  return s.page.evaluate((selector) => {
    const pane = document.querySelector('.react-flow')!.getBoundingClientRect();
    const transform = (document.querySelector('.react-flow__viewport') as HTMLElement).style.transform;
    const zoom = Number(/scale\(([\d.]+)\)/.exec(transform)?.[1]);
    const boxes = [...document.querySelectorAll(selector)].map((el) => {
      const r = el.getBoundingClientRect();
      return { id: el.getAttribute('data-id')!, inside: r.left >= pane.left && r.top >= pane.top && r.right <= pane.right && r.bottom <= pane.bottom };
    });
    return { zoom, boxes, window: { width: innerWidth, height: innerHeight } };
  }, BOXES);
}

async function runAndWait(s: Session) {
  const before = JSON.stringify(await probe(s.page, (p) => p.lastRun() ?? null));
  await s.page.keyboard.press('Control+Enter');
  await s.page.waitForFunction((b) => {
    const probe = (window as any).__latentloom;
    return !probe.running() && JSON.stringify(probe.lastRun() ?? null) !== b;
  }, before, { timeout: 120_000 });
  const last = (await probe(s.page, (p) => p.lastRun()))!;
  expect(last.error).toBeUndefined();
  return last;
}

describe.skipIf(!HAS_CHROMIUM)('editor (browser): collapsed zones and subgraphs', () => {
  if (!HAS_CHROMIUM) console.warn(SKIP_REASON);
  let s: Session;
  const consoleProblems: string[] = [];
  beforeAll(async () => {
    s = await startSession();
    await s.page.setViewportSize({ width: 1440, height: 900 });
    s.page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleProblems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('the default graph opens at zoom ≥ 0.75 with all of its ≤ 9 boxes in the window', async () => {
    await s.page.goto(`${s.server.url}/`);
    await s.page.evaluate(() => localStorage.setItem('latentloom.backend', 'wasm'));
    await openEditor(s.page, s.server.url, '');
    await s.page.locator('[data-zone-box="sampler"]').waitFor();
    await s.page.locator(node('text_encoding')).waitFor();
    await s.page.waitForTimeout(400); // the first fit runs once the cards are measured
    const view = await viewState(s);
    console.log(`[collapse] default view: ${view.boxes.length} boxes at zoom ${view.zoom.toFixed(2)} in ${view.window.width}×${view.window.height}`);
    await screenshot(s.page, 'collapse-01-default');
    expect(view.boxes.length).toBeLessThanOrEqual(9);
    expect(view.zoom).toBeGreaterThanOrEqual(0.75);
    expect(view.boxes.filter((b) => !b.inside).map((b) => b.id)).toEqual([]);
  });

  it('Run makes an image; the collapsed sampler shows its progress state and preview', async () => {
    await runAndWait(s);
    await s.page.locator('[data-testid="gallery"] img').first().waitFor();
    const box = s.page.locator('[data-zone-box="sampler"]');
    await expect.poll(() => box.getAttribute('data-state')).toBe('done');
    await box.locator('[data-testid="zone-box-preview"]').waitFor();
    const last = (await probe(s.page, (p) => p.lastRun()))!;
    // The subgraph's inside ran under its flat ids.
    expect(last.executed).toEqual(expect.arrayContaining(['text_encoding/tokenize', 'text_encoding/encode', 'denoise', 'save']));
    await screenshot(s.page, 'collapse-02-ran');
  });

  it('while sampling, the collapsed box shows the loop\'s progress bar', async () => {
    const steps = s.page.locator(`${node('scheduler')} [data-param="steps"] input[type="number"]`).first();
    await steps.fill('400');
    await steps.blur();
    const done = runAndWait(s);
    const bar = s.page.locator('[data-zone-box="sampler"] .ll-progress');
    await bar.waitFor({ timeout: 60_000 });
    expect(await bar.getAttribute('title')).toMatch(/^\d+ \/ 400$/);
    await screenshot(s.page, 'collapse-02b-sampling');
    await done;
    await steps.fill('20');
    await steps.blur();
  });

  it('the sampler expands in place and collapses back', async () => {
    await s.page.locator('[data-zone-box="sampler"] button[aria-label="expand zone"]').click();
    await s.page.locator('.ll-zone-frame[data-zone="sampler"]').waitFor();
    expect(await s.page.locator('[data-zone-box="sampler"]').count()).toBe(0);
    await s.page.locator('.react-flow__controls-fitview').click();
    await s.page.locator(node('denoise')).waitFor();
    await s.page.waitForTimeout(300);
    await screenshot(s.page, 'collapse-03-expanded');
    // Expanded in place: nothing overlaps the zone's frame.
    const overlaps = await s.page.evaluate(() => {
      const frame = document.querySelector('.ll-zone-frame[data-zone="sampler"]')!.getBoundingClientRect();
      const members = new Set((window as any).__latentloom.doc().nodes.filter((n: any) => n.zone === 'sampler').map((n: any) => n.id));
      return [...document.querySelectorAll('.react-flow__node-graphNode')].filter((el) => {
        if (members.has(el.getAttribute('data-id'))) return false;
        const r = el.getBoundingClientRect();
        return r.left < frame.right && r.right > frame.left && r.top < frame.bottom && r.bottom > frame.top;
      }).map((el) => el.getAttribute('data-id'));
    });
    expect(overlaps).toEqual([]);
    await s.page.locator('.ll-zone-frame[data-zone="sampler"] button[aria-label="collapse zone"]').click();
    await s.page.locator('[data-zone-box="sampler"]').waitFor();
    expect(await s.page.locator('.ll-zone-frame').count()).toBe(0);
    const decode = await probe(s.page, (p) => p.doc().nodes.find((n) => n.id === 'decode')!.ui);
    expect(decode?.x).toBe(1010);
    // Double-clicking the box expands it too; undo folds it again.
    await s.page.locator('[data-zone-box="sampler"] .ll-node-title').dblclick();
    await s.page.locator('.ll-zone-frame[data-zone="sampler"]').waitFor();
    await s.page.keyboard.press('Control+z');
    await s.page.locator('[data-zone-box="sampler"]').waitFor();
  });

  it('one click shows the whole pipeline', async () => {
    await s.page.getByRole('button', { name: 'Show whole pipeline' }).click();
    await s.page.locator('.ll-zone-frame[data-zone="sampler"]').waitFor();
    await s.page.waitForTimeout(400);
    const view = await viewState(s);
    expect(view.boxes.filter((b) => !b.inside).map((b) => b.id)).toEqual([]);
    // Every node drawn: the zone expanded, the text encoding's four nodes unpacked.
    expect(view.boxes.length).toBe(20);
    expect(view.zoom).toBeGreaterThan(0.3);
    await screenshot(s.page, 'collapse-04-whole-pipeline');
    // Nothing overlaps once opened up.
    const overlapping = await s.page.evaluate(() => {
      const boxes = [...document.querySelectorAll('.react-flow__node-graphNode')].map((el) => ({ id: el.getAttribute('data-id'), r: el.getBoundingClientRect() }));
      const hits: string[] = [];
      for (const a of boxes) for (const b of boxes) {
        if (a.id! < b.id! && a.r.left < b.r.right && a.r.right > b.r.left && a.r.top < b.r.bottom && a.r.bottom > b.r.top) hits.push(`${a.id}/${b.id}`);
      }
      return hits;
    });
    expect(overlapping).toEqual([]);
    await s.page.keyboard.press('Control+z');
    await s.page.locator('[data-zone-box="sampler"]').waitFor();
    await s.page.locator(node('text_encoding')).waitFor();
  });

  it('a selection becomes a subgraph that runs, saves, reloads, opens in its own view and unpacks', async () => {
    await s.page.locator(`${node('decode')} .ll-node-title`).click();
    await s.page.locator(`${node('save')} .ll-node-title`).click({ modifiers: ['Control'] });
    await s.page.keyboard.press('Control+g');
    await s.page.locator(node('subgraph')).waitFor();
    const made = await probe(s.page, (p) => p.doc().nodes.find((n) => n.id === 'subgraph') as any);
    expect(made.type).toBe('graph/subgraph');
    expect(made.subgraph.nodes.map((n: { id: string }) => n.id)).toEqual(['decode', 'save']);
    await screenshot(s.page, 'collapse-05-subgraph-made');
    // Its inside is the same decode and save under new ids: served from the cache like the rest.
    const last = await runAndWait(s);
    expect([...last.executed, ...last.cached]).toEqual(expect.arrayContaining(['subgraph/decode', 'subgraph/save']));
    expect(last.cached).toContain('denoise');
    await expect.poll(() => s.page.locator(`${node('subgraph')} .ll-node`).getAttribute('data-state')).toMatch(/^(cached|done)$/);

    const download = s.page.waitForEvent('download');
    await s.page.keyboard.press('Control+s');
    const file = await (await download).path();
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.version).toBe(2);
    expect(saved.nodes.find((n: { id: string }) => n.id === 'subgraph').subgraph.outputs).toEqual([]);

    await s.page.reload();
    await s.page.waitForFunction(() => (window as any).__latentloomReady === true, null, { timeout: 30_000 });
    await s.page.locator('[data-testid="file-input"]').setInputFiles(file);
    await s.page.locator(node('subgraph')).waitFor();

    await s.page.locator(`${node('subgraph')} .ll-node-title`).dblclick();
    await s.page.getByTestId('subgraph-bar').waitFor();
    await s.page.locator(node('save')).waitFor();
    expect(await s.page.locator(node('prompt')).count()).toBe(0);
    // Edits in the subgraph's view land inside it.
    const prefix = s.page.locator(`${node('save')} [data-param="filename_prefix"] input`);
    await prefix.fill('inside');
    await prefix.blur();
    await expect.poll(() => probe(s.page, (p) => (p.doc().nodes.find((n) => n.id === 'subgraph') as any).subgraph.nodes[1].params.filename_prefix)).toBe('inside');
    await screenshot(s.page, 'collapse-06-subgraph-open');
    await s.page.getByTestId('subgraph-root').click();
    await s.page.locator(node('prompt')).waitFor();

    await s.page.locator(`${node('subgraph')} .ll-node-title`).click();
    await s.page.keyboard.press('Control+Shift+g');
    await s.page.locator(node('save')).waitFor();
    const ids = await probe(s.page, (p) => p.doc().nodes.map((n) => n.id));
    expect(ids).not.toContain('subgraph');
    expect(ids).toEqual(expect.arrayContaining(['decode', 'save']));
    const decode = await probe(s.page, (p) => p.doc().nodes.find((n) => n.id === 'decode')!.ui);
    expect(decode).toMatchObject({ x: 1010, y: 0 });
    await screenshot(s.page, 'collapse-07-unpacked');
    expect(s.errors).toEqual([]);
    expect(consoleProblems).toEqual([]);
  });
});
