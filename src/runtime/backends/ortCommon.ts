/**
 * Glue shared by both onnxruntime backends: the two packages expose the same API
 * (onnxruntime-common), so a session wrapper is written once against that shape.
 */
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import type { Tensor } from '../../tensor/tensor.ts';
import { isResident, residentStats, type ResidentTensor } from '../../tensor/resident.ts';
import { tensorFromRaw } from '../convert.ts';
import type { OrtTensorDevice } from '../resident.ts';
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

/**
 * A session as a BackendSession. With a `device`, resident feeds go in as they are and, when a
 * run asks to keep them, float32 outputs come back resident on it (others are downloaded).
 */
export function wrapOrtSession(session: InferenceSession, TensorCtor: OrtTensorCtor, device?: OrtTensorDevice): BackendSession {
  const inputs = session.inputMetadata.map(metaOf);
  const outputs = session.outputMetadata.map(metaOf);
  return {
    inputs,
    outputs,
    async run(feeds, outputNames, keepOnDevice = false) {
      const ortFeeds: Record<string, OrtTensor> = {};
      for (const [name, t] of Object.entries(feeds)) {
        if (isResident(t)) {
          if (!device) throw new Error(`input \`${name}\` is a resident tensor, but this backend keeps none`);
          ortFeeds[name] = device.feed(t);
        } else ortFeeds[name] = new TensorCtor(t.dtype, t.data, t.shape);
      }
      const result = outputNames
        ? await session.run(ortFeeds, outputNames as string[])
        : await session.run(ortFeeds);
      const out: Record<string, Tensor | ResidentTensor> = {};
      for (const [name, value] of Object.entries(result)) {
        if (device && keepOnDevice && value.type === 'float32') out[name] = device.wrap(value);
        else if (value.location === 'gpu-buffer') {
          // A GPU output (WebGPU sessions keep outputs there) that the caller wants on the host.
          residentStats.outputDownloads++;
          out[name] = tensorFromRaw(value.type, await value.getData(true), value.dims);
        } else out[name] = tensorFromRaw(value.type, value.data, value.dims);
      }
      return out;
    },
    async release() {
      await session.release();
    },
  };
}
