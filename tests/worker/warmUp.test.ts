import { describe, expect, it } from 'vitest';
import { createEngineWorkerApi, type BackendChoice } from '../../src/worker/engineApi.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { createWebBackend } from '../../src/runtime/backends/web.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { graph, node } from '../engine/helpers.ts';

const sum = graph([node('a', 'const/float', { value: 2 }), node('b', 'math/multiply', { factor: 3 })], ['a.value->b.a']);

/** A worker API whose runtimes are onnxruntime-web wasm over the repo's built-in packages, counted. */
function wasmApi(warmPackages: { id: string; session?: string }[]) {
  const made: { choice: BackendChoice; runtime: Runtime }[] = [];
  const api = createEngineWorkerApi({
    registry: defaultRegistry(),
    warmPackages,
    runtimeFactory: async (choice) => {
      const runtime = createNodeRuntime({ backend: await createWebBackend({ executionProvider: 'wasm' }) });
      made.push({ choice, runtime });
      return runtime;
    },
  });
  return { api, made };
}

describe('worker API warm-up', () => {
  it('starts the runtime and opens the shipped package\'s session; a run started meanwhile waits for it', async () => {
    const { api, made } = wasmApi([{ id: 'toy-shapes', session: 'text_encoder/model.onnx' }]);
    const warming = api.warmUp('auto');
    const run = await api.run(sum, { outputs: ['b'], backend: 'auto' });
    expect(run.ok).toBe(true);
    expect(made).toHaveLength(1); // the run went after the warm-up's runtime was made, not beside it
    await warming;
    expect(made.map((m) => m.choice)).toEqual(['auto']);
    expect(made[0].runtime.sessions.size).toBe(1);
  });

  it('keeps the warmed runtime when a run then names the provider that auto picked', async () => {
    const { api, made } = wasmApi([]);
    await api.warmUp('auto');
    expect((await api.run(sum, { outputs: ['b'], backend: 'wasm' })).ok).toBe(true);
    expect(made.map((m) => m.choice)).toEqual(['auto']);
    expect((await api.backendInfo()).backend).toBe('onnxruntime-web/wasm');
  });

  it('leaves a package that cannot be read to the first run to report', async () => {
    const { api, made } = wasmApi([{ id: 'no-such-package', session: 'unet/model.onnx' }]);
    await expect(api.warmUp('wasm')).resolves.toBeUndefined();
    expect(made[0].runtime.sessions.size).toBe(0);
  });
});
