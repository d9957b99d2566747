/**
 * The editor's model-socket watcher (src/ui/run/modelSockets.ts) on a real editor store and the
 * real worker API (in process, onnxruntime-node): connecting a denoiser fills `extra_inputs` from
 * the UNet (LCM's `timestep_cond`), picking a file fills an onnx/model node's sockets, loading a
 * document inspects nothing, and a URL model that is not cached is not downloaded for this.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createEngineWorkerApi } from '../../src/worker/engineApi.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { memoryPackageCache } from '../../src/runtime/browser/packageCache.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { createEditorStore } from '../../src/ui/store/editorStore.ts';
import { connect, disconnect } from '../../src/graph/edits.ts';
import { watchModelSockets } from '../../src/ui/run/modelSockets.ts';
import type { EngineConnection } from '../../src/ui/run/engineConnection.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { makeTinySdPackages } from '../fixtures/tinySd.ts';

const ROOT = resolve(__dirname, '../..');
const VAE = join(ROOT, 'public/models/toy-shapes/vae_decoder/model.onnx');

let fixtures: ReturnType<typeof makeTinySdPackages>;
beforeAll(() => void (fixtures = makeTinySdPackages(['lcm'])));
afterAll(() => fixtures.cleanup());

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function lcmGraph(): GraphDocument {
  const loaded = loadGraph(readFileSync(join(ROOT, 'graphs/toy-txt2img.json'), 'utf8'));
  if (!loaded.ok) throw new Error('graphs/toy-txt2img.json does not load');
  const doc = structuredClone(loaded.graph);
  for (const ref of Object.values(doc.models)) ref.source = fixtures.packages.lcm.dir;
  return doc;
}

describe('model socket watcher (editor store + worker API inspectNode)', () => {
  it('fills hidden sockets when a model node gets its model, never on load, never by downloading', async () => {
    const api = createEngineWorkerApi({
      registry: defaultRegistry(),
      services: {},
      models: { cache: memoryPackageCache(), folders: new Map() },
      runtimeFactory: async () => createNodeRuntime({ backend: createNodeBackend() }),
    });
    const inspected: string[] = [];
    const engine = {
      inspectNode: (g: GraphDocument, id: string) => (inspected.push(id), api.inspectNode(g, id)),
      listModels: () => api.listModels(),
    } as unknown as EngineConnection;
    const store = createEditorStore(lcmGraph());
    const notes: string[] = [];
    const stop = watchModelSockets(engine, store, { notify: (m, kind) => void notes.push(`${kind}: ${m}`) });
    const params = (id: string) => store.getSnapshot().doc.nodes.find((n) => n.id === id)!.params;

    store.load(lcmGraph());
    await new Promise((r) => setTimeout(r, 100));
    expect(inspected).toEqual([]);
    expect(params('denoise').extra_inputs).toEqual([]);

    const edge = store.getSnapshot().doc.edges.find((e) => e.to.node === 'denoise' && e.to.port === 'denoiser')!;
    store.edit('disconnect', (d) => disconnect(d, edge.to, edge.from));
    store.edit('connect', (d) => connect(d, structuredClone(edge)));
    await until(() => (params('denoise').extra_inputs as unknown[]).length > 0, 'denoise extra_inputs');
    expect(params('denoise').extra_inputs).toEqual([{ name: 'timestep_cond', type: 'TENSOR' }]);
    expect(inspected).toEqual(['denoise']);

    store.edit('add onnx', (d) => void d.nodes.push({ id: 'vae', type: 'onnx/model', version: 1, params: { source: '', inputs: [], outputs: [] } }));
    store.edit('pick file', (d) => void (d.nodes.find((n) => n.id === 'vae')!.params.source = VAE));
    await until(() => (params('vae').outputs as unknown[]).length > 0, 'onnx/model sockets');
    expect(params('vae')).toMatchObject({ inputs: [{ name: 'latent_sample', type: 'TENSOR' }], outputs: [{ name: 'sample', type: 'TENSOR' }] });

    store.edit('url file', (d) => void (d.nodes.find((n) => n.id === 'vae')!.params.source = 'http://127.0.0.1:9/pkg/unet/model.onnx'));
    await until(() => notes.length > 0, 'a notice');
    expect(notes).toEqual(['info: Download http://127.0.0.1:9/pkg/unet/ (Models panel) to read the sockets of node "vae" from its model']);
    expect(inspected).toEqual(['denoise', 'vae']);
    stop();
  }, 60_000);
});
