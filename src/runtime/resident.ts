/**
 * A TensorDevice over onnxruntime: resident tensors are onnxruntime tensors left where a session
 * computed them (GPU buffers with onnxruntime-web's `preferredOutputLocation: 'gpu-buffer'` on
 * WebGPU; the native CPU heap on onnxruntime-node), fed as they are to the next session, and the
 * element-wise sampling math runs as the small graphs of deviceOps.ts on the same backend.
 */
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import { ResidentTensor, isResident, type DeviceOp, type TensorDevice } from '../tensor/resident.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { deviceOpGraph } from './deviceOps.ts';

export interface OrtForDevice {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/**
 * Switch for comparisons (benchmarks, tests): `globalThis.LATENTLOOM_RESIDENT_TENSORS = false` in
 * the engine's thread makes backends return every output on the host, as before resident tensors.
 */
export function residentTensorsEnabled(): boolean {
  return (globalThis as { LATENTLOOM_RESIDENT_TENSORS?: unknown }).LATENTLOOM_RESIDENT_TENSORS !== false;
}

export class OrtTensorDevice implements TensorDevice {
  private readonly sessions = new Map<DeviceOp, Promise<InferenceSession>>();

  /**
   * `sessionOptions` are those of the backend's own sessions (execution providers, output
   * location), so op outputs live where model outputs do.
   */
  constructor(
    readonly name: string,
    private readonly ort: OrtForDevice,
    private readonly sessionOptions: InferenceSession.SessionOptions,
  ) {}

  /** Wraps a session output as a resident tensor of this device. */
  wrap(value: OrtTensor): ResidentTensor {
    return new ResidentTensor(value.dims, this, value, {
      download: async () => {
        const data = (await value.getData()) as Float32Array;
        // A CPU-located tensor hands out its own buffer: copy, so the host tensor owns its data.
        return value.location === 'cpu' || value.location === 'cpu-pinned' ? data.slice() : data;
      },
      dispose: () => value.dispose(),
    });
  }

  /** What a session is fed for `t`: a resident's own onnxruntime tensor, a host tensor's values. */
  feed(t: Tensor | ResidentTensor): OrtTensor {
    if (isResident(t)) {
      if (t.isDisposed) throw new Error(`a resident [${t.shape.join(', ')}] tensor was used after it was disposed`);
      return t.handle as OrtTensor;
    }
    return new (this.ort.Tensor as unknown as new (type: string, data: unknown, dims: readonly number[]) => OrtTensor)(t.dtype, t.data, t.shape);
  }

  private session(op: DeviceOp): Promise<InferenceSession> {
    let session = this.sessions.get(op);
    if (!session) {
      // Graph optimisations could refold the kernels' operation order; these graphs need none.
      session = this.ort.InferenceSession.create(deviceOpGraph(op).model, { ...this.sessionOptions, graphOptimizationLevel: 'disabled' });
      session.catch(() => this.sessions.delete(op));
      this.sessions.set(op, session);
    }
    return session;
  }

  async run(op: DeviceOp, inputs: readonly (Tensor<'float32'> | ResidentTensor)[], scalars: readonly number[] = []): Promise<ResidentTensor[]> {
    const graph = deviceOpGraph(op);
    if (inputs.length !== graph.tensors.length || scalars.length !== graph.scalars.length) {
      throw new Error(`device op ${op} takes ${graph.tensors.length} tensors and ${graph.scalars.length} scalars, got ${inputs.length} and ${scalars.length}`);
    }
    const session = await this.session(op);
    const feeds: Record<string, OrtTensor> = {};
    graph.tensors.forEach((name, i) => (feeds[name] = this.feed(inputs[i])));
    graph.scalars.forEach((name, i) => (feeds[name] = new this.ort.Tensor('float32', Float32Array.of(scalars[i]), [1])));
    const result = await session.run(feeds);
    return graph.outputs.map((name) => this.wrap(result[name]));
  }

  async release(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map(async (s) => (await s.catch(() => undefined))?.release()));
  }
}
