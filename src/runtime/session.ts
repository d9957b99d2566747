/**
 * The session cache and the converting ModelSession. Sessions are keyed by model file and
 * execution provider (and options), created once, reused across runs, released on demand.
 * A file that fails to load is diagnosed (missing, truncated, corrupt, missing external data)
 * and not cached, so the next run tries again.
 */
import { readOnnxModelInfo, OnnxFormatError } from '../onnx/reader.ts';
import { normalizeOutputs, prepareFeeds } from './convert.ts';
import type { ResidentTensor } from '../tensor/resident.ts';
import type { Tensor } from '../tensor/tensor.ts';
import {
  RuntimeError,
  type BackendSession,
  type ModelFile,
  type ModelSession,
  type OnnxBackend,
  type ResidentRunOptions,
  type RunOptions,
  type SessionOptions,
  type TensorMeta,
} from './types.ts';

export interface SessionRequest extends SessionOptions {
  /** Node id, for error messages. */
  nodeId?: string;
  /** Download progress (bytes) while the model's files are fetched, e.g. a node's ctx.progress. */
  progress?: (loaded: number, total: number, preview?: undefined, unit?: 'bytes') => void;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const DIAGNOSE_LIMIT = 1024 * 1024 * 1024;

/** Explains why a backend could not open `file`; always returns an error to throw. */
async function diagnoseLoadFailure(file: ModelFile, cause: unknown, nodeId?: string): Promise<RuntimeError> {
  const where = nodeId ? `node "${nodeId}": ` : '';
  const details = { node: nodeId, file: file.label };
  let bytes: Uint8Array | undefined;
  try {
    // Re-reading a multi-gigabyte file just to explain a failure is not worth the memory.
    const size = await file.size?.();
    if (size === undefined || size <= DIAGNOSE_LIMIT) bytes = await file.read();
  } catch {
    // Fall through to the backend's own message.
  }
  if (bytes) {
    try {
      const info = readOnnxModelInfo(bytes, file.label);
      if (info.externalDataFiles.length > 0 && file.externalData) {
        const present = new Set((await file.externalData()).map((e) => e.path));
        const missing = info.externalDataFiles.filter((f) => !present.has(f));
        if (missing.length > 0) {
          return new RuntimeError(
            `${where}${file.label} references external weights ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} missing next to it`,
            'missing-file',
            details,
          );
        }
      }
    } catch (err) {
      if (err instanceof OnnxFormatError) return new RuntimeError(`${where}${err.message}`, 'bad-model', details);
    }
  }
  return new RuntimeError(`${where}${file.label} could not be loaded by onnxruntime: ${errorText(cause)}`, 'bad-model', details);
}

/** Input metadata with the pinned symbolic dims replaced by their sizes. */
function pinDims(metas: readonly TensorMeta[], overrides: Record<string, number> | undefined): readonly TensorMeta[] {
  if (!overrides || Object.keys(overrides).length === 0) return metas;
  return metas.map((m) => (m.shape ? { ...m, shape: m.shape.map((d) => (typeof d === 'string' && d in overrides ? overrides[d] : d)) } : m));
}

class ConvertingSession implements ModelSession {
  readonly inputs: readonly TensorMeta[];
  /** Tail of the queue of calls when the backend runs one call per session at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly label: string,
    private readonly inner: BackendSession,
    freeDimensionOverrides?: Record<string, number>,
    private readonly concurrent = true,
  ) {
    // Pinned dims are checked here too, so a wrong size is a clear error on every backend
    // (onnxruntime-node does not enforce them; WebGPU fails obscurely).
    this.inputs = pinDims(inner.inputs, freeDimensionOverrides);
    this.outputNames = new Set(inner.outputs.map((o) => o.name));
  }

  get outputs() {
    return this.inner.outputs;
  }

  /** The model's output names, to check requested outputs against on every call. */
  private readonly outputNames: ReadonlySet<string>;

  run(feeds: Parameters<ModelSession['run']>[0], options: ResidentRunOptions): Promise<Record<string, Tensor | ResidentTensor>>;
  run(feeds: Parameters<ModelSession['run']>[0], options?: RunOptions): Promise<Record<string, Tensor>>;
  async run(feeds: Parameters<ModelSession['run']>[0], options: RunOptions & { keepOnDevice?: boolean } = {}): Promise<Record<string, Tensor | ResidentTensor>> {
    options.signal?.throwIfAborted();
    const keep = options.keepOnDevice === true;
    const prepared = prepareFeeds(this.inputs, feeds, { label: this.label, nodeId: options.nodeId });
    if (options.outputs && options.outputs.some((o) => !this.outputNames.has(o))) {
      const known = this.inner.outputs.map((o) => o.name);
      const unknown = options.outputs.filter((o) => !known.includes(o));
      throw new RuntimeError(
        `${options.nodeId ? `node "${options.nodeId}": ` : ''}${this.label} has no output \`${unknown[0]}\`; outputs are: ${known.join(', ')}`,
        'unknown-input',
        { node: options.nodeId, file: this.label, port: unknown[0] },
      );
    }
    let raw;
    try {
      if (this.concurrent) raw = await this.inner.run(prepared, options.outputs, keep);
      else {
        const call = this.queue.then(() => this.inner.run(prepared, options.outputs, keep));
        this.queue = call.catch(() => undefined);
        raw = await call;
      }
    } catch (err) {
      const shapes = Object.entries(prepared).map(([k, t]) => `${k}: ${t.dtype}[${t.shape.join(', ')}]${'device' in t ? ' (resident)' : ''}`).join('; ');
      throw new RuntimeError(
        `${options.nodeId ? `node "${options.nodeId}": ` : ''}${this.label} failed to run (${shapes}): ${errorText(err)}`,
        'run-failed',
        { node: options.nodeId, file: this.label },
      );
    }
    return normalizeOutputs(raw);
  }

  release(): Promise<void> {
    return this.inner.release();
  }
}

/** The options part of a session key when none are set (most calls): no JSON to build per call. */
const NO_OPTIONS_KEY = JSON.stringify({ f: null, g: null });

export class SessionCache {
  private readonly sessions = new Map<string, Promise<ConvertingSession>>();
  /** The sessions of `sessions` that have finished loading, by the same keys. */
  private readonly ready = new Map<string, ConvertingSession>();
  private readonly fileKeys = new Map<string, string>();

  constructor(readonly backend: OnnxBackend) {}

  private keyOf(fileKey: string, options: SessionOptions): string {
    const opts =
      options.freeDimensionOverrides === undefined && options.graphOptimizationLevel === undefined
        ? NO_OPTIONS_KEY
        : JSON.stringify({
            f: options.freeDimensionOverrides ?? null,
            g: options.graphOptimizationLevel ?? null,
          });
    return `${this.backend.executionProvider}|${fileKey}|${opts}`;
  }

  /**
   * The session already loaded for the file key and options, if there is one: what a denoiser
   * asks for on every step, answered without a file look-up or a download listener.
   */
  loaded(fileKey: string, options: SessionOptions): ModelSession | undefined {
    return this.ready.get(this.keyOf(fileKey, options));
  }

  /** Bumped by every release: a session remembered per ref is valid for one generation. */
  private generation = 0;
  private readonly byRef = new WeakMap<object, { session: ModelSession; generation: number }>();

  /** `loaded` for a model ref object, remembered per object when no session options are set (no key string built). */
  loadedFor(ref: { key: string }, options: SessionOptions): ModelSession | undefined {
    const plain = options.freeDimensionOverrides === undefined && options.graphOptimizationLevel === undefined;
    const hit = plain ? this.byRef.get(ref) : undefined;
    if (hit && hit.generation === this.generation) return hit.session;
    const session = this.loaded(ref.key, options);
    if (session && plain) this.byRef.set(ref, { session, generation: this.generation });
    return session;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The session for `file`, created on first use and shared afterwards. */
  open(file: ModelFile, request: SessionRequest = {}): Promise<ModelSession> {
    return this.openLazy({ key: file.key, resolve: async () => file }, request);
  }

  /**
   * Like `open`, but locates the file (which may mean reading or downloading it) only when no
   * session for `key` exists yet, so reusing a session costs a map lookup.
   */
  openLazy(ref: { key: string; resolve(): Promise<ModelFile> }, request: SessionRequest = {}): Promise<ModelSession> {
    const { nodeId, progress: _progress, ...options } = request;
    const key = this.keyOf(ref.key, options);
    let entry = this.sessions.get(key);
    if (!entry) {
      entry = ref.resolve().then((file) => this.create(file, options, nodeId));
      this.sessions.set(key, entry);
      this.fileKeys.set(key, ref.key);
      const pending = entry;
      pending.then(
        (session) => {
          if (this.sessions.get(key) === pending) this.ready.set(key, session);
        },
        () => undefined,
      );
      // A failed load is not cached: the next run may have a fixed file.
      entry.catch(() => {
        if (this.sessions.get(key) === entry) {
          this.sessions.delete(key);
          this.fileKeys.delete(key);
        }
      });
    }
    return entry;
  }

  private async create(file: ModelFile, options: SessionOptions, nodeId?: string): Promise<ConvertingSession> {
    if (!(await file.exists())) {
      throw new RuntimeError(
        `${nodeId ? `node "${nodeId}": ` : ''}model file ${file.label} is missing${file.path ? ` (looked for ${file.path})` : file.where ? ` (package ${file.where})` : ''}`,
        'missing-file',
        { node: nodeId, file: file.label },
      );
    }
    let inner: BackendSession;
    try {
      inner = await this.backend.createSession(file, options);
    } catch (err) {
      const failure = await diagnoseLoadFailure(file, err, nodeId);
      if (file.discard) {
        // A downloaded copy that does not load is dropped, so the next run fetches it afresh.
        await file.discard().catch(() => undefined);
        failure.message += '; the downloaded copy was removed from the cache and is fetched again on the next run';
      }
      throw failure;
    }
    return new ConvertingSession(file.label, inner, options.freeDimensionOverrides, this.backend.concurrentRuns ?? false);
  }

  /** Releases the sessions of one file (by ModelFile.key), or all of them. */
  async release(fileKey?: string): Promise<void> {
    this.generation++;
    const victims = [...this.sessions.entries()].filter(([k]) => fileKey === undefined || this.fileKeys.get(k) === fileKey);
    for (const [k] of victims) {
      this.sessions.delete(k);
      this.ready.delete(k);
      this.fileKeys.delete(k);
    }
    await Promise.all(
      victims.map(async ([, p]) => {
        try {
          await (await p).release();
        } catch {
          // A session that never loaded has nothing to release.
        }
      }),
    );
  }
}
