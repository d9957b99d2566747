/**
 * E2E harness: builds the app once (vite build → dist/), serves dist/ on 127.0.0.1 with
 * COOP/COEP, and drives Debian's Chromium through playwright-core. Tests skip with a clear
 * message when /usr/bin/chromium is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { serveStatic, type StaticServer } from './server.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const SKIP_REASON = `${CHROMIUM} is missing (install Debian's chromium: apt-get install -y chromium); browser tests skipped`;
export const ROOT = resolve(import.meta.dirname, '../..');
export const DIST = join(ROOT, 'dist');
export const ARTIFACTS = join(ROOT, 'tests/artifacts');

const LOCK = join(ROOT, 'node_modules/.cache/latentloom-e2e-build.lock');
const STAMP = join(DIST, '.e2e-build-stamp');
const STALE_LOCK_MS = 5 * 60_000;
const SOURCES = ['src', 'nodes', 'graphs', 'public', 'index.html', 'vite.config.ts', 'package.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function buildIsFresh(): boolean {
  if (!existsSync(STAMP)) return false;
  const built = statSync(STAMP).mtimeMs;
  return SOURCES.every((p) => newestMtime(join(ROOT, p)) <= built);
}

/**
 * Builds dist/ when any app source is newer than the last e2e build. Test files run in parallel
 * processes, so the first takes a lock and builds while the others wait for it.
 */
export async function ensureBuilt(): Promise<void> {
  mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
  for (;;) {
    if (!existsSync(LOCK) && buildIsFresh()) return;
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (buildIsFresh()) return;
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
        cwd: ROOT,
        stdio: 'pipe',
        // vitest sets NODE_ENV=test, which would make vite bundle React's development build.
        env: { ...process.env, NODE_ENV: 'production' },
      });
    } catch (e) {
      const out = e as { stdout?: Buffer; stderr?: Buffer };
      const log = `${out.stdout?.toString() ?? ''}${out.stderr?.toString() ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '');
      throw new Error(`vite build failed, so the browser tests cannot run:\n${log.slice(0, 3000)}`);
    }
    writeFileSync(STAMP, new Date().toISOString());
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export interface Session {
  server: StaticServer;
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** `serve`: what serves dist/ (default: a static server with COOP/COEP; the ComfyUI server in its own test). */
export async function startSession(options: { webgpu?: boolean; serve?: (dist: string) => Promise<StaticServer> } = {}): Promise<Session> {
  await ensureBuilt();
  const server = await (options.serve ?? serveStatic)(DIST);
  const userDataDir = mkdtempSync(join(tmpdir(), 'latentloom-e2e-'));
  const args = ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
  if (options.webgpu) args.push('--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args,
    viewport: { width: 1400, height: 860 },
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    server,
    context,
    page,
    errors,
    async close() {
      await context.close();
      await server.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Opens the editor and waits until node types are loaded and a graph is on the canvas. */
export async function openEditor(page: Page, url: string, query = ''): Promise<void> {
  await page.goto(`${url}/${query}`);
  await page.waitForFunction(() => (window as unknown as { __latentloomReady?: boolean }).__latentloomReady === true, null, { timeout: 30_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export const node = (id: string) => `.react-flow__node[data-id="${id}"]`;
export const handle = (nodeId: string, port: string, kind: 'source' | 'target') =>
  `.react-flow__handle[data-nodeid="${nodeId}"][data-handleid="${port}"].${kind}`;

/** Picks a value in the toolbar's settings menu (⚙: `backend` or `threads`), opening it and closing it again. */
export async function chooseSetting(page: Page, setting: 'backend' | 'threads', value: string): Promise<void> {
  const menu = page.locator('details.ll-settings');
  const summary = menu.getByLabel('settings', { exact: true });
  if (!(await menu.evaluate((el) => (el as HTMLDetailsElement).open))) await summary.click();
  await menu.locator(`select[aria-label="${setting}"]`).selectOption(value);
  await summary.click();
}

/** Drags with the mouse from the centre of one element to the centre of another, in steps. */
export async function dragBetween(page: Page, from: string, to: string, steps = 12): Promise<void> {
  const a = await page.locator(from).boundingBox();
  const b = await page.locator(to).boundingBox();
  if (!a || !b) throw new Error(`dragBetween: ${!a ? from : to} is not visible`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps });
  await page.mouse.up();
}

interface Probe {
  doc(): {
    nodes: { id: string; zone?: string; params: Record<string, unknown>; ui?: { x: number; y: number } }[];
    edges: unknown[];
    meta: { title?: string };
    ui?: { viewport?: { x: number; y: number; zoom: number } };
  };
  /** The editor store's revision: bumped by every document change, undo, redo and load. */
  revision(): number;
  lastRun(): { executed: string[]; cached: string[]; ms: number; error?: string } | undefined;
  running(): boolean;
}

/** Reads the editor's state through its read-only test probe (window.__latentloom). */
export async function probe<T>(page: Page, fn: (p: Probe) => T): Promise<T> {
  return page.evaluate(`(${fn.toString()})(window.__latentloom)`) as Promise<T>;
}

/** One browser session for a describe block: started before its tests, closed after them. */
export function useSession(options: Parameters<typeof startSession>[0] = {}): () => Session {
  let s: Session | undefined;
  beforeAll(async () => {
    s = await startSession(options);
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });
  return () => {
    if (!s) throw new Error('the browser session did not start');
    return s;
  };
}
