/**
 * Shared set-up for the model-node suites: the tiny SD-style packages in a temp folder, and an
 * engine on onnxruntime-node beside one on onnxruntime-web's wasm backend (one thread each), so
 * each suite can compare the two. Registers its own beforeAll/afterAll; read the fields in tests.
 */
import { createEngine, type Engine } from '../../src/engine/index.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createWebBackend } from '../../src/runtime/backends/web.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { makeTinySdPackages, type TinySdVariant } from '../fixtures/tinySd.ts';

export interface TinySdEngines {
  fixtures: ReturnType<typeof makeTinySdPackages>;
  nodeRuntime: Runtime;
  webRuntime: Runtime;
  engine: Engine;
  webEngine: Engine;
}

export function useTinySdEngines(variants: readonly TinySdVariant[]): TinySdEngines {
  const env = { fixtures: makeTinySdPackages(variants) } as TinySdEngines;
  beforeAll(async () => {
    env.nodeRuntime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
    env.webRuntime = createNodeRuntime({ backend: await createWebBackend({ executionProvider: 'wasm', numThreads: 1 }) });
    env.engine = createEngine({ registry: defaultRegistry(), services: { runtime: env.nodeRuntime } });
    env.webEngine = createEngine({ registry: defaultRegistry(), services: { runtime: env.webRuntime } });
  });
  afterAll(async () => {
    await env.nodeRuntime.release();
    await env.webRuntime.release();
    env.fixtures.cleanup();
  });
  return env;
}
