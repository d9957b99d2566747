/**
 * ComfyUI workflows in the editor (headless Chromium): ComfyUI's default text-to-image workflow
 * (API form, toy-shapes.safetensors at 64×64) dropped on the canvas is converted, shown with a
 * "converted from a ComfyUI workflow" notice, and Run makes a 64×64 image with the built-in toy
 * model; the UI form pasted as text opens too; a workflow with an unknown class shows the error
 * naming the ComfyUI node and class, and the graph on the canvas stays.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HAS_CHROMIUM, ROOT, SKIP_REASON, node, openEditor, probe, startSession, type Session } from './harness.ts';
import { dropFiles } from './dropFiles.ts';
import { encodePng } from '../../src/tensor/png.ts';
import { chooseBackend, runForImage } from './workerRuns.ts';

if (!HAS_CHROMIUM && process.env.CI) throw new Error(`${SKIP_REASON} — CI needs chromium`);

const FIXTURES = join(ROOT, 'tests/fixtures/comfy');
const API = readFileSync(join(FIXTURES, 'txt2img-api.json'));
const UI = readFileSync(join(FIXTURES, 'txt2img-ui.json'), 'utf8');
const CONVERTED = ['n4_load', 'n6_prompt', 'n7_prompt', 'n3_denoise', 'n8_decode', 'n9_save'];

describe.skipIf(!HAS_CHROMIUM)('editor (browser): ComfyUI workflows', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
    await openEditor(s.page, s.server.url, '?fresh&example=math-demo');
    await chooseBackend(s.page, 'wasm');
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  it('a dropped API workflow is converted with a notice, and Run makes an image', async () => {
    await dropFiles(s.page, '.react-flow__pane', [{ name: 'ComfyUI-default-api.json', mimeType: 'application/json', buffer: API }]);
    await s.page.locator(node('n9_save')).waitFor();
    const ids = (await probe(s.page, (p) => p.doc())).nodes.map((n) => n.id);
    expect(ids).toEqual(expect.arrayContaining(CONVERTED));
    const toast = await s.page.getByTestId('toast').textContent();
    expect(toast).toMatch(/ComfyUI-default-api\.json: Converted from a ComfyUI workflow \(API format\)/);
    expect(await s.page.getByTestId('issues-tab').textContent()).toBe('Issues (1)');
    await s.page.locator('.react-flow__controls-fitview').click();
    await s.page.waitForTimeout(400);
    await s.page.screenshot({ path: '/tmp/comfy-editor.png' });
    const run = await runForImage(s.page, 'n9_save', 150_000);
    expect([run.width, run.height]).toEqual([64, 64]);
    expect((await probe(s.page, (p) => p.lastRun()))?.error).toBeUndefined();
    expect(s.errors).toEqual([]);
  }, 200_000);

  it('an unknown class shows the error naming the node and class; the current graph stays', async () => {
    const broken = JSON.parse(API.toString('utf8'));
    broken['10'] = { class_type: 'SomeCustomNode', inputs: { image: ['8', 0] } };
    await s.page.getByTestId('file-input').setInputFiles({ name: 'custom.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
    await expect.poll(() => s.page.getByTestId('toast').textContent()).toMatch(/custom\.json.*node 10: ComfyUI class "SomeCustomNode" is not supported/);
    expect(await s.page.locator('.ll-toast.error').count()).toBe(1);
    const ids = (await probe(s.page, (p) => p.doc())).nodes.map((n) => n.id);
    expect(ids).toEqual(expect.arrayContaining(CONVERTED));
  });

  it('a ComfyUI PNG dropped on the canvas opens its `prompt` (over its `workflow`)', async () => {
    const prompt = JSON.parse(API.toString('utf8'));
    prompt['6'].inputs.text = 'from the prompt chunk';
    const png = encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }, { text: { prompt: JSON.stringify(prompt), workflow: UI } });
    await dropFiles(s.page, '.react-flow__pane', [{ name: 'ComfyUI_00001_.png', mimeType: 'image/png', buffer: png }]);
    await expect.poll(() => s.page.getByTestId('toast').textContent()).toMatch(/ComfyUI_00001_\.png: Converted from a ComfyUI workflow \(API format\)/);
    const texts = await probe(s.page, (p) => p.doc().nodes.map((n) => n.params.text));
    expect(texts).toContain('from the prompt chunk');
  });

  it('the UI form pasted as text opens, converted', async () => {
    await s.page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await s.page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.setData('text/plain', text);
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, UI);
    await expect.poll(() => s.page.getByTestId('toast').textContent()).toMatch(/pasted ComfyUI workflow: Converted from a ComfyUI workflow \(UI format\)/);
    expect(await s.page.locator('.react-flow__node').count()).toBeGreaterThan(3);
    // The KSampler opens as one collapsed zone box.
    expect(await s.page.locator('[data-zone-box]').count()).toBe(1);
    expect(await s.page.locator('[data-zone-box] .ll-node-title').textContent()).toBe('⟳ KSampler');
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
