/**
 * The canvas's level of detail, in Chromium: below LOD_ZOOM (0.45) each card draws a minimal body
 * (header with its title, status strip, port handles; no widgets, port labels or previews) at the
 * size it had in full, so every handle stays where it was and the wires keep their ends; zoomed
 * back in, the widgets are back. No console errors along the way.
 */
import type { Page } from 'playwright-core';
import { HAS_CHROMIUM, SKIP_REASON, openEditor, probe, screenshot, startSession, type Session } from './harness.ts';
import { bigGraph, canvasZoom, wheelZoomTo } from './measure.ts';

const CARDS = '.react-flow__node-graphNode .ll-node';

/** Each card's height and its handles' places inside it (layout px, independent of zoom), and each wire's path. */
async function layout(page: Page) {
  return page.evaluate(() => {
    const zoom = Number(/scale\(([\d.]+)\)/.exec((document.querySelector('.react-flow__viewport') as HTMLElement).style.transform)?.[1]);
    const cards: Record<string, { height: number; handles: Record<string, [number, number]> }> = {};
    for (const card of document.querySelectorAll<HTMLElement>('.react-flow__node-graphNode .ll-node')) {
      const box = card.getBoundingClientRect();
      const handles: Record<string, [number, number]> = {};
      for (const h of card.querySelectorAll<HTMLElement>('.react-flow__handle')) {
        const r = h.getBoundingClientRect();
        handles[`${h.dataset.handleid}.${h.classList.contains('source') ? 'out' : 'in'}`] = [
          Math.round((r.left + r.width / 2 - box.left) / zoom), Math.round((r.top + r.height / 2 - box.top) / zoom)];
      }
      cards[card.dataset.nodeId!] = { height: card.offsetHeight, handles };
    }
    const wires = [...document.querySelectorAll('.react-flow__edge-path')].map((p) => p.getAttribute('d'));
    return { zoom, cards, wires };
  });
}

async function wheelZoomOutTo(page: Page, zoom: number): Promise<number> {
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await page.mouse.move(canvas.x + 30, canvas.y + 30);
  for (let i = 0; i < 40 && (await canvasZoom(page)) > zoom; i++) {
    await page.mouse.wheel(0, 60);
    await page.waitForTimeout(30);
  }
  await page.waitForTimeout(300);
  return canvasZoom(page);
}

describe.skipIf(!HAS_CHROMIUM)('editor (browser): level of detail', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
    await s.page.setViewportSize({ width: 1440, height: 900 });
    await openEditor(s.page, s.server.url, '?fresh');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('zoomed out below 0.45 cards draw title, status and handles only, in place; zoomed in the widgets are back', async () => {
    const graph = bigGraph(12, { columns: 4, viewport: { x: 40, y: 40, zoom: 0.9 } });
    await s.page.getByTestId('file-input').setInputFiles({ name: 'lod.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(graph)) });
    await s.page.waitForFunction(() => (window as any).__latentloom.doc().nodes.length === 12);
    await s.page.locator('.react-flow__node[data-id="n0"] .ll-param-row').first().waitFor();
    await s.page.waitForTimeout(300);
    const full = await layout(s.page);
    expect(full.zoom).toBeGreaterThan(0.45);
    const cards = Object.keys(full.cards).length;
    expect(cards).toBeGreaterThan(0);
    expect(await s.page.locator(`${CARDS} .ll-param-row`).count()).toBeGreaterThanOrEqual(cards);
    expect(await s.page.locator(`${CARDS} .ll-port-label`).count()).toBeGreaterThanOrEqual(cards);
    expect(full.wires.length).toBeGreaterThan(0);
    await screenshot(s.page, 'lod-01-full');

    const zoom = await wheelZoomOutTo(s.page, 0.4);
    expect(zoom).toBeLessThan(0.45);
    await s.page.locator('.ll-canvas-lod').waitFor();
    await screenshot(s.page, 'lod-02-minimal');
    const low = await layout(s.page);
    // Every card minimal: title and handles drawn, no widgets, port labels, types or header buttons.
    expect(await s.page.locator(`${CARDS}.ll-node-lod`).count()).toBe(Object.keys(low.cards).length);
    expect(await s.page.locator(`${CARDS} .ll-node-title`).count()).toBe(Object.keys(low.cards).length);
    for (const part of ['.ll-param-row', '.ll-node-params', '.ll-port-label', '.ll-port-type', '.ll-node-type', 'button', 'input', 'select'])
      expect(await s.page.locator(`${CARDS} ${part}`).count(), part).toBe(0);
    // Same sizes, handles in the same places, the same wires.
    for (const [id, card] of Object.entries(full.cards)) expect(low.cards[id], id).toEqual(card);
    expect(low.wires).toEqual(full.wires);
    // A wire still ends on its handles: n0.result → n1.a, in flow coordinates.
    const ends = await s.page.evaluate(() => {
      const doc = (window as any).__latentloom.doc();
      const at = (id: string) => doc.nodes.find((n: { id: string }) => n.id === id).ui;
      const path = document.querySelector('.react-flow__edge-path')!.getAttribute('d')!;
      const nums = path.match(/-?[\d.]+/g)!.map(Number);
      return { start: [nums[0], nums[1]], end: [nums[nums.length - 2], nums[nums.length - 1]], from: at('n0'), to: at('n1') };
    });
    const n0 = low.cards.n0.handles['result.out'];
    const n1 = low.cards.n1.handles['a.in'];
    expect(Math.abs(ends.start[0] - (ends.from.x + n0[0]))).toBeLessThan(8);
    expect(Math.abs(ends.start[1] - (ends.from.y + n0[1]))).toBeLessThan(3);
    expect(Math.abs(ends.end[0] - (ends.to.x + n1[0]))).toBeLessThan(8);
    expect(Math.abs(ends.end[1] - (ends.to.y + n1[1]))).toBeLessThan(3);

    expect(await wheelZoomTo(s.page, 0.6)).toBeGreaterThan(0.45);
    await s.page.locator('.react-flow__node[data-id="n0"] .ll-param-row').first().waitFor();
    expect(await s.page.locator('.ll-canvas-lod').count()).toBe(0);
    expect(await s.page.locator(`${CARDS}.ll-node-lod`).count()).toBe(0);
    const back = await layout(s.page);
    expect(await s.page.locator(`${CARDS} .ll-param-row`).count()).toBeGreaterThanOrEqual(Object.keys(back.cards).length);
    for (const [id, card] of Object.entries(back.cards)) if (full.cards[id]) expect(card, id).toEqual(full.cards[id]);
    await screenshot(s.page, 'lod-03-full-again');
    const doc = await probe(s.page, (p) => p.doc().nodes.length);
    expect(doc).toBe(12);
    expect(s.errors).toEqual([]);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
