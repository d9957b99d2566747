/**
 * Glue shared by both onnxruntime backends: the two packages expose the same API
 * (onnxruntime-common), so a session wrapper is written once against that shape.
 */
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import type { Tensor } from '../../tensor/tensor.ts';
import { tensorFromRaw } from '../convert.ts';
import type { BackendSession, TensorMeta } from '../types.ts';

export type OrtTensorCtor = new (type: string, data: unknown, dims: readonly number[]) => OrtTensor;

function metaOf(m: InferenceSession.ValueMetadata): TensorMeta {
  if (!m.isTensor) return { name: m.name };
  return {
    name: m.name,
    type: m.type,
    shape: m.shape.map((d) => (typeof d === 'number' && d < 0 ? null : d)),
  };
}

export function wrapOrtSession(session: InferenceSession, TensorCtor: OrtTensorCtor): BackendSession {
  const inputs = session.inputMetadata.map(metaOf);
  const outputs = session.outputMetadata.map(metaOf);
  return {
    inputs,
    outputs,
    async run(feeds, outputNames) {
      const ortFeeds: Record<string, OrtTensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new TensorCtor(t.dtype, t.data, t.shape);
      const result = outputNames
        ? await session.run(ortFeeds, outputNames as string[])
        : await session.run(ortFeeds);
      const out: Record<string, Tensor> = {};
      for (const [name, value] of Object.entries(result)) {
        // The cpu and wasm providers return CPU-located data; WebGPU outputs are read back by
        // onnxruntime-web itself unless preferredOutputLocation asks otherwise (we never do).
        out[name] = tensorFromRaw(value.type, value.data, value.dims);
      }
      return out;
    },
    async release() {
      await session.release();
    },
  };
}
