/**
 * Browser tests of editing on the shipped math demo graph (no model needed): default graph on
 * the canvas, refused connections with reasons, palette, undo/redo, autosave across a reload,
 * a malformed file's issues, and "only what changed re-runs".
 */
import { readFileSync } from 'node:fs';
import { HAS_CHROMIUM, SKIP_REASON, dragBetween, handle, node, openEditor, probe, screenshot, startSession, type Session } from './harness.ts';

const MATH = '?fresh&example=math-demo';

describe.skipIf(!HAS_CHROMIUM)('editor (browser): editing', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('opens with the graph drawn: every node, wire and the repeat zone frame', async () => {
    await openEditor(s.page, s.server.url, MATH);
    const doc = await probe(s.page, (p) => p.doc());
    await s.page.locator(node(doc.nodes[0].id)).waitFor();
    await s.page.locator('.react-flow__controls-fitview').click();
    expect(await s.page.locator('.react-flow__node-graphNode').count()).toBe(doc.nodes.length);
    expect(await s.page.locator('.react-flow__edge').count()).toBe(doc.edges.length);
    expect(await s.page.locator('.ll-zone-frame[data-zone="doubling"]').count()).toBe(1);
    await screenshot(s.page, 'editing-01-open');
    expect(s.errors).toEqual([]);
  });

  it('refuses a wire that would make a cycle and says why', async () => {
    await dragBetween(s.page, handle('finish', 'result', 'source'), handle('double', 'b', 'target'));
    const toast = s.page.getByTestId('toast');
    await toast.waitFor();
    expect(await toast.textContent()).toMatch(/Connection refused: .*(zone|cycle)/);
    await screenshot(s.page, 'editing-02-refused');
    const doc = await probe(s.page, (p) => p.doc());
    expect(JSON.stringify(doc.edges)).not.toContain('"node":"double","port":"b"');
  });

  it('adds a node from the palette and refuses a type mismatch with both types named', async () => {
    const pane = await s.page.locator('.react-flow__pane').boundingBox();
    await s.page.mouse.dblclick(pane!.x + 300, pane!.y + pane!.height - 150);
    await s.page.getByLabel('search nodes').fill('prompt');
    await s.page.keyboard.press('Enter');
    const doc = await probe(s.page, (p) => p.doc());
    const prompt = doc.nodes.find((n) => n.id.startsWith('prompt'));
    expect(prompt).toBeDefined();
    const out = s.page.locator(`${node(prompt!.id)} .react-flow__handle.source`).first();
    const outId = await out.getAttribute('data-handleid');
    await dragBetween(s.page, handle(prompt!.id, outId!, 'source'), handle('finish', 'b', 'target'));
    const toast = s.page.getByTestId('toast');
    await s.page.waitForFunction(() => /cannot feed FLOAT/.test(document.querySelector('[data-testid="toast"]')?.textContent ?? ''));
    expect(await toast.textContent()).toMatch(/(STRING|TEXT) output .* cannot feed FLOAT input "b"/);
    await screenshot(s.page, 'editing-03-type-mismatch');
  });

  it('inserts a pre-wired template (text-to-image sampler zone) from the palette, undoable in one step', async () => {
    const before = (await probe(s.page, (p) => p.doc())).nodes.length;
    const pane = await s.page.locator('.react-flow__pane').boundingBox();
    await s.page.mouse.dblclick(pane!.x + 500, pane!.y + pane!.height - 100);
    await s.page.getByLabel('search nodes').fill('text-to-image');
    await s.page.keyboard.press('Enter');
    const after = await probe(s.page, (p) => p.doc());
    expect(after.nodes.length).toBeGreaterThan(before + 10);
    expect((after as unknown as { models: Record<string, unknown> }).models).toHaveProperty('toy');
    await s.page.locator('.react-flow__controls-fitview').click(); // only what is on screen is rendered
    // The template's sampler comes collapsed (as in the default graph): a box, not a frame.
    await expect.poll(() => s.page.locator('.ll-zone-frame, [data-zone-box]').count()).toBe(2);
    await s.page.keyboard.press('Control+z');
    expect((await probe(s.page, (p) => p.doc())).nodes.length).toBe(before);
  });

  it('dragging a node into a repeat zone frame puts it in the zone; dragging it out takes it out', async () => {
    const pane = (await s.page.locator('.react-flow__pane').boundingBox())!;
    await s.page.mouse.dblclick(pane.x + 120, pane.y + pane.height - 120);
    await s.page.getByLabel('search nodes').fill('const float');
    await s.page.keyboard.press('Enter');
    const doc = await probe(s.page, (p) => p.doc());
    const id = doc.nodes[doc.nodes.length - 1].id;
    const title = `${node(id)} .ll-node-title`;
    const frame = (await s.page.locator('.ll-zone-frame[data-zone="doubling"]').boundingBox())!;
    const start = (await s.page.locator(title).boundingBox())!;
    await s.page.mouse.move(start.x + 10, start.y + 5);
    await s.page.mouse.down();
    await s.page.mouse.move(frame.x + frame.width / 2 - 100, frame.y + frame.height / 2 - 30, { steps: 20 });
    await s.page.mouse.up();
    await expect.poll(async () => (await probe(s.page, (p) => p.doc())).nodes.find((n) => n.id === id)?.zone).toBe('doubling');
    await screenshot(s.page, 'editing-08-node-in-zone');
    const inside = (await s.page.locator(title).boundingBox())!;
    await s.page.mouse.move(inside.x + 10, inside.y + 5);
    await s.page.mouse.down();
    await s.page.mouse.move(pane.x + 120, pane.y + pane.height - 100, { steps: 20 });
    await s.page.mouse.up();
    await expect.poll(async () => (await probe(s.page, (p) => p.doc())).nodes.find((n) => n.id === id)?.zone).toBeUndefined();
    await s.page.keyboard.press('Control+z');
    await s.page.keyboard.press('Control+z');
    await s.page.keyboard.press('Control+z');
    expect((await probe(s.page, (p) => p.doc())).nodes.some((n) => n.id === id)).toBe(false);
  });

  it('undoes and redoes a param edit and a drag (one step each)', async () => {
    const field = s.page.locator(`${node('start')} input[aria-label="value"]`);
    await field.fill('2.5');
    await field.blur();
    expect((await probe(s.page, (p) => p.doc())).nodes.find((n) => n.id === 'start')!.params.value).toBe(2.5);
    const header = `${node('steps')} .ll-node-title`;
    const before = (await probe(s.page, (p) => p.doc())).nodes.find((n) => n.id === 'steps')!.ui!;
    const box = (await s.page.locator(header).boundingBox())!;
    await s.page.mouse.move(box.x + 10, box.y + 5);
    await s.page.mouse.down();
    await s.page.mouse.move(box.x + 90, box.y + 300, { steps: 20 });
    await s.page.mouse.up();
    const after = (await probe(s.page, (p) => p.doc())).nodes.find((n) => n.id === 'steps')!.ui!;
    expect(after.y - before.y).toBeGreaterThan(200);
    await s.page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await s.page.keyboard.press('Control+z');
    expect((await probe(s.page, (p) => p.doc())).nodes.find((n) => n.id === 'steps')!.ui).toMatchObject({ x: before.x, y: before.y });
    await s.page.keyboard.press('Control+z');
    expect((await probe(s.page, (p) => p.doc())).nodes.find((n) => n.id === 'start')!.params.value).toBe(1.5);
    await s.page.keyboard.press('Control+Shift+z');
    expect((await probe(s.page, (p) => p.doc())).nodes.find((n) => n.id === 'start')!.params.value).toBe(2.5);
    await expect.poll(async () => s.page.locator(`${node('start')} input[aria-label="value"]`).inputValue()).toBe('2.5');
  });

  it('runs, then re-runs only the node whose param changed', async () => {
    await s.page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await s.page.waitForFunction(() => (window as any).__latentloom.lastRun() && !(window as any).__latentloom.running());
    const first = await probe(s.page, (p) => p.lastRun()!);
    expect(first.error).toBeUndefined();
    expect(await s.page.locator(`${node('finish')} [data-testid="node-values"]`).textContent()).toBe('result = 80.5');
    const field = s.page.locator(`${node('finish')} input[aria-label="bias"]`);
    await field.fill('1');
    await field.blur();
    await s.page.keyboard.press('Control+Enter');
    await s.page.waitForFunction((n) => (window as any).__latentloom.lastRun()?.executed && !(window as any).__latentloom.running() && document.querySelector('[data-id="finish"] [data-testid="node-values"]')?.textContent === 'result = 81', null);
    const second = await probe(s.page, (p) => p.lastRun()!);
    expect(second.executed).toEqual(['finish']);
    expect(second.cached.length).toBeGreaterThan(0);
    expect(await s.page.locator(`${node('double')} .ll-node`).getAttribute('data-state')).toBe('cached');
    expect(await s.page.locator(`${node('finish')} .ll-node`).getAttribute('data-state')).toBe('done');
    await screenshot(s.page, 'editing-04-rerun-changed-only');
  });

  it('autosave restores the graph after a reload', async () => {
    await s.page.waitForTimeout(800); // autosave is debounced (400 ms)
    await openEditor(s.page, s.server.url, '');
    const doc = await probe(s.page, (p) => p.doc());
    expect(doc.nodes.find((n) => n.id === 'start')!.params.value).toBe(2.5);
    expect(doc.nodes.find((n) => n.id === 'finish')!.params.bias).toBe(1);
    expect(await s.page.getByTestId('toast').textContent()).toMatch(/autosave/);
    await screenshot(s.page, 'editing-05-autosave-restored');
  });

  it('dropping a wire on empty canvas offers compatible nodes and wires the one picked', async () => {
    const from = (await s.page.locator(handle('finish', 'result', 'source')).boundingBox())!;
    const pane = (await s.page.locator('.react-flow__pane').boundingBox())!;
    await s.page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await s.page.mouse.down();
    await s.page.mouse.move(pane.x + pane.width - 320, pane.y + pane.height - 60, { steps: 15 });
    await s.page.mouse.up();
    const search = s.page.getByLabel('search nodes');
    await search.waitFor();
    expect(await search.getAttribute('placeholder')).toBe('Compatible nodes…');
    const offered = await s.page.locator('.ll-palette-type').allTextContents();
    expect(offered).toContain('math/multiply');
    expect(offered).not.toContain('text/prompt');
    await search.fill('multiply');
    await s.page.keyboard.press('Enter');
    const doc = await probe(s.page, (p) => p.doc());
    const added = doc.nodes[doc.nodes.length - 1];
    expect(added.id).toMatch(/^multiply/);
    expect(JSON.stringify(doc.edges)).toContain(`{"from":{"node":"finish","port":"result"},"to":{"node":"${added.id}","port":"a"}}`);
    await screenshot(s.page, 'editing-07-wire-dropped');
  });

  it('copy/paste, duplicate and delete a selection, each one undo step', async () => {
    await s.page.locator(`${node('start')} .ll-node-title`).click();
    const count = async () => (await probe(s.page, (p) => p.doc())).nodes.length;
    const n0 = await count();
    await s.page.keyboard.press('Control+c');
    await s.page.mouse.move(300, 700);
    await s.page.keyboard.press('Control+v');
    await expect.poll(count).toBe(n0 + 1);
    await s.page.keyboard.press('Control+d');
    await expect.poll(count).toBe(n0 + 2);
    const ids = (await probe(s.page, (p) => p.doc())).nodes.map((n) => n.id);
    expect(ids.filter((id) => id.startsWith('start'))).toEqual(['start', 'start_2', 'start_3']);
    await s.page.keyboard.press('Delete');
    await expect.poll(count).toBe(n0 + 1);
    await s.page.keyboard.press('Control+z');
    await expect.poll(count).toBe(n0 + 2);
    await s.page.keyboard.press('Control+z');
    await s.page.keyboard.press('Control+z');
    await expect.poll(count).toBe(n0);
  });

  it('turns a param into an input socket, wires it, and turns it back', async () => {
    await s.page.getByLabel('convert bias to input').first().click();
    await s.page.locator(handle('finish', 'bias', 'target')).waitFor();
    await dragBetween(s.page, handle('start', 'value', 'source'), handle('finish', 'bias', 'target'));
    let doc = await probe(s.page, (p) => p.doc());
    expect(JSON.stringify(doc.edges)).toContain('"to":{"node":"finish","port":"bias"}');
    await s.page.getByLabel('convert bias to widget').click();
    doc = await probe(s.page, (p) => p.doc());
    expect(JSON.stringify(doc.edges)).not.toContain('"port":"bias"');
    expect(await s.page.locator(`${node('finish')} input[aria-label="bias"]`).count()).toBe(1);
  });

  it('Save downloads the graph as JSON that loads back to the same document', async () => {
    const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.getByRole('button', { name: 'Save' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
    const doc = await probe(s.page, (p) => p.doc());
    expect(saved.nodes.map((n: { id: string }) => n.id)).toEqual(doc.nodes.map((n) => n.id));
    expect(saved.edges).toEqual(doc.edges);
  });

  it('pasting a graph document opens it', async () => {
    const pasted = { format: 'latentloom.graph', version: 1, meta: { title: 'pasted' }, models: {}, nodes: [{ id: 'p1', type: 'const/float', version: 1, params: { value: 3 }, ui: { x: 0, y: 0 } }], edges: [] };
    await s.page.locator('.react-flow__pane').click({ position: { x: 10, y: 10 } });
    await s.page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.setData('text/plain', text);
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, JSON.stringify(pasted));
    await s.page.waitForFunction(() => (window as any).__latentloom.doc().meta.title === 'pasted');
    expect((await probe(s.page, (p) => p.doc())).nodes.map((n) => n.id)).toEqual(['p1']);
  });

  it('a malformed file shows every issue and loads what is valid', async () => {
    const bad = {
      format: 'latentloom.graph',
      version: 1,
      meta: { title: 'broken' },
      models: {},
      nodes: [
        { id: 'a', type: 'const/float', version: 1, params: { value: 1 }, ui: { x: 0, y: 0 } },
        { id: 'ghost', type: 'no/such-node', version: 1, params: {}, ui: { x: 300, y: 0 } },
        { id: 'add', type: 'math/add', version: 1, params: { bias: 'not a number' }, ui: { x: 600, y: 0 } },
      ],
      edges: [
        { from: { node: 'a', port: 'value' }, to: { node: 'add', port: 'a' } },
        { from: { node: 'missing', port: 'x' }, to: { node: 'add', port: 'b' } },
      ],
    };
    await s.page.getByTestId('file-input').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    await s.page.getByTestId('issues-tab').click();
    const text = await s.page.getByTestId('issues').textContent();
    expect(text).toContain('unknown-node-type');
    expect(text).toContain('dangling-edge');
    expect(text).toContain('param-invalid');
    const doc = await probe(s.page, (p) => p.doc());
    expect(doc.nodes.map((n) => n.id)).toEqual(['a', 'ghost', 'add']);
    expect(await s.page.locator('.ll-node-unknown').count()).toBe(1);
    await screenshot(s.page, 'editing-06-malformed-file');
    expect(s.errors).toEqual([]);
  });

  it('dragging one of several selected nodes moves them all, in one undo step', async () => {
    await openEditor(s.page, s.server.url, MATH);
    const at = async () => {
      const nodes = (await probe(s.page, (p) => p.doc())).nodes;
      return ['start', 'steps', 'finish'].map((id) => nodes.find((n) => n.id === id)!.ui!);
    };
    const before = await at();
    await s.page.locator(`${node('start')} .ll-node-title`).click();
    await s.page.keyboard.down('Control');
    await s.page.locator(`${node('steps')} .ll-node-title`).click();
    await s.page.keyboard.up('Control');
    const box = (await s.page.locator(`${node('start')} .ll-node-title`).boundingBox())!;
    await s.page.mouse.move(box.x + 10, box.y + 5);
    await s.page.mouse.down();
    await s.page.mouse.move(box.x + 130, box.y + 85, { steps: 15 });
    await s.page.mouse.up();
    const after = await at();
    const dx = after[0].x - before[0].x;
    const dy = after[0].y - before[0].y;
    expect(dx).toBeGreaterThan(100);
    expect(dy).toBeGreaterThan(50);
    // Both selected nodes by the same amount; the one not selected stays.
    expect(after[1]).toMatchObject({ x: before[1].x + dx, y: before[1].y + dy });
    expect(after[2]).toMatchObject({ x: before[2].x, y: before[2].y });
    await s.page.keyboard.press('Control+z');
    expect(await at()).toEqual(before);
  });

  it('a drag that auto-pans at the canvas edge changes the document once, at the drop: the move (one undo step) and the viewport', async () => {
    await openEditor(s.page, s.server.url, MATH);
    const viewport = () => s.page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform);
    await expect.poll(viewport).toMatch(/scale/);
    const before = (await probe(s.page, (p) => p.doc())).nodes.find((n) => n.id === 'steps')!.ui!;
    const pane = (await s.page.locator('.react-flow__pane').boundingBox())!;
    const box = (await s.page.locator(`${node('steps')} .ll-node-title`).boundingBox())!;
    const revision = await probe(s.page, (p) => p.revision());
    const panned = await viewport();
    await s.page.mouse.move(box.x + 10, box.y + 5);
    await s.page.mouse.down();
    // Held within React Flow's 40 px auto-pan margin at the top: the canvas pans on every frame.
    await s.page.mouse.move(box.x + 30, pane.y + 12, { steps: 10 });
    for (let i = 0; i < 10; i++) {
      await s.page.waitForTimeout(50);
      await s.page.mouse.move(box.x + 30 + (i % 2), pane.y + 12);
    }
    expect(await viewport()).not.toBe(panned);
    // Every auto-pan step ends a pan; none of them is saved while the node is held.
    expect(await probe(s.page, (p) => p.revision())).toBe(revision);
    await s.page.mouse.up();
    const doc = await probe(s.page, (p) => p.doc());
    const after = doc.nodes.find((n) => n.id === 'steps')!.ui!;
    expect(after.y).toBeLessThan(before.y);
    // The drop saves the viewport the auto-pan left (rounded as saved) and the move.
    const [, x, y, zoom] = /translate\(([-\d.]+)px, ([-\d.]+)px\) scale\(([\d.]+)\)/.exec(await viewport())!.map(Number);
    expect(doc.ui?.viewport).toMatchObject({ x: Math.round(x), y: Math.round(y) });
    expect(doc.ui!.viewport!.zoom).toBeCloseTo(zoom, 5);
    expect(await probe(s.page, (p) => p.revision())).toBe(revision + 2);
    await s.page.locator('.react-flow__pane').click({ position: { x: 5, y: pane.height - 5 } });
    await s.page.keyboard.press('Control+z');
    expect((await probe(s.page, (p) => p.doc())).nodes.find((n) => n.id === 'steps')!.ui).toMatchObject({ x: before.x, y: before.y });
    expect(s.errors).toEqual([]);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
