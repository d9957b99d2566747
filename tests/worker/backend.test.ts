import { describe, expect, it } from 'vitest';
import { createEngineWorkerApi, type BackendChoice } from '../../src/worker/engineApi.ts';
import { createBrowserRuntime } from '../../src/worker/browserRuntime.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { graph, node } from '../engine/helpers.ts';

const sum = graph([node('a', 'const/float', { value: 2 }), node('b', 'math/multiply', { factor: 3 })], ['a.value->b.a']);

describe('worker API backend choice', () => {
  it('starts the runtime for the chosen backend and clears the cache when it changes', async () => {
    const made: BackendChoice[] = [];
    const api = createEngineWorkerApi({
      registry: defaultRegistry(),
      availableBackends: ['auto', 'wasm'],
      runtimeFactory: async (choice) => {
        made.push(choice);
        return choice === 'wasm' ? createBrowserRuntime({ executionProvider: 'wasm' }) : createNodeRuntime({ backend: createNodeBackend() });
      },
    });
    const first = await api.run(sum, { outputs: ['b'] });
    expect(first.outputs.b.result).toBe(6);
    expect(await api.backendInfo()).toEqual({ backend: 'onnxruntime-node/cpu', available: ['auto', 'wasm'] });
    expect((await api.run(sum, { outputs: ['b'] })).stats.executed).toBe(0);
    const switched = await api.run(sum, { outputs: ['b'], backend: 'wasm' });
    expect(switched.stats.executed).toBe(2);
    expect((await api.backendInfo()).backend).toBe('onnxruntime-web/wasm');
    expect(made).toEqual(['auto', 'wasm']);
  });

  it('reports a runtime that cannot start, and still runs graphs without models', async () => {
    const api = createEngineWorkerApi({
      registry: defaultRegistry(),
      runtimeFactory: async () => {
        throw new Error('no GPU here');
      },
    });
    expect((await api.run(sum, { outputs: ['b'], backend: 'webgpu' })).ok).toBe(true);
    expect(await api.backendInfo()).toMatchObject({ error: 'no GPU here' });
  });
});
