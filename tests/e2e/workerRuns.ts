/**
 * Running a real pipeline in the editor's engine worker and getting its image back, for the
 * runtime parity test and the browser benchmark: open a graph file, choose the backend in the
 * toolbar, press Run, read the PNG of an image/save node from the gallery. The same graph runs
 * in Node on onnxruntime-node for reference.
 *
 * Which backend really ran is observed from outside the app: the test wraps WebGPU's
 * `GPUComputePassEncoder.dispatchWorkgroups` inside the worker (through Playwright's worker
 * handle), so a wasm run must dispatch no GPU work and a WebGPU run must dispatch some.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Worker } from 'playwright-core';
import { DIST, ROOT, chooseSetting, ensureBuilt } from './harness.ts';
import { serveStatic, type StaticServer } from './server.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { decodePng } from '../../src/tensor/png.ts';

export const TOY_GRAPH = join(ROOT, 'graphs/toy-txt2img.json');
export const TOY_PACKAGE = join(ROOT, 'public/models/toy-shapes');

/**
 * Serves the built app and, on the same origin (the app is cross-origin isolated, so model files
 * must come from its own origin), extra folders under `/<name>/`: a folder of links to dist/'s
 * entries and to the mounted folders.
 */
export async function serveAppWith(mounts: Record<string, string>): Promise<StaticServer> {
  await ensureBuilt();
  const root = mkdtempSync(join(tmpdir(), 'latentloom-app-'));
  for (const entry of readdirSync(DIST)) symlinkSync(join(DIST, entry), join(root, entry));
  for (const [name, dir] of Object.entries(mounts)) symlinkSync(dir, join(root, name));
  const server = await serveStatic(root);
  return {
    ...server,
    close: async () => {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export type Json = { nodes: { id: string; params: Record<string, unknown> }[]; models: Record<string, { source: string }> };

/** A shipped graph (graphs/<name>) with some nodes' params changed: { nodeId: { param: value } }. */
export function exampleGraph(name: string, changes: Record<string, Record<string, unknown>> = {}): Json {
  const graph = JSON.parse(readFileSync(join(ROOT, 'graphs', name), 'utf8')) as Json;
  for (const [id, params] of Object.entries(changes)) {
    const node = graph.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`graphs/${name} has no node "${id}" any more; update tests/e2e/workerRuns.ts`);
    Object.assign(node.params, params);
  }
  return graph;
}

/** graphs/toy-txt2img.json with its sampler's step count and seeds set. */
export function toyGraph(steps: number, seed = 42): Json {
  return exampleGraph('toy-txt2img.json', { scheduler: { steps }, noise: { seed }, scheduler_state: { seed } });
}

/** A copy of the graph with every model's source replaced. */
export function withModelSource(graph: Json, source: string): Json {
  const copy = structuredClone(graph);
  for (const ref of Object.values(copy.models)) ref.source = source;
  return copy;
}

/** Opens the graph as a user would (File → Open) and waits until the editor holds it. */
export async function openGraph(page: Page, graph: Json, name = 'parity.json'): Promise<void> {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(graph)) });
  const ids = graph.nodes.map((n) => n.id);
  await page.waitForFunction(
    (want) => {
      const doc = (window as unknown as { __latentloom: { doc(): { nodes: { id: string }[] } } }).__latentloom.doc();
      return doc.nodes.length === want.length && want.every((id) => doc.nodes.some((n) => n.id === id));
    },
    ids,
    { timeout: 10_000 },
  );
  const issues = await page.getByTestId('issues-tab').textContent();
  if (issues !== 'Issues (0)') throw new Error(`the editor reports issues for ${name}: ${issues}`);
}

/** Picks the inference backend in the toolbar (the editor keeps the choice in localStorage). */
export async function chooseBackend(page: Page, choice: 'auto' | 'webgpu' | 'wasm'): Promise<void> {
  await chooseSetting(page, 'backend', choice);
}

/** The editor's engine worker (started when the editor asked it for node types). */
export function engineWorker(page: Page): Worker {
  const worker = page.workers().find((w) => /engineWorker/.test(w.url()));
  if (!worker) throw new Error(`no engine worker in the page (workers: ${page.workers().map((w) => w.url()).join(', ') || 'none'})`);
  return worker;
}

/**
 * Why WebGPU cannot be used in the engine worker, or undefined when an adapter is there.
 * Asked in the worker itself: that is where onnxruntime-web runs.
 */
export async function webGpuUnavailableReason(worker: Worker): Promise<string | undefined> {
  return worker.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (!gpu) return 'navigator.gpu is undefined in the engine worker (this Chromium exposes no WebGPU)';
    try {
      const adapter = await gpu.requestAdapter();
      return adapter ? undefined : 'navigator.gpu.requestAdapter() returned null in the engine worker (no SwiftShader adapter)';
    } catch (e) {
      return `navigator.gpu.requestAdapter() threw in the engine worker: ${e instanceof Error ? e.message : String(e)}`;
    }
  });
}

/** Counts GPU compute dispatches made in the worker from now on (0 where WebGPU is absent). */
export async function countGpuDispatches(worker: Worker): Promise<void> {
  await worker.evaluate(() => {
    const g = self as unknown as { __llDispatches?: number; GPUComputePassEncoder?: { prototype: Record<string, unknown> } };
    g.__llDispatches = 0;
    const proto = g.GPUComputePassEncoder?.prototype;
    if (!proto || proto.__llWrapped) return;
    const dispatch = proto.dispatchWorkgroups as (...args: unknown[]) => unknown;
    proto.dispatchWorkgroups = function (this: unknown, ...args: unknown[]) {
      g.__llDispatches = (g.__llDispatches ?? 0) + 1;
      return dispatch.apply(this, args);
    };
    proto.__llWrapped = true;
  });
}

/** GPU compute dispatches since the last reset, and resets the count. */
export async function takeGpuDispatches(worker: Worker): Promise<number> {
  return worker.evaluate(() => {
    const g = self as unknown as { __llDispatches?: number };
    const n = g.__llDispatches ?? 0;
    g.__llDispatches = 0;
    return n;
  });
}

export interface BrowserRun {
  /** Run pressed → run over with the new image in the gallery (ms). */
  ms: number;
  status: string;
  png: Uint8Array;
  /** RGBA bytes of the PNG. */
  rgba: Uint8Array;
  width: number;
  height: number;
}

/** Presses Run and returns the new PNG that image/save node `saveNode` put in the gallery. */
export async function runForImage(page: Page, saveNode: string, timeoutMs = 120_000): Promise<BrowserRun> {
  return (await runForImages(page, [saveNode], timeoutMs))[saveNode];
}

/** Presses Run and returns the new PNG each of the image/save nodes `saveNodes` put in the gallery (each run's `ms` is the run's). */
export async function runForImages(page: Page, saveNodes: readonly string[], timeoutMs = 120_000): Promise<Record<string, BrowserRun>> {
  const selector = (node: string) => `[data-testid="gallery"] img[alt^="${node} run "]`;
  const srcs = (node: string) => page.locator(selector(node)).evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).src));
  const before = new Map<string, Set<string>>();
  for (const node of saveNodes) before.set(node, new Set(await srcs(node)));
  const start = Date.now();
  await page.getByRole('button', { name: '▶ Run', exact: true }).click();
  await page.waitForFunction(() => !(window as unknown as { __latentloom: { running(): boolean } }).__latentloom.running(), null, { timeout: timeoutMs });
  const ms = Date.now() - start;
  // The editor renders run state once per animation frame: wait for the end of the run on screen.
  await page.waitForFunction(() => !/^(Running…|Starting…|node \d)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ''), null, { timeout: 10_000 });
  const status = (await page.getByTestId('status').textContent()) ?? '';
  const out: Record<string, BrowserRun> = {};
  for (const saveNode of saveNodes) {
    const fresh = (await srcs(saveNode)).filter((src) => !before.get(saveNode)!.has(src));
    if (fresh.length !== 1) {
      const lastRun = await page.evaluate(() => (window as unknown as { __latentloom: { lastRun(): unknown } }).__latentloom.lastRun());
      throw new Error(`the run gave ${fresh.length} new "${saveNode}" images (status: "${status}", last run: ${JSON.stringify(lastRun)})`);
    }
    const base64 = await page.evaluate(async (url) => {
      const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
      let bin = '';
      for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(bin);
    }, fresh[0]);
    const png = new Uint8Array(Buffer.from(base64, 'base64'));
    const decoded = decodePng(png);
    out[saveNode] = { ms, status, png, rgba: decoded.data, width: decoded.width, height: decoded.height };
  }
  return out;
}

export interface NodeRun {
  ms: number;
  /** The IMAGE fed to image/save: [1,3,H,W] float32 in [0,1]. */
  image: { data: Float32Array; shape: number[] };
  png: Uint8Array;
}

export function nodeToyRuntime(): Runtime {
  return createNodeRuntime({ backend: createNodeBackend() });
}

/** Runs the graph in Node (onnxruntime-node) and returns the decoded image and the saved PNG. */
export async function runInNode(graph: Json, runtime: Runtime = nodeToyRuntime(), decodeNode = 'decode', saveNode = 'save'): Promise<NodeRun> {
  const loaded = loadGraph(JSON.parse(JSON.stringify(graph)));
  if (!loaded.ok) throw new Error(`the graph does not load in Node: ${JSON.stringify(loaded).slice(0, 400)}`);
  const doc: GraphDocument = loaded.graph;
  const start = performance.now();
  const result = await createEngine({ registry: defaultRegistry(), services: { runtime } }).run(doc, { outputs: [decodeNode, saveNode] });
  const ms = performance.now() - start;
  if (!result.ok) throw new Error(`Node run failed at ${result.error?.node}: ${result.error?.message}`);
  const image = result.outputs[decodeNode]?.image as { data: Float32Array; shape: number[] } | undefined;
  const png = (result.outputs[saveNode]?.png as Uint8Array[] | undefined)?.[0];
  if (!image || !png) throw new Error(`Node run gave no ${!image ? `image from "${decodeNode}"` : `PNG from "${saveNode}"`}`);
  return { ms, image, png };
}
