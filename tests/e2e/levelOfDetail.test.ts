/**
 * The canvas's level of detail, in Chromium: below LOD_ZOOM (0.45) each card draws a minimal body
 * (header with its title, status strip, port handles; no widgets, port labels or previews) at the
 * size it had in full, so every handle stays where it was and the wires keep their ends; zoomed
 * back in, the widgets are back; the dotted background is drawn only above LOD_ZOOM. Below FAR_ZOOM
 * (0.2) the graph is drawn on one canvas (a box per card in its header's colour, its body tinted by
 * its run state, the wires, zone frames) with React Flow's cards and wires not displayed; a box
 * there is clicked to select it, dragged to move it, double-clicked to zoom in on it, and zoomed
 * back in every card is where it was. No console errors along the way.
 */
import type { Page } from 'playwright-core';
import { HAS_CHROMIUM, SKIP_REASON, openEditor, probe, screenshot, startSession, type Session } from './harness.ts';
import { bigGraph, canvasZoom, viewTransform, wheelZoomTo } from './measure.ts';

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

/** Where each card is on screen (page px), from its document position, the viewport and its height drawn in full. */
async function boxesOnScreen(page: Page, full: { cards: Record<string, { height: number }> }) {
  const view = await viewTransform(page);
  const nodes = await probe(page, (p) => p.doc().nodes.map((n) => ({ id: n.id, ui: n.ui! })));
  return Object.fromEntries(nodes.map(({ id, ui }) => [id, {
    x: view.left + view.x + ui.x * view.zoom,
    y: view.top + view.y + ui.y * view.zoom,
    width: 220 * view.zoom,
    height: full.cards[id].height * view.zoom,
  }]));
}

/** The far level's canvas pixel (RGBA) at page point (x, y). */
function canvasPixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.getByTestId('far-canvas').evaluate((c, [x, y]) => {
    const canvas = c as HTMLCanvasElement;
    const r = canvas.getBoundingClientRect();
    const scale = canvas.width / r.width;
    return [...canvas.getContext('2d')!.getImageData(Math.round((x - r.left) * scale), Math.round((y - r.top) * scale), 1, 1).data];
  }, [x, y]);
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

  let full: Awaited<ReturnType<typeof layout>>;

  it('zoomed out below 0.45 cards draw title, status and handles only, in place; zoomed in the widgets are back', async () => {
    const graph = bigGraph(12, { columns: 4, viewport: { x: 40, y: 40, zoom: 0.9 } });
    await s.page.getByTestId('file-input').setInputFiles({ name: 'lod.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(graph)) });
    await s.page.waitForFunction(() => (window as any).__latentloom.doc().nodes.length === 12);
    await s.page.locator('.react-flow__node[data-id="n0"] .ll-param-row').first().waitFor();
    await s.page.waitForTimeout(300);
    full = await layout(s.page);
    expect(full.zoom).toBeGreaterThan(0.45);
    const cards = Object.keys(full.cards).length;
    expect(cards).toBeGreaterThan(0);
    expect(await s.page.locator(`${CARDS} .ll-param-row`).count()).toBeGreaterThanOrEqual(cards);
    expect(await s.page.locator(`${CARDS} .ll-port-label`).count()).toBeGreaterThanOrEqual(cards);
    expect(full.wires.length).toBeGreaterThan(0);
    expect(await s.page.getByTestId('rf__background').count()).toBe(1);
    await screenshot(s.page, 'lod-01-full');

    const zoom = await wheelZoomOutTo(s.page, 0.4);
    expect(zoom).toBeLessThan(0.45);
    await s.page.locator('.ll-canvas-lod').waitFor();
    await screenshot(s.page, 'lod-02-minimal');
    // The dotted background is not drawn there: its dots are under half a pixel.
    expect(await s.page.getByTestId('rf__background').count()).toBe(0);
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
    expect(await s.page.getByTestId('rf__background').count()).toBe(1);
    const back = await layout(s.page);
    expect(await s.page.locator(`${CARDS} .ll-param-row`).count()).toBeGreaterThanOrEqual(Object.keys(back.cards).length);
    for (const [id, card] of Object.entries(back.cards)) if (full.cards[id]) expect(card, id).toEqual(full.cards[id]);
    await screenshot(s.page, 'lod-03-full-again');
    const doc = await probe(s.page, (p) => p.doc().nodes.length);
    expect(doc).toBe(12);
    expect(s.errors).toEqual([]);
  });

  it('zoomed out below 0.2 the graph is one canvas: boxes in place, selectable, draggable; double-click zooms in', async () => {
    const zoom = await wheelZoomOutTo(s.page, 0.18);
    expect(zoom).toBeLessThan(0.2);
    await s.page.locator('.ll-canvas-far').waitFor();
    await s.page.getByTestId('far-canvas').waitFor();
    // React Flow's cards and wires are still there (and keep their sizes), only not displayed.
    expect(await s.page.locator('.react-flow__nodes').evaluate((el) => getComputedStyle(el).display)).toBe('none');
    expect(await s.page.locator('.react-flow__edges').evaluate((el) => getComputedStyle(el).display)).toBe('none');
    await screenshot(s.page, 'lod-04-far');
    // Each card's box on the canvas: header band in the category colour (math: #3f7f5f), body in
    // the panel colour; nothing drawn between two cards of a column.
    const at = await boxesOnScreen(s.page, full);
    const pixel = (x: number, y: number) => canvasPixel(s.page, x, y);
    for (const id of ['n0', 'n5', 'n11']) {
      const b = at[id];
      const header = await pixel(b.x + b.width / 2, b.y + 2);
      expect(header.slice(0, 3).map((c, i) => Math.abs(c - [0x3f, 0x7f, 0x5f][i])).every((d) => d <= 6), `${id} header ${header}`).toBe(true);
      const body = await pixel(b.x + b.width / 2, b.y + b.height * 0.7);
      expect(body.slice(0, 3).map((c, i) => Math.abs(c - [0x1c, 0x1f, 0x26][i])).every((d) => d <= 6), `${id} body ${body}`).toBe(true);
    }
    const gap = await pixel(at.n0.x + at.n0.width / 2, (at.n0.y + at.n0.height + at.n4.y) / 2);
    expect(gap[3], `between n0 and n4: ${gap}`).toBe(0);

    // A click selects the box under it (and only it), a Ctrl-click adds one.
    const centre = (id: string) => ({ x: at[id].x + at[id].width / 2, y: at[id].y + at[id].height / 2 });
    const selected = () => s.page.evaluate(() => [...document.querySelectorAll('.react-flow__node.selected')].map((n) => n.getAttribute('data-id')).sort());
    await s.page.mouse.click(centre('n5').x, centre('n5').y);
    await expect.poll(selected).toEqual(['n5']);
    await s.page.keyboard.down('Control');
    await s.page.mouse.click(centre('n6').x, centre('n6').y);
    await s.page.keyboard.up('Control');
    await expect.poll(selected).toEqual(['n5', 'n6']);
    // A drag on a selected box moves the selection, as one undoable move.
    const before = await probe(s.page, (p) => Object.fromEntries(p.doc().nodes.map((n) => [n.id, n.ui!])));
    await s.page.mouse.move(centre('n5').x, centre('n5').y);
    await s.page.mouse.down();
    await s.page.mouse.move(centre('n5').x + 20, centre('n5').y + 15, { steps: 5 });
    await s.page.mouse.move(centre('n5').x + 40, centre('n5').y + 30, { steps: 5 });
    await s.page.mouse.up();
    const after = await probe(s.page, (p) => Object.fromEntries(p.doc().nodes.map((n) => [n.id, n.ui!])));
    for (const id of ['n5', 'n6']) {
      expect(Math.abs(after[id].x - before[id].x - 40 / zoom), id).toBeLessThan(12);
      expect(Math.abs(after[id].y - before[id].y - 30 / zoom), id).toBeLessThan(12);
    }
    expect(after.n4).toEqual(before.n4);
    await screenshot(s.page, 'lod-05-far-moved');
    const moved = await boxesOnScreen(s.page, full);
    expect(Math.abs(moved.n5.x - at.n5.x - 40)).toBeLessThan(3);
    await s.page.keyboard.press('Control+z');
    await expect.poll(() => probe(s.page, (p) => p.doc().nodes.find((n) => n.id === 'n5')!.ui)).toEqual(before.n5);
    // Beside the boxes a press still pans.
    const pan = { x: at.n0.x - 15, y: at.n0.y + 5 };
    await s.page.mouse.move(pan.x, pan.y);
    await s.page.mouse.down();
    await s.page.mouse.move(pan.x + 30, pan.y + 20, { steps: 4 });
    await s.page.mouse.up();
    const panned = await boxesOnScreen(s.page, full);
    expect(Math.abs(panned.n0.x - at.n0.x - 30)).toBeLessThan(3);
    expect(await selected()).toEqual(['n5', 'n6']);

    // A double-click zooms in on the box: cards drawn in full again, sizes and handles as before.
    await s.page.mouse.dblclick(panned.n2.x + panned.n2.width / 2, panned.n2.y + panned.n2.height / 2);
    await expect.poll(() => canvasZoom(s.page)).toBeGreaterThan(0.9);
    await s.page.locator('.react-flow__node[data-id="n2"] .ll-param-row').first().waitFor();
    expect(await s.page.locator('.ll-canvas-far').count()).toBe(0);
    expect(await s.page.getByTestId('far-canvas').count()).toBe(0);
    const back = await layout(s.page);
    expect(Object.keys(back.cards)).toContain('n2');
    for (const [id, card] of Object.entries(back.cards)) expect(card, id).toEqual(full.cards[id]);
    expect(back.wires.length).toBeGreaterThan(0);
    await screenshot(s.page, 'lod-06-zoomed-in');
    expect(s.errors).toEqual([]);
  });

  it('far out a box shows its run state and a repeat zone its frame', async () => {
    await openEditor(s.page, s.server.url, '?fresh&example=math-demo');
    await s.page.locator('.ll-zone-frame').waitFor();
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await s.page.waitForFunction(() => (window as any).__latentloom.lastRun() && !(window as any).__latentloom.running());
    expect((await probe(s.page, (p) => p.lastRun()!)).error).toBeUndefined();
    // The card shows the run's end once the page has rendered its last events.
    await expect.poll(() => s.page.locator('.react-flow__node[data-id="finish"] .ll-node').getAttribute('data-state')).toBe('done');
    expect(await wheelZoomOutTo(s.page, 0.18)).toBeLessThan(0.2);
    await s.page.getByTestId('far-canvas').waitFor();
    await screenshot(s.page, 'lod-07-far-run');
    const ui = await probe(s.page, (p) => Object.fromEntries(p.doc().nodes.map((n) => [n.id, n.ui!])));
    const view = await viewTransform(s.page);
    const pixel = (fx: number, fy: number) => canvasPixel(s.page, view.left + view.x + fx * view.zoom, view.top + view.y + fy * view.zoom);
    // Done: the body is the panel colour with the ok colour over it at 45% (theme.css: #1c1f26, #5fd38d).
    const done = [0x1c, 0x1f, 0x26].map((panel, i) => 0.55 * panel + 0.45 * [0x5f, 0xd3, 0x8d][i]);
    const body = await pixel(ui.finish.x + 110, ui.finish.y + 60);
    expect(body.slice(0, 3).every((c, i) => Math.abs(c - done[i]) <= 8), `finish body ${body}`).toBe(true);
    // Inside the zone's frame, between two of its cards: the frame's faint violet fill.
    const frame = await pixel(ui.loop_in.x + 240, ui.loop_in.y + 10);
    expect(frame[3], `zone frame ${frame}`).toBeGreaterThan(10);
    expect(frame[3]).toBeLessThan(40);
    expect(frame[2]).toBeGreaterThan(frame[0]);
    expect(s.errors).toEqual([]);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
