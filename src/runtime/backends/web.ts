/**
 * onnxruntime-web backend: WebGPU when the browser has an adapter, wasm otherwise. In Node the
 * package resolves to its wasm build, which the tests use to check parity with onnxruntime-node.
 * Model bytes and external data are handed over as buffers (browsers have no file paths).
 */
import type * as Ort from 'onnxruntime-web';
import type { OnnxBackend } from '../types.ts';
import { wrapOrtSession, type OrtTensorCtor } from './ortCommon.ts';
import { OrtTensorDevice, residentTensorsEnabled, type OrtForDevice } from '../resident.ts';

export type WebExecutionProvider = 'webgpu' | 'wasm';

export interface WebBackendOptions {
  /** Preferred provider; 'auto' (default) picks WebGPU when `navigator.gpu` gives an adapter. */
  executionProvider?: WebExecutionProvider | 'auto';
  /** Where the ort-wasm*.wasm files are served from (the app serves its own; no CDN). */
  wasmPaths?: string;
  numThreads?: number;
}

async function hasWebGpu(): Promise<boolean> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/**
 * The onnxruntime-web build for a provider: in a browser the wasm-only build for wasm, so a wasm
 * run never fetches the 27 MiB WebGPU (JSEP) binary, and the WebGPU build only when WebGPU is
 * chosen; in Node the package's own Node entry (its wasm build), as before.
 */
async function loadOrt(ep: WebExecutionProvider): Promise<typeof Ort> {
  if (isNode) return import('onnxruntime-web');
  return ep === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm');
}

export async function createWebBackend(options: WebBackendOptions = {}): Promise<OnnxBackend> {
  const wantedEp = options.executionProvider ?? 'auto';
  const chosen: WebExecutionProvider = wantedEp === 'auto' ? ((await hasWebGpu()) ? 'webgpu' : 'wasm') : wantedEp;
  const ort = await loadOrt(chosen);
  if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
  if (options.numThreads !== undefined) ort.env.wasm.numThreads = options.numThreads;
  // Errors only: onnxruntime's warnings (e.g. VerifyEachNodeIsAssignedToAnEp when WebGPU leaves
  // shape ops on the CPU, as intended) reach the browser console as errors and mean nothing to users.
  ort.env.logLevel = 'error';
  const ep = chosen;
  // On WebGPU, outputs stay in GPU buffers (onnxruntime-web's IO binding) and sessions read them
  // from there: a denoising loop's latents never leave the GPU (see src/tensor/resident.ts).
  const resident = ep === 'webgpu' && residentTensorsEnabled();
  const device = resident
    ? new OrtTensorDevice('webgpu', ort as unknown as OrtForDevice, { executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer', logSeverityLevel: 3 })
    : undefined;
  return {
    name: `onnxruntime-web/${ep}`,
    executionProvider: ep,
    concurrentRuns: false,
    ...(device ? { device } : {}),
    async createSession(file, sessionOptions) {
      const externalData = file.externalData
        ? await Promise.all((await file.externalData()).map(async (e) => ({ path: e.path, data: await e.read() })))
        : undefined;
      const opts: Ort.InferenceSession.SessionOptions = {
        executionProviders: ep === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'],
        graphOptimizationLevel: sessionOptions.graphOptimizationLevel ?? 'all',
        logSeverityLevel: 3,
      };
      if (sessionOptions.freeDimensionOverrides) opts.freeDimensionOverrides = sessionOptions.freeDimensionOverrides;
      if (externalData && externalData.length > 0) opts.externalData = externalData;
      if (device) opts.preferredOutputLocation = 'gpu-buffer';
      const session = await ort.InferenceSession.create(await file.read(), opts);
      return wrapOrtSession(session, ort.Tensor as unknown as OrtTensorCtor, device);
    },
  };
}
