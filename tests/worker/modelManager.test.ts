/**
 * The worker API's model-manager calls in Node, on the browser host wiring with onnxruntime-web's
 * wasm build and a memory package cache (OPFS and the Cache API are covered in Chromium by
 * tests/e2e/modelStore.test.ts): download a URL package from a real HTTP server with progress,
 * list it with its size, run from it, delete it; register dropped files as a folder; read a
 * model node's hidden sockets from the model.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createEngineWorkerApi, type EngineWorkerApi } from '../../src/worker/engineApi.ts';
import { createBrowserRuntime } from '../../src/worker/browserRuntime.ts';
import { memoryPackageCache } from '../../src/runtime/browser/packageCache.ts';
import type { PackageSource } from '../../src/runtime/package.ts';
import type { ModelDownloadProgress } from '../../src/worker/modelManager.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { makeTinySdPackages } from '../fixtures/tinySd.ts';
import { serveMounts, type FileServer } from '../fixtures/fileServer.ts';
import { compactCheckpoint } from '../fixtures/esrganCheckpoints.ts';
import { isModelDrop, droppedModelMain } from '../../src/runtime/droppedFiles.ts';

const ROOT = resolve(__dirname, '../..');
const TOY = join(ROOT, 'public/models/toy-shapes');
const GRAPH = join(ROOT, 'graphs/toy-txt2img.json');
const HAS_TOY = existsSync(TOY) && existsSync(GRAPH);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p).map((f) => `${name}/${f}`) : [name];
  });
}

let server: FileServer;
let origin: string;
let fixtures: ReturnType<typeof makeTinySdPackages>;
let requests: string[];

beforeAll(async () => {
  fixtures = makeTinySdPackages(['lcm']);
  server = await serveMounts({ toy: TOY, lcm: fixtures.packages.lcm.dir, models: join(ROOT, 'public/models') });
  origin = server.origin;
  requests = server.requests;
});
afterAll(async () => {
  await server.close();
  fixtures.cleanup();
});

function workerApi(): EngineWorkerApi {
  const cache = memoryPackageCache();
  const folders = new Map<string, PackageSource>();
  return createEngineWorkerApi({
    registry: defaultRegistry(),
    services: {},
    models: { cache, folders },
    runtimeFactory: () => createBrowserRuntime({ executionProvider: 'wasm', modelsBase: `${origin}/models/`, cache, folders }),
  });
}

function toyGraph(source: string): GraphDocument {
  const loaded = loadGraph(readFileSync(GRAPH, 'utf8'));
  if (!loaded.ok) throw new Error('graphs/toy-txt2img.json does not load');
  const doc = structuredClone(loaded.graph);
  for (const ref of Object.values(doc.models)) ref.source = source;
  for (const n of doc.nodes) if (n.type === 'sampling/scheduler') n.params.steps = 2;
  return doc;
}

describe.skipIf(!HAS_TOY)('model manager calls of the worker API (wasm in Node, memory cache)', () => {
  it('downloads a URL package with progress, lists it with its size, runs from it, deletes it', async () => {
    const api = workerApi();
    const base = `${origin}/toy/`;
    expect(await api.listModels()).toEqual([]);
    const progress: ModelDownloadProgress[] = [];
    const got = await api.prefetch(base, (p) => void progress.push(p));
    const onDisk = filesUnder(TOY);
    expect(got.files.sort()).toEqual(onDisk.filter((f) => got.files.includes(f)).sort());
    expect(got.files).toEqual(expect.arrayContaining(['unet/model.onnx', 'text_encoder/model.onnx', 'vae_decoder/model.onnx', 'tokenizer/vocab.json']));
    const unet = progress.filter((p) => p.file === 'unet/model.onnx');
    const unetBytes = statSync(join(TOY, 'unet/model.onnx')).size;
    expect(unet.at(-1)).toEqual({ package: base, file: 'unet/model.onnx', loaded: unetBytes, total: unetBytes });
    expect(unet[0].loaded).toBe(0);

    const [listed] = await api.listModels();
    expect(listed.id).toBe(base);
    expect(listed.storage).toBe('memory');
    const expectedBytes = got.files.reduce((n, f) => n + statSync(join(TOY, f)).size, 0);
    expect(listed.bytes).toBe(expectedBytes);
    expect(listed.files.find((f) => f.path === 'unet/model.onnx')?.bytes).toBe(unetBytes);

    // A run needs no further model download.
    const before = requests.filter((r) => r.startsWith('GET /toy/')).length;
    const result = await api.run(toyGraph(base), {});
    expect(result.error).toBeUndefined();
    expect(requests.filter((r) => r.startsWith('GET /toy/')).length).toBe(before);

    await api.deleteModel(base);
    expect(await api.listModels()).toEqual([]);
    await expect(api.deleteModel(base)).rejects.toThrow(`no cached model package "${base}"`);
    // After a delete the next run downloads again.
    const again = await api.run(toyGraph(base), {});
    expect(again.error).toBeUndefined();
    expect(requests.filter((r) => r.startsWith('GET /toy/')).length).toBeGreaterThan(before);
    expect((await api.listModels()).map((m) => m.id)).toEqual([base]);
  }, 60_000);

  it('registers dropped files as folder:<name> and runs from them; rejects a folder that is no package', async () => {
    const api = workerApi();
    const files = filesUnder(TOY).map((rel) => {
      const f = new File([readFileSync(join(TOY, rel))], rel.split('/').at(-1)!);
      Object.defineProperty(f, 'webkitRelativePath', { value: `my-toy/${rel}` });
      return f;
    });
    await expect(api.run(toyGraph('folder:my-toy'), {})).resolves.toMatchObject({ ok: false, error: { message: expect.stringMatching(/folder "my-toy" has not been picked/) } });
    const registered = await api.registerFolder({ files });
    expect(registered.source).toBe('folder:my-toy');
    expect(registered.files).toContain('unet/model.onnx');
    const result = await api.run(toyGraph('folder:my-toy'), {});
    expect(result.error).toBeUndefined();
    const notes = [new File(['hello'], 'notes.txt')];
    await expect(api.registerFolder({ name: 'notes', files: notes })).rejects.toThrow(/folder "notes" is not a model package/);
    expect(relative(ROOT, TOY)).toBe('public/models/toy-shapes');
  }, 60_000);

  it('keeps model files dropped on the editor as dropped:<name> for model/load-upscaler', async () => {
    const api = workerApi();
    const n = (id: string, type: string, params: Record<string, unknown>) => ({ id, type, version: 1, params });
    const pixels = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const graph = (source: string) => {
      const loaded = loadGraph({
        format: 'latentloom.graph', version: 1, models: {},
        nodes: [n('img', 'image/load', { source: pixels }), n('upscaler', 'model/load-upscaler', { source }), n('up', 'image/upscale-model', { tile_size: 0, overlap: 0 })],
        edges: [{ from: { node: 'upscaler', port: 'upscaler' }, to: { node: 'up', port: 'upscaler' } }, { from: { node: 'img', port: 'image' }, to: { node: 'up', port: 'image' } }],
      });
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
      return loaded.graph;
    };
    await expect(api.run(graph('dropped:x2.pth'), { outputs: ['up'] })).resolves.toMatchObject({ ok: false, error: { message: expect.stringMatching(/x2\.pth was dropped on the editor before it was reloaded/) } });
    const registered = await api.registerDroppedFiles([new File([compactCheckpoint({ scale: 2 }) as BlobPart], 'x2.pth')]);
    expect(registered).toEqual({ source: 'dropped:x2.pth', files: ['x2.pth'] });
    const result = await api.run(graph('dropped:x2.pth'), { outputs: ['up'] });
    expect(result.error).toBeUndefined();
    expect((result.outputs.up.image as { shape: number[] }).shape).toEqual([1, 3, 2, 2]);
    await expect(api.run(graph('dropped:other.pth'), { outputs: ['up'] })).resolves.toMatchObject({ ok: false, error: { message: expect.stringMatching(/other\.pth is not among the files dropped/) } });
    await expect(api.registerDroppedFiles([new File(['x'], 'notes.txt')])).rejects.toThrow(/none of the dropped files \(notes\.txt\) is a model file/);
    await expect(api.registerFolder({ name: 'dropped', files: [new File(['x'], 'model_index.json')] })).rejects.toThrow(/kept for files dropped/);
  }, 60_000);

  it('tells model drops from graph drops and picks the file a node loads', () => {
    expect(isModelDrop(['4x.pth'])).toBe(true);
    expect(isModelDrop(['model.safetensors'])).toBe(true);
    expect(isModelDrop(['model.json', 'group1-shard1of1.bin'])).toBe(true);
    expect(droppedModelMain(['group1-shard1of1.bin', 'model.json'])).toBe('model.json');
    expect(droppedModelMain(['group1-shard1of1.bin'])).toBeUndefined();
    expect(isModelDrop(['group1-shard1of1.bin'])).toBe(false);
    expect(isModelDrop(['graph.json'])).toBe(false);
    expect(isModelDrop(['ComfyUI_00001_.png'])).toBe(false);
    expect(isModelDrop(['model.json'])).toBe(false);
  });

  it('inspects diffusion/denoise (extra inputs from the UNet) and onnx/model (its sockets)', async () => {
    const api = workerApi();
    const lcm = toyGraph(`${origin}/lcm/`);
    const denoise = await api.inspectNode(lcm, 'denoise');
    expect(denoise).toEqual({ node: 'denoise', type: 'diffusion/denoise', params: { extra_inputs: [{ name: 'timestep_cond', type: 'TENSOR' }] } });
    const toy = await api.inspectNode(toyGraph('builtin:toy-shapes'), 'denoise');
    expect(toy.params).toEqual({ extra_inputs: [] });

    const onnx = structuredClone(lcm);
    onnx.nodes.push({ id: 'vae', type: 'onnx/model', version: 1, params: { source: `${origin}/toy/vae_decoder/model.onnx`, inputs: [], outputs: [] } });
    const ports = await api.inspectNode(onnx, 'vae');
    expect(ports.params).toEqual({ inputs: [{ name: 'latent_sample', type: 'TENSOR' }], outputs: [{ name: 'sample', type: 'TENSOR' }] });
    await expect(api.inspectNode(onnx, 'save')).rejects.toThrow(/has no model sockets to inspect/);
    await expect(api.inspectNode(onnx, 'nope')).rejects.toThrow(/no node "nope"/);
  }, 60_000);
});
