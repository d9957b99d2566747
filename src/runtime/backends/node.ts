/**
 * onnxruntime-node backend (native CPU): the CLI's default. Models are opened by path when they
 * have one, so onnxruntime maps the file and finds `model.onnx_data` beside it itself.
 */
// First: onnxruntime's telemetry off unless the user chose otherwise (ortTelemetry.ts).
import './ortTelemetry.ts';
import * as ort from 'onnxruntime-node';
import type { ModelFile, OnnxBackend } from '../types.ts';
import { wrapOrtSession, type OrtTensorCtor } from './ortCommon.ts';
import { OrtTensorDevice, type OrtForDevice } from '../resident.ts';

/**
 * Models smaller than this, with no external data, get one intra-op thread unless threads are
 * given: for a few MB of weights (the toy-shapes family) a pool of threads per session costs more
 * (starting it, spin-waiting between runs) than it wins — a toy run's CPU time was ~20 % lower on one
 * thread, with bit-identical images.
 */
export const ONE_THREAD_BELOW_BYTES = 16 * 1024 * 1024;

/** Whether `file` is small enough for one thread (its size known, under ONE_THREAD_BELOW_BYTES, no external data). */
export async function isTinyModel(file: ModelFile): Promise<boolean> {
  const size = await file.size?.();
  if (size === undefined || size >= ONE_THREAD_BELOW_BYTES) return false;
  return ((await file.externalData?.()) ?? []).length === 0;
}

export interface NodeBackendOptions {
  /** Threads per session (onnxruntime's default uses every core; one for tiny models, ONE_THREAD_BELOW_BYTES). */
  intraOpNumThreads?: number;
  /**
   * `cuda` tries onnxruntime-node's CUDA execution provider first (a GPU worker), falling back to
   * the CPU where the CUDA build or a GPU is missing. Default: LATENTLOOM_EXECUTION_PROVIDER, else cpu.
   */
  executionProvider?: 'cpu' | 'cuda';
  /**
   * Keep outputs that a run asks to keep as onnxruntime tensors (resident tensors on the native
   * heap), fed to the next session as they are, with the sampling math run as ONNX graphs: the
   * WebGPU backend's resident path, on the CPU (tests compare it with the host path). Off by default.
   */
  resident?: boolean;
}

export function createNodeBackend(options: NodeBackendOptions = {}): OnnxBackend {
  const wanted = options.executionProvider ?? (process.env.LATENTLOOM_EXECUTION_PROVIDER === 'cuda' ? 'cuda' : 'cpu');
  let cudaFailed = false;
  const device = options.resident ? new OrtTensorDevice('onnxruntime-node', ort as unknown as OrtForDevice, { executionProviders: ['cpu'], intraOpNumThreads: 1 }) : undefined;
  return {
    name: `onnxruntime-node/${wanted}`,
    executionProvider: 'cpu',
    concurrentRuns: true,
    ...(device ? { device } : {}),
    async createSession(file, sessionOptions) {
      // onnxruntime-node rejects keys that are present but undefined, so set only what is given.
      const providers = wanted === 'cuda' && !cudaFailed ? ['cuda', 'cpu'] : ['cpu'];
      const opts: ort.InferenceSession.SessionOptions = {
        executionProviders: providers,
        graphOptimizationLevel: sessionOptions.graphOptimizationLevel ?? 'all',
      };
      if (sessionOptions.freeDimensionOverrides) opts.freeDimensionOverrides = sessionOptions.freeDimensionOverrides;
      if (options.intraOpNumThreads !== undefined) opts.intraOpNumThreads = options.intraOpNumThreads;
      else if (await isTinyModel(file)) opts.intraOpNumThreads = 1;
      const create = (o: ort.InferenceSession.SessionOptions) => (file.path ? ort.InferenceSession.create(file.path, o) : file.read().then((b) => ort.InferenceSession.create(b, o)));
      let session: ort.InferenceSession;
      try {
        session = await create(opts);
      } catch (error) {
        if (providers[0] !== 'cuda') throw error;
        // No CUDA build or no GPU here: the CPU from now on.
        cudaFailed = true;
        session = await create({ ...opts, executionProviders: ['cpu'] });
      }
      return wrapOrtSession(session, ort.Tensor as unknown as OrtTensorCtor, device);
    },
  };
}
