/**
 * Browser worker entry: the engine with every shipped node, exposed over comlink. onnxruntime-web
 * is only ever loaded here, never on the main thread; the runtime starts on the first run (or
 * backendInfo call) with the backend the editor chose.
 */
import * as Comlink from 'comlink';
import { defaultRegistry } from '../../nodes/index.ts';
import { createEngineWorkerApi, type BackendChoice } from './engineApi.ts';
import { createBrowserRuntime } from './browserRuntime.ts';
import { lazyPackageCache } from '../runtime/browser/packageCache.ts';
import type { PackageSource } from '../runtime/package.ts';
import { residentStats } from '../tensor/resident.ts';

const hasWebGpu = typeof (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu !== 'undefined';
const availableBackends: BackendChoice[] = hasWebGpu ? ['auto', 'webgpu', 'wasm'] : ['auto', 'wasm'];

// One package cache and one set of picked folders for the worker's life: a backend switch
// remakes the runtime, not these. The cache picks OPFS / Cache API / memory on first use.
const cache = lazyPackageCache();

// The worker's GPU → CPU copy counts, readable by tests and benchmarks from the worker's global
// scope (`latentloomResidentStats`); LATENTLOOM_RESIDENT_TENSORS = false there turns the
// GPU-resident path off for the next backend started (src/runtime/resident.ts).
(globalThis as { latentloomResidentStats?: typeof residentStats }).latentloomResidentStats = residentStats;
const folders = new Map<string, PackageSource>();

Comlink.expose(
  createEngineWorkerApi({
    registry: defaultRegistry(),
    services: {},
    availableBackends,
    models: { cache, folders },
    // The shipped default graph's own package (served by the app), read ahead while the page is idle.
    warmPackages: [{ id: 'toy-shapes', session: 'text_encoder/model.onnx' }],
    runtimeFactory: (choice, threads) => createBrowserRuntime({ executionProvider: choice, ...(threads !== undefined ? { threads } : {}), cache, folders }),
  }),
);
