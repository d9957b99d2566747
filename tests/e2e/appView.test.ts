/**
 * The app view in the browser: the default graph opens as a simple form of its exposed params
 * (prompt, seed, steps…) with Run, progress and the gallery; a prompt typed there makes that
 * picture; one click goes back to the graph, which holds the same edit; a ☆ on a node card
 * exposes another param, and Save writes the exposed list into the file; a ☆ on a param of a
 * node inside a subgraph exposes it by its flat id, and the form shows and edits it.
 */
import { readFileSync } from 'node:fs';
import { decodePng } from '../../src/tensor/png.ts';
import { HAS_CHROMIUM, SKIP_REASON, node, openEditor, probe, screenshot, useSession } from './harness.ts';
import { chooseBackend } from './workerRuns.ts';

if (!HAS_CHROMIUM && process.env.CI) throw new Error(`${SKIP_REASON} — CI needs chromium`);

describe.skipIf(!HAS_CHROMIUM)('editor (browser): app view', () => {
  const session = useSession();

  it('the form shows the exposed params; a prompt typed there makes its picture', async () => {
    const { page, server } = session();
    await openEditor(page, server.url, '?fresh');
    await chooseBackend(page, 'wasm');
    await page.getByTestId('form-view').click();
    const form = page.getByTestId('app-form');
    await form.waitFor();
    expect(await form.locator('.ll-form-label').allTextContents()).toEqual(['Prompt', 'Negative prompt', 'Seed', 'Steps', 'Guidance (CFG scale)']);
    await form.locator('[data-field="prompt.text"] textarea').fill('a blue square on white');
    await form.locator('[data-field="prompt.text"] textarea').blur();
    await page.getByTestId('form-run').click();
    await page.locator('[data-testid="form-gallery"] img').first().waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => !(window as unknown as { __latentloom: { running(): boolean } }).__latentloom.running());
    await expect.poll(() => page.getByTestId('form-status').textContent()).toMatch(/^Done in/);
    await screenshot(page, 'app-view-form');
    const src = await page.locator('[data-testid="form-gallery"] img').first().getAttribute('src');
    const png = await page.evaluate(async (url) => Array.from(new Uint8Array(await (await fetch(url!)).arrayBuffer())), src);
    const img = decodePng(new Uint8Array(png));
    // White background, a blue square: white corners, and a block of blue pixels.
    const at = (i: number) => Array.from(img.data.subarray(i * 4, i * 4 + 3));
    expect(Math.min(...at(2 * img.width + 2))).toBeGreaterThan(200);
    let blue = 0;
    for (let i = 0; i < img.width * img.height; i++) {
      const [r, g, b] = at(i);
      if (b > 150 && Math.max(r, g) < 120) blue++;
    }
    expect(blue / (img.width * img.height)).toBeGreaterThan(0.05);
  }, 120_000);

  it('one click back to the graph, which holds the same edit; ☆ exposes a param and Save keeps it', async () => {
    const { page } = session();
    await page.getByRole('button', { name: 'Graph', exact: true }).click();
    await page.locator(node('prompt')).waitFor();
    expect(await page.locator(`${node('prompt')} textarea`).inputValue()).toBe('a blue square on white');
    const star = page.locator(node('noise')).getByRole('button', { name: 'show width in the app form' });
    await star.click();
    await expect.poll(async () => (await probe(page, (p) => (p.doc() as unknown as { app?: { exposed: { node: string; param: string }[] } }).app?.exposed.map((e) => `${e.node}.${e.param}`)))).toContain('noise.width');
    expect(await page.locator(node('noise')).getByRole('button', { name: 'hide width in the app form' }).textContent()).toBe('★');
    await screenshot(page, 'app-view-star');
    await page.getByTestId('form-view').click();
    expect(await page.locator('[data-field="noise.width"] .ll-form-label').textContent()).toMatch(/width/i);
    const download = page.waitForEvent('download');
    await page.keyboard.press('Control+s');
    const file = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
    expect(file.version).toBe(2);
    expect(file.app.exposed.map((e: { node: string; param: string }) => `${e.node}.${e.param}`)).toEqual(['prompt.text', 'negative.text', 'noise.seed', 'scheduler.steps', 'cfg.scale', 'noise.width']);
  }, 60_000);

  it('☆ on a param inside a subgraph exposes it by its flat id; the form shows and edits it', async () => {
    const { page } = session();
    await page.getByRole('button', { name: 'Graph', exact: true }).click();
    await page.locator(`${node('text_encoding')} .ll-node-title`).dblclick();
    await page.getByTestId('subgraph-bar').waitFor();
    const star = page.locator(node('tokenize')).getByRole('button', { name: 'show min_chunks in the app form' });
    await star.click();
    await expect.poll(async () => (await probe(page, (p) => (p.doc() as unknown as { app?: { exposed: { node: string; param: string }[] } }).app?.exposed.map((e) => `${e.node}.${e.param}`)))).toContain('text_encoding/tokenize.min_chunks');
    expect(await page.locator(node('tokenize')).getByRole('button', { name: 'hide min_chunks in the app form' }).textContent()).toBe('★');
    // The same id at the top level (none there) and the other inner node stay unstarred.
    expect(await page.locator(node('tokenize_negative')).getByRole('button', { name: 'show min_chunks in the app form' }).count()).toBe(1);
    await screenshot(page, 'app-view-star-subgraph');
    await page.getByTestId('form-view').click();
    const field = page.locator('[data-field="text_encoding/tokenize.min_chunks"]');
    expect(await field.locator('.ll-form-label').textContent()).toMatch(/^Text encoding › /);
    const input = field.locator('input[type="number"]').first();
    await input.fill('2');
    await input.blur();
    type Inner = { id: string; params: Record<string, unknown> };
    const inner = async () => {
      const holder = (await probe(page, (p) => p.doc())).nodes.find((n) => n.id === 'text_encoding') as { subgraph?: { nodes: Inner[] } } | undefined;
      return holder?.subgraph?.nodes.find((n) => n.id === 'tokenize')?.params.min_chunks;
    };
    await expect.poll(inner).toBe(2);
    await screenshot(page, 'app-view-form-subgraph');
    const download = page.waitForEvent('download');
    await page.keyboard.press('Control+s');
    const file = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
    expect(file.app.exposed.at(-1)).toEqual({ node: 'text_encoding/tokenize', param: 'min_chunks' });
    // Back in the graph the subgraph's card holds the edit, still starred.
    await page.getByRole('button', { name: 'Graph', exact: true }).click();
    await expect.poll(() => page.locator(node('tokenize')).getByRole('button', { name: 'hide min_chunks in the app form' }).count()).toBe(1);
    expect(session().errors).toEqual([]);
  }, 60_000);
});
