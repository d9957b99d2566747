/**
 * A clean console in the default flows, on the production build and on the dev server: open the
 * editor, Run the default graph, switch through the examples, the app view and back, Run on WebGPU where this
 * Chromium has it — with no console error or warning, no uncaught exception and no failed
 * request (a 404 shows in the console as an error). Invalid JSON in a param is flagged while it
 * is typed, in the node and the Issues tab, not only at Run.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleMessage, Page, Response } from 'playwright-core';
import { createServer as createViteServer } from 'vite';
import { HAS_CHROMIUM, ROOT, SKIP_REASON, node, openEditor, screenshot, startSession, type Session } from './harness.ts';
import type { StaticServer } from './server.ts';
import { chooseBackend, engineWorker, runForImage, webGpuUnavailableReason } from './workerRuns.ts';

if (!HAS_CHROMIUM && process.env.CI) throw new Error(`${SKIP_REASON} — CI needs chromium`);

/** The vite dev server on a free port, as `npm run dev` serves the editor. */
async function serveDev(): Promise<StaticServer> {
  const server = await createViteServer({ root: ROOT, configFile: `${ROOT}/vite.config.ts`, logLevel: 'silent', server: { host: '127.0.0.1', port: 0, strictPort: false } });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, requests: [], close: () => server.close() };
}

/** Every console error/warning, uncaught exception and failed request of the page and its workers. */
function watchConsole(page: Page): string[] {
  const found: string[] = [];
  const onConsole = (m: ConsoleMessage) => {
    if (m.type() === 'error' || m.type() === 'warning') found.push(`console.${m.type()}: ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`);
  };
  const onResponse = (r: Response) => {
    if (r.status() >= 400) found.push(`HTTP ${r.status()} ${r.url()}`);
  };
  page.on('console', onConsole);
  page.on('response', onResponse);
  page.on('pageerror', (e) => found.push(`uncaught: ${e.message}`));
  // A download the runtime stops on purpose (a probe that read the headers) is no failure.
  page.on('requestfailed', (r) => void (r.failure()?.errorText !== 'net::ERR_ABORTED' && found.push(`request failed: ${r.url()} (${r.failure()?.errorText})`)));
  page.on('worker', (w) => w.on('console', onConsole));
  return found;
}

/** The watch sees the page's and the engine worker's console: a warning from each shows up. */
async function expectWatched(page: Page, found: string[]): Promise<void> {
  const before = found.length;
  await page.evaluate(() => console.warn('console watch check (page)'));
  await engineWorker(page).evaluate(() => console.error('console watch check (worker)'));
  await expect.poll(() => found.slice(before).join('\n')).toMatch(/check \(page\)[^]*check \(worker\)|check \(worker\)[^]*check \(page\)/);
  found.splice(before);
}

/** Every shipped example, then back to the default graph. */
const SWITCH_TO = [...readdirSync(join(ROOT, 'graphs')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort(), 'toy-txt2img'];

async function switchExample(page: Page, name: string): Promise<void> {
  await page.selectOption('select[aria-label="examples"]', name);
  await page.waitForFunction((n) => document.querySelector('[data-testid="toast"]')?.textContent?.includes(`${n}.json`), name, { timeout: 10_000 });
  await page.waitForTimeout(300);
}

async function defaultFlow(s: Session, label: string): Promise<string[]> {
  const found = watchConsole(s.page);
  await openEditor(s.page, s.server.url, '?fresh');
  await chooseBackend(s.page, 'wasm');
  const run = await runForImage(s.page, 'save');
  expect(run.status).toMatch(/^Done in/);
  for (const name of SWITCH_TO) await switchExample(s.page, name);
  // The app view and back.
  await s.page.getByTestId('form-view').click();
  await s.page.getByTestId('app-form').waitFor();
  await s.page.getByRole('button', { name: 'Graph', exact: true }).click();
  await s.page.locator(node('prompt')).waitFor();
  await screenshot(s.page, `clean-console-${label}`);
  await expectWatched(s.page, found);
  return found;
}

/** Typing broken JSON into the scheduler's config shows the issue on the node and in the Issues tab at once. */
async function invalidJsonFlaggedWhileTyping(page: Page): Promise<void> {
  const config = page.locator(`${node('scheduler')} textarea[aria-label="config"]`);
  await config.scrollIntoViewIfNeeded();
  await config.fill('{"timestep_spacing": "trailing"');
  const issues = page.getByTestId('issues-tab');
  await expect.poll(() => issues.textContent()).toBe('Issues (1)');
  expect(await page.locator(`${node('scheduler')} .ll-node-issues`).textContent()).toMatch(/param "config" is not valid JSON/);
  await screenshot(page, 'clean-console-invalid-json');
  await config.fill('{"timestep_spacing": "trailing"}');
  await expect.poll(() => issues.textContent()).toBe('Issues (0)');
}

describe.skipIf(!HAS_CHROMIUM)('editor (browser): clean console', () => {
  it('production build: open, Run, switch examples, Run on WebGPU — no errors or warnings', async () => {
    const s = await startSession({ webgpu: true });
    try {
      const found = await defaultFlow(s, 'build');
      const noGpu = await webGpuUnavailableReason(engineWorker(s.page));
      if (noGpu) console.log(`WebGPU part skipped: ${noGpu}`);
      else {
        await chooseBackend(s.page, 'webgpu');
        const run = await runForImage(s.page, 'save');
        expect(run.status).toMatch(/^Done in/);
      }
      const backend = await s.page.getByTestId('backend-in-use').textContent();
      if (!noGpu) expect(backend).toBe('onnxruntime-web/webgpu');
      expect(found).toEqual([]);
      await invalidJsonFlaggedWhileTyping(s.page);
    } finally {
      await s.close();
    }
  }, 240_000);

  it('dev server (npm run dev): open, Run, switch examples — no errors or warnings', async () => {
    const s = await startSession({ serve: () => serveDev() });
    try {
      expect(await defaultFlow(s, 'dev')).toEqual([]);
    } finally {
      await s.close();
    }
  }, 240_000);
});
