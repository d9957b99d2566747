/**
 * Model files dropped on the editor (headless Chromium, wasm): the browser has no file paths, so
 * the editor hands the dropped bytes to its worker, which serves them as `dropped:<file name>`.
 * A TF.js model (model.json + shard: UpscalerJS's esrgan-slim ×2, a real pretrained model from
 * node_modules) dropped on a "Load upscaler" node becomes its upscaler and Run upscales 128² →
 * 256²; an ESRGAN-family .pth (a small SRVGGNetCompact ×2 written by the test) dropped on the node
 * replaces it; one dropped on the empty canvas makes a new Load upscaler node that loads it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HAS_CHROMIUM, ROOT, SKIP_REASON, node, openEditor, probe, startSession, type Session } from './harness.ts';
import { dropFiles } from './dropFiles.ts';
import { chooseBackend, openGraph, runForImage, type Json } from './workerRuns.ts';
import { compactCheckpoint } from '../fixtures/esrganCheckpoints.ts';

if (!HAS_CHROMIUM && process.env.CI) throw new Error(`${SKIP_REASON} — CI needs chromium`);

const SLIM = join(ROOT, 'node_modules/@upscalerjs/esrgan-slim');
const TFJS_DIR = join(SLIM, 'models/x2');
const FIXTURE_PNG = join(SLIM, 'assets/fixture.png');
const HAS_MODEL = [join(TFJS_DIR, 'model.json'), join(TFJS_DIR, 'group1-shard1of1.bin'), FIXTURE_PNG].every(existsSync);
const MISSING = `${TFJS_DIR} (npm package @upscalerjs/esrgan-slim) is missing: run npm install; the dropped-model browser test is skipped`;
if (!HAS_MODEL && process.env.CI) throw new Error(`${MISSING} — CI needs it`);

const compactX2 = () => compactCheckpoint({ scale: 2 });

function upscaleGraph(): Json {
  const n = (id: string, type: string, params: Record<string, unknown>, x: number, y: number) => ({ id, type, version: 1, params, ui: { x, y } });
  const edge = (a: string, ap: string, b: string, bp: string) => ({ from: { node: a, port: ap }, to: { node: b, port: bp } });
  return {
    format: 'latentloom.graph',
    version: 1,
    models: {},
    nodes: [
      n('img', 'image/load', { source: `data:image/png;base64,${readFileSync(FIXTURE_PNG).toString('base64')}` }, 0, 0),
      n('upscaler', 'model/load-upscaler', { source: '' }, 0, 300),
      n('up', 'image/upscale-model', { tile_size: 0, overlap: 0 }, 320, 120),
      n('save', 'image/save', { filename_prefix: 'up', embed_graph: false }, 640, 120),
    ],
    edges: [edge('upscaler', 'upscaler', 'up', 'upscaler'), edge('img', 'image', 'up', 'image'), edge('up', 'image', 'save', 'images')],
  } as unknown as Json;
}

const sourceOf = (s: Session, id: string) => probe(s.page, (p) => p.doc().nodes.map((n) => [n.id, n.params.source] as const)).then((all) => all.find(([n]) => n === id)?.[1]);

describe.skipIf(!HAS_CHROMIUM || !HAS_MODEL)('editor (browser): model files dropped on a Load upscaler node', () => {
  let s: Session;
  let tfjsPng: Uint8Array = new Uint8Array();
  beforeAll(async () => {
    s = await startSession();
    await openEditor(s.page, s.server.url, '?fresh&example=math-demo');
    await chooseBackend(s.page, 'wasm');
    await openGraph(s.page, upscaleGraph(), 'upscale.json');
    await s.page.locator('.react-flow__controls-fitview').click();
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  it('a TF.js model.json dropped with its shard becomes the node\'s upscaler, and Run upscales', async () => {
    await dropFiles(s.page, node('upscaler'), [
      { name: 'model.json', mimeType: 'application/json', buffer: readFileSync(join(TFJS_DIR, 'model.json')) },
      { name: 'group1-shard1of1.bin', mimeType: 'application/octet-stream', buffer: readFileSync(join(TFJS_DIR, 'group1-shard1of1.bin')) },
    ]);
    await expect.poll(() => sourceOf(s, 'upscaler')).toBe('dropped:model.json');
    expect(await s.page.getByTestId('toast').textContent()).toMatch(/"upscaler" loads the dropped model\.json/);
    const run = await runForImage(s.page, 'save', 180_000);
    expect((await probe(s.page, (p) => p.lastRun()))?.error).toBeUndefined();
    expect([run.width, run.height]).toEqual([256, 256]);
    tfjsPng = run.png;
    await s.page.screenshot({ path: '/tmp/dropped-upscaler.png' });
  }, 240_000);

  it('a .pth checkpoint dropped on the node replaces it and runs', async () => {
    await dropFiles(s.page, node('upscaler'), [{ name: 'compact-x2.pth', mimeType: 'application/octet-stream', buffer: compactX2() }]);
    await expect.poll(() => sourceOf(s, 'upscaler')).toBe('dropped:compact-x2.pth');
    const run = await runForImage(s.page, 'save', 180_000);
    expect((await probe(s.page, (p) => p.lastRun()))?.error).toBeUndefined();
    expect([run.width, run.height]).toEqual([256, 256]);
    // Another model ran: the random-weight net's image is not the TF.js model's.
    expect(Buffer.from(run.png).equals(Buffer.from(tfjsPng))).toBe(false);
    expect(s.errors).toEqual([]);
  }, 240_000);

  it('a model file dropped on the empty canvas makes a Load upscaler node for it', async () => {
    const pane = await s.page.locator('.react-flow__pane').boundingBox();
    await dropFiles(s.page, '.react-flow__pane', [{ name: 'compact-x2.pth', mimeType: 'application/octet-stream', buffer: compactX2() }], { x: pane!.x + pane!.width - 150, y: pane!.y + 60 });
    await expect.poll(() => probe(s.page, (p) => p.doc().nodes.filter((n) => n.id !== 'upscaler' && n.params.source === 'dropped:compact-x2.pth').length)).toBe(1);
    // The graph is not replaced: its own nodes stay.
    expect((await probe(s.page, (p) => p.doc().nodes.map((n) => n.id)))).toEqual(expect.arrayContaining(['img', 'upscaler', 'up', 'save']));
  });

  it('a model file dropped on a node that takes none is refused, and nothing changes', async () => {
    await dropFiles(s.page, node('save'), [{ name: 'compact-x2.pth', mimeType: 'application/octet-stream', buffer: compactX2() }]);
    await expect.poll(() => s.page.getByTestId('toast').textContent()).toMatch(/Node "save" \(image\/save\) takes no model file/);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
else if (!HAS_MODEL) it.skip(MISSING, () => {});
