/**
 * The runtime layer's contracts: one session interface over onnxruntime-node and
 * onnxruntime-web, model files as the runtime sees them, and the handles model nodes pass around.
 * Nothing here imports an onnxruntime package; backends (src/runtime/backends/*) do.
 */
import type { Tensor } from '../tensor/tensor.ts';
import type { ResidentTensor, TensorDevice } from '../tensor/resident.ts';

/** Element type names as onnxruntime reports them (`float32`, `float16`, `int64`, `bool`…). */
export type OrtElemType = string;

export interface TensorMeta {
  name: string;
  /** onnxruntime's element type name; `undefined` for non-tensor values. */
  type?: OrtElemType;
  /** Fixed sizes, symbolic names, or null for unknown; undefined when the model gives no shape. */
  shape?: readonly (number | string | null)[];
}

/**
 * A model file as a backend opens it. `path` (Node) lets onnxruntime read and map the file and
 * find external data beside it, so nothing is duplicated in JS memory; otherwise `read` provides
 * the bytes and `externalData` the companion files.
 */
export interface ModelFile {
  /** Stable identity for the session cache (absolute path, URL, or `package#rel`). */
  key: string;
  /** What error messages call the file, e.g. `unet/model.onnx`. */
  label: string;
  path?: string;
  /** Where the file is looked for, for messages (a package folder or base URL). */
  where?: string;
  read(): Promise<Uint8Array>;
  exists(): Promise<boolean>;
  /** Byte size without reading, when the source knows it cheaply. */
  size?(): Promise<number | undefined>;
  /** Companion files (e.g. `model.onnx_data`) by the name the model references them. */
  externalData?(): Promise<{ path: string; read(): Promise<Uint8Array> }[]>;
  /** Drops a downloaded copy that failed to load, so the next use fetches it again (URL packages). */
  discard?(): Promise<void>;
}

export interface SessionOptions {
  /** Pins symbolic dims (e.g. `{ batch: 2 }`) so the backend can plan memory up front. */
  freeDimensionOverrides?: Record<string, number>;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

/**
 * A session as a backend exposes it: raw feeds in, raw outputs out, no conversion. Resident
 * feeds are accepted where the backend has a device; `keepOnDevice` leaves float32 outputs there.
 */
export interface BackendSession {
  readonly inputs: readonly TensorMeta[];
  readonly outputs: readonly TensorMeta[];
  run(
    feeds: Record<string, Tensor | ResidentTensor>,
    outputNames?: readonly string[],
    keepOnDevice?: boolean,
  ): Promise<Record<string, Tensor | ResidentTensor>>;
  release(): Promise<void>;
}

export interface OnnxBackend {
  /** e.g. `onnxruntime-node/cpu`, `onnxruntime-web/wasm`. */
  readonly name: string;
  /** The execution provider sessions are created for (part of the session cache key). */
  readonly executionProvider: string;
  /**
   * Whether one session may run several calls at once. onnxruntime-web may not (its wasm and
   * WebGPU sessions are single-flight), so the runtime queues calls per session there.
   */
  readonly concurrentRuns?: boolean;
  /**
   * Where this backend can keep tensors between sessions (WebGPU's GPU buffers), and run the
   * sampling math on them; undefined when every output comes back to the host.
   */
  readonly device?: TensorDevice;
  createSession(file: ModelFile, options: SessionOptions): Promise<BackendSession>;
}

/** What `ModelSession.run` accepts per input: a tensor (host or resident), a plain number (scalar/timestep), or bigint. */
export type FeedValue = Tensor | ResidentTensor | number | bigint;

export interface RunOptions {
  /** Node id for error messages. */
  nodeId?: string;
  /** Only compute these outputs. */
  outputs?: readonly string[];
  signal?: AbortSignal;
}

export interface ResidentRunOptions extends RunOptions {
  /**
   * Leave float32 outputs on the backend's device (resident tensors) when it has one; other
   * backends, and other dtypes, return host tensors as usual.
   */
  keepOnDevice: boolean;
}

/**
 * A cached session with conversions done by the model's metadata: float32 ⇄ float16,
 * numbers/int32/int64/float for integer or float inputs, [1] ⇄ [] ⇄ [B] timestep shapes.
 * Outputs come back as float32 (float16 outputs are widened); integer outputs keep their type.
 */
export interface ModelSession {
  readonly label: string;
  readonly inputs: readonly TensorMeta[];
  readonly outputs: readonly TensorMeta[];
  run(feeds: Record<string, FeedValue | undefined>, options: ResidentRunOptions): Promise<Record<string, Tensor | ResidentTensor>>;
  run(feeds: Record<string, FeedValue | undefined>, options?: RunOptions): Promise<Record<string, Tensor>>;
}

/** Error raised by the runtime; `node`, `file`, `port` say where, the message says what. */
export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly code:
      | 'missing-file'
      | 'bad-model'
      | 'missing-input'
      | 'unknown-input'
      | 'shape-mismatch'
      | 'dtype-mismatch'
      | 'run-failed'
      | 'download-failed'
      | 'integrity'
      | 'bad-package'
      | 'network-refused',
    readonly details: { node?: string; file?: string; port?: string } = {},
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}
