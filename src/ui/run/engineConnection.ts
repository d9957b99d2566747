/**
 * What the editor needs from the engine in the worker. The worker client (src/worker/client.ts)
 * is adapted to this in connectWorker.ts; keeping the UI on this narrow interface means the UI
 * never touches onnxruntime or node code, and tests can drive it with the real engine in Node.
 */
import type { GraphDocument } from '../../graph/document.ts';
import type { EngineEvent, RunResult } from '../../engine/events.ts';
import type { NodeTypeInfo } from '../catalog.ts';
import type { Picture } from '../../worker/pictures.ts';

/** A run's result; a worker host adds each target's pictures, PNG-encoded off the main thread. */
export interface EngineRunResult extends RunResult {
  pictures?: Record<string, Picture[]>;
}

export type BackendChoice = 'auto' | 'webgpu' | 'wasm';

export interface EngineRunOptions {
  /** Output node ids to compute; default all output nodes. */
  outputs?: string[];
  backend?: BackendChoice;
  /** Live previews of a zone's carried latent, one per step (default true). */
  previewLatents?: boolean;
}

export interface ModelCacheEntry {
  id: string;
  source: string;
  bytes: number;
  /** Complete files with their sizes, and where they are kept (`opfs`, `cache-api`, `memory`). */
  files?: { path: string; bytes: number }[];
  storage?: string;
}

/** One progress report of a model download (a file of a package). */
export interface ModelDownloadProgress {
  package: string;
  file: string;
  loaded: number;
  total?: number;
}

/** A picked directory (showDirectoryPicker) or dropped / `<input webkitdirectory>` files. */
export type PickedFolder = FileSystemDirectoryHandle | { name?: string; files: File[] };

export interface EngineConnection {
  describeNodes(): Promise<NodeTypeInfo[]>;
  run(graph: GraphDocument, options: EngineRunOptions, onEvent: (event: EngineEvent) => void): Promise<EngineRunResult>;
  cancel(): void;
  /** Called when the worker dies; the connection restarts it by itself. */
  onCrash(listener: (reason: string) => void): () => void;
  /** The backend the worker actually uses (after "auto" picked one), when known. */
  backendInfo?(): Promise<{ backend: string; available: string[] }>;
  /** Readies the backend and the shipped models while the page is idle, so the first Run is quicker. */
  warmUp?(backend: 'auto' | 'webgpu' | 'wasm'): Promise<void>;
  listModels?(): Promise<ModelCacheEntry[]>;
  /** Drops the engine's cached node outputs and model sessions (frees worker memory). */
  clearCache?(): Promise<void>;
  deleteModel?(id: string): Promise<void>;
  /** Downloads a URL model package into the browser's cache now, reporting progress. */
  prefetchModel?(source: string, onProgress: (progress: ModelDownloadProgress) => void): Promise<{ files: string[] }>;
  /** Hands a picked folder to the worker; graphs then use it as `source` (`folder:<name>`). */
  registerFolder?(folder: PickedFolder): Promise<{ source: string; name: string; files: string[] }>;
  /** Hands model files dropped on the editor to the worker; a node then loads `dropped:<file name>`. */
  registerDroppedFiles?(files: File[]): Promise<{ source: string; files: string[] }>;
  /** Reads a model node's hidden socket lists (onnx/model, diffusion/denoise) from its model: params to set. */
  inspectNode?(graph: GraphDocument, nodeId: string): Promise<{ params: Record<string, unknown> }>;
  dispose(): void;
}
