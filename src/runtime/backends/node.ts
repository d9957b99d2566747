/**
 * onnxruntime-node backend (native CPU): the CLI's default. Models are opened by path when they
 * have one, so onnxruntime maps the file and finds `model.onnx_data` beside it itself.
 */
import * as ort from 'onnxruntime-node';
import type { OnnxBackend } from '../types.ts';
import { wrapOrtSession, type OrtTensorCtor } from './ortCommon.ts';

export interface NodeBackendOptions {
  /** Threads per session (onnxruntime's default uses every core). */
  intraOpNumThreads?: number;
}

export function createNodeBackend(options: NodeBackendOptions = {}): OnnxBackend {
  return {
    name: 'onnxruntime-node/cpu',
    executionProvider: 'cpu',
    concurrentRuns: true,
    async createSession(file, sessionOptions) {
      // onnxruntime-node rejects keys that are present but undefined, so set only what is given.
      const opts: ort.InferenceSession.SessionOptions = {
        executionProviders: ['cpu'],
        graphOptimizationLevel: sessionOptions.graphOptimizationLevel ?? 'all',
      };
      if (sessionOptions.freeDimensionOverrides) opts.freeDimensionOverrides = sessionOptions.freeDimensionOverrides;
      if (options.intraOpNumThreads !== undefined) opts.intraOpNumThreads = options.intraOpNumThreads;
      const session = file.path
        ? await ort.InferenceSession.create(file.path, opts)
        : await ort.InferenceSession.create(await file.read(), opts);
      return wrapOrtSession(session, ort.Tensor as unknown as OrtTensorCtor);
    },
  };
}
