/**
 * Auto-layout in the browser (headless Chromium): every shipped example opens with no card on
 * another and no stranger inside a zone frame, by the cards' real drawn sizes; "Tidy up" lays a
 * graph out anew in one undoable step; a graph file without positions and a converted ComfyUI
 * workflow are laid out as they open.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { GraphDocument } from '../../src/graph/document.ts';
import { overlaps, type Box } from '../../src/ui/layout/boxes.ts';
import { drawnGraph } from '../../src/ui/layout/tidy.ts';
import { HAS_CHROMIUM, ROOT, SKIP_REASON, openEditor, probe, screenshot, useSession } from './harness.ts';

if (!HAS_CHROMIUM && process.env.CI) throw new Error(`${SKIP_REASON} — CI needs chromium`);

const EXAMPLES = readdirSync(join(ROOT, 'graphs')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();

/** Card boxes as drawn: the positions of the drawn graph (collapsed zones as boxes) and each card's rendered size. */
async function drawnOverlaps(page: Page): Promise<string[]> {
  await page.locator('.react-flow__controls-fitview').click();
  await page.waitForTimeout(400);
  const doc = (await probe(page, (p) => p.doc())) as unknown as GraphDocument;
  const sizes = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll<HTMLElement>('.react-flow__node:not(.react-flow__node-zoneFrame)')]
    .map((e) => [e.dataset.id, { width: e.offsetWidth, height: e.offsetHeight }])));
  const drawn = drawnGraph(doc, () => ({ width: 0, height: 0 }));
  const missing = drawn.doc.nodes.filter((n) => !sizes[n.id]).map((n) => n.id);
  if (missing.length) throw new Error(`cards not drawn: ${missing.join(', ')}`);
  const boxes: Box[] = drawn.doc.nodes.map((n) => ({ id: n.id, x: n.ui?.x ?? 0, y: n.ui?.y ?? 0, ...sizes[n.id] }));
  return overlaps(boxes, drawn.members);
}

const positions = async (page: Page) => probe(page, (p) => Object.fromEntries(p.doc().nodes.map((n) => [n.id, n.ui ? [n.ui.x, n.ui.y] : null])));

describe.skipIf(!HAS_CHROMIUM)('editor (browser): tidy up', () => {
  const session = useSession();

  it.each(EXAMPLES)('example %s opens with no card on another (drawn sizes)', async (name) => {
    await openEditor(session().page, session().server.url, `?fresh&example=${name}`);
    expect(await drawnOverlaps(session().page)).toEqual([]);
    if (name === 'sd-turbo' || name === 'toy-img2img') await screenshot(session().page, `tidy-example-${name}`);
  });

  it('Tidy up lays a hand-placed graph out anew in one undoable step', async () => {
    await openEditor(session().page, session().server.url, '?fresh&example=toy-txt2img');
    const before = await positions(session().page);
    await session().page.getByRole('button', { name: 'Tidy up' }).click();
    await session().page.waitForFunction((b) => JSON.stringify(Object.fromEntries((window as never as { __latentloom: { doc(): GraphDocument } }).__latentloom.doc().nodes
      .map((n) => [n.id, n.ui ? [n.ui.x, n.ui.y] : null]))) !== b, JSON.stringify(before));
    expect(await drawnOverlaps(session().page)).toEqual([]);
    await screenshot(session().page, 'tidy-toy-txt2img');
    await session().page.getByRole('button', { name: 'Undo' }).click();
    expect(await positions(session().page)).toEqual(before);
  });

  it('a graph file without positions is laid out as it opens', async () => {
    const doc = JSON.parse(readFileSync(join(ROOT, 'graphs/toy-img2img.json'), 'utf8')) as GraphDocument;
    for (const n of doc.nodes) delete n.ui;
    delete doc.ui;
    await session().page.getByTestId('file-input').setInputFiles({ name: 'no-positions.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
    await session().page.waitForFunction(() => (window as never as { __latentloom: { doc(): GraphDocument } }).__latentloom.doc().meta.title?.includes('img2img')
      || (window as never as { __latentloom: { doc(): GraphDocument } }).__latentloom.doc().nodes.some((n) => n.type === 'vae/encode'));
    const at = Object.values(await positions(session().page));
    expect(at.every((p) => p !== null)).toBe(true);
    expect(new Set(at.map((p) => JSON.stringify(p))).size).toBe(at.length);
    expect(await drawnOverlaps(session().page)).toEqual([]);
    await screenshot(session().page, 'tidy-no-positions');
  });

  it('a converted ComfyUI workflow opens laid out', async () => {
    const api = readFileSync(join(ROOT, 'tests/fixtures/comfy/txt2img-api.json'));
    await session().page.getByTestId('file-input').setInputFiles({ name: 'workflow_api.json', mimeType: 'application/json', buffer: api });
    await session().page.locator('.react-flow__node[data-id="n9_save"]').waitFor();
    expect(await drawnOverlaps(session().page)).toEqual([]);
    await screenshot(session().page, 'tidy-comfy-import');
  });
});
