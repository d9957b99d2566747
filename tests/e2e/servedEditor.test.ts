/**
 * `latentloom serve` serves the built editor at `/` as well: opened from the ComfyUI-compatible
 * server (cross-origin isolated), the editor runs the default graph in its worker and makes an
 * image, while the same server answers ComfyUI's API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createComfyServer } from '../../src/server/serveCommand.ts';
import { HAS_CHROMIUM, SKIP_REASON, openEditor, probe, screenshot, startSession, type Session } from './harness.ts';
import { measureRun } from './measure.ts';

if (!HAS_CHROMIUM && process.env.CI) throw new Error(`${SKIP_REASON} — CI needs chromium`);

describe.skipIf(!HAS_CHROMIUM)('editor (browser) served by latentloom serve', () => {
  let s: Session;
  const dir = mkdtempSync(join(tmpdir(), 'latentloom-served-editor-'));
  beforeAll(async () => {
    s = await startSession({
      serve: async (dist) => {
        const server = await createComfyServer({ port: 0, outDir: join(dir, 'output'), inputDir: join(dir, 'input'), editorDir: dist });
        return { url: server.url, close: () => server.close(), requests: [] };
      },
    });
  }, 300_000);
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens at / and Run makes an image; the API answers on the same port', async () => {
    await s.page.goto(`${s.server.url}/`);
    expect(await s.page.evaluate(() => crossOriginIsolated)).toBe(true);
    await s.page.evaluate(() => localStorage.setItem('latentloom.backend', 'wasm'));
    await openEditor(s.page, s.server.url, '');
    const run = await measureRun(s.page, 120_000);
    console.log(`[editor] served by latentloom serve: Run → first image ${run.firstImageMs} ms`);
    expect((await probe(s.page, (p) => p.lastRun()))?.error).toBeUndefined();
    expect(await s.page.locator('[data-testid="gallery"] figcaption').first().textContent()).toMatch(/64×64/);
    await screenshot(s.page, 'served-editor-run');
    const stats = await s.page.evaluate(async () => (await fetch('/system_stats')).json());
    expect(stats.system.comfyui_version).toMatch(/^latentloom /);
    expect(s.errors).toEqual([]);
  }, 180_000);
});
