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
    async createSession(file, sessionOptions) {
      const opts: ort.InferenceSession.SessionOptions = {
        executionProviders: ['cpu'],
        graphOptimizationLevel: sessionOptions.graphOptimizationLevel ?? 'all',
        freeDimensionOverrides: sessionOptions.freeDimensionOverrides,
        intraOpNumThreads: options.intraOpNumThreads,
      };
      const session = file.path
        ? await ort.InferenceSession.create(file.path, opts)
        : await ort.InferenceSession.create(await file.read(), opts);
      return wrapOrtSession(session, ort.Tensor as unknown as OrtTensorCtor);
    },
  };
}
