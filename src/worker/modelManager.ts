/**
 * The model manager's side of the worker API: cached URL packages with their sizes, delete,
 * download ahead of a run with progress, folders the user picked or dropped (registered as
 * `folder:<name>`), single model files dropped on the editor (`dropped:<file name>`), and reading a model node's hidden socket lists from the model itself.
 */
import * as Comlink from 'comlink';
import type { GraphDocument } from '../graph/document.ts';
import type { Engine } from '../engine/engine.ts';
import type { Runtime, ModelRefLike } from '../runtime/runtime.ts';
import { STANDARD_PACKAGE_FILES } from '../runtime/runtime.ts';
import type { PackageSource } from '../runtime/package.ts';
import type { DenoiserHandle } from '../runtime/handles.ts';
import type { CachedPackage, PackageCache, PackageCacheKind } from '../runtime/browser/packageCache.ts';
import { directoryHandleSource, droppedFilesSource } from '../runtime/browser/localSources.ts';
import { inspectDenoiserPorts } from '../../nodes/diffusion/denoise.ts';
import { inspectOnnxModelPorts } from '../../nodes/onnx/model.ts';
import { DROPPED_FOLDER, DROPPED_SOURCE_PREFIX, droppedModelMain } from '../runtime/droppedFiles.ts';

/** What a host gives the model manager: its package cache and its registry of picked folders. */
export interface ModelHost {
  cache: PackageCache | Promise<PackageCache>;
  folders: Map<string, PackageSource>;
}

export interface CachedModel extends CachedPackage {
  /** The models-table source that names it (the base URL). */
  source: string;
  storage: PackageCacheKind;
}

export interface ModelDownloadProgress {
  package: string;
  file: string;
  loaded: number;
  total?: number;
}

export interface PrefetchResult {
  source: string;
  /** Package files now available without the network. */
  files: string[];
}

/** A picked directory (showDirectoryPicker) or dropped / `<input webkitdirectory>` files. */
export type FolderInput = FileSystemDirectoryHandle | { name?: string; files: File[] };

export interface RegisteredFolder {
  /** What the graph's models table uses: `folder:<name>`. */
  source: string;
  name: string;
  /** Standard package files found in it (model_index.json, unet/model.onnx…). */
  files: string[];
}

export interface DroppedModelFiles {
  /** The `source` of a node that loads the dropped model: `dropped:<file name>`. */
  source: string;
  /** The file names the worker now holds under `dropped:`. */
  files: string[];
}

export interface NodeInspection {
  node: string;
  type: string;
  /** Params to set on the node (its hidden socket lists). */
  params: Record<string, unknown>;
}

export interface ModelManagerApi {
  listModels(): Promise<CachedModel[]>;
  deleteModel(id: string): Promise<void>;
  prefetch(ref: ModelRefLike | string, onProgress?: (p: ModelDownloadProgress) => unknown): Promise<PrefetchResult>;
  registerFolder(input: FolderInput, name?: string): Promise<RegisteredFolder>;
  /**
   * Keeps model files dropped on the editor (a `.pth` / `.safetensors` / `.onnx`, or a TF.js
   * `model.json` with its shards) for `dropped:<file name>` sources; files of an earlier drop stay
   * unless replaced by name.
   */
  registerDroppedFiles(files: File[]): Promise<DroppedModelFiles>;
  inspectNode(graph: GraphDocument, nodeId: string): Promise<NodeInspection>;
}

export interface ModelManagerDeps {
  host?: ModelHost;
  engine: Engine;
  /** The current runtime, started when needed; throws why there is none. */
  runtime(): Promise<Runtime>;
}

/** Progress at most every PROGRESS_MS per file, plus each file's first and last report. */
const PROGRESS_MS = 50;

function folderNameOf(input: FolderInput): string | undefined {
  if ('files' in input) {
    if (input.name) return input.name;
    const first = input.files[0] as (File & { webkitRelativePath?: string }) | undefined;
    const rel = first?.webkitRelativePath;
    return rel && rel.includes('/') ? rel.split('/')[0] : undefined;
  }
  return input.name;
}

export function createModelManagerApi(deps: ModelManagerDeps): ModelManagerApi {
  /** Files dropped on the editor, by name (`dropped:<name>`). */
  const dropped = new Map<string, File>();
  let generation = 0;
  const host = (): ModelHost => {
    if (!deps.host) throw new Error('this engine host keeps no model cache and takes no picked folders');
    return deps.host;
  };

  async function modelInputOf(graph: GraphDocument, nodeId: string, port: string): Promise<unknown> {
    const edge = graph.edges.find((e) => e.to.node === nodeId && e.to.port === port);
    if (!edge) throw new Error(`node "${nodeId}": connect its "${port}" input to a model first`);
    const result = await deps.engine.run(graph, { outputs: [edge.from.node] });
    if (!result.ok) throw new Error(`node "${nodeId}": could not load its ${port} (node "${result.error?.node ?? edge.from.node}": ${result.error?.message})`);
    const value = result.outputs[edge.from.node]?.[edge.from.port];
    if (value === undefined) throw new Error(`node "${nodeId}": node "${edge.from.node}" gave no "${edge.from.port}" output`);
    return value;
  }

  return {
    async listModels() {
      const cache = await host().cache;
      return (await cache.list()).map((p) => ({ ...p, source: p.id, storage: cache.kind }));
    },

    async deleteModel(id) {
      const cache = await host().cache;
      // Sessions and open packages may still read the files: drop them first.
      deps.engine.clearCache();
      try {
        await (await deps.runtime()).release();
      } catch {
        // no runtime started: nothing holds the files
      }
      if (!(await cache.remove(id))) throw new Error(`no cached model package "${id}" (cached: ${(await cache.list()).map((p) => p.id).join(', ') || 'none'})`);
    },

    async prefetch(refOrSource, onProgress) {
      const ref = typeof refOrSource === 'string' ? { source: refOrSource } : refOrSource;
      const runtime = await deps.runtime();
      // Throttled per file; a report held back is sent once the file moves on or ends, so
      // every file's last report (its size, when the server gave no length) arrives.
      const last = new Map<string, number>();
      let held: ModelDownloadProgress | undefined;
      const send = (p: ModelDownloadProgress) => {
        last.set(p.file, Date.now());
        const sent = onProgress?.(p);
        if (sent && typeof (sent as Promise<unknown>).catch === 'function') (sent as Promise<unknown>).catch(() => {});
      };
      const flush = () => {
        if (held) send(held);
        held = undefined;
      };
      const unsubscribe = runtime.onDownload((e) => {
        if (!onProgress) return;
        const p: ModelDownloadProgress = { package: e.package, file: e.file, loaded: e.loaded, ...(e.total !== undefined ? { total: e.total } : {}) };
        if (held && held.file !== p.file) flush();
        const prev = last.get(p.file);
        const final = p.total !== undefined && p.loaded >= p.total;
        if (prev === undefined || final || Date.now() - prev >= PROGRESS_MS) {
          held = undefined;
          send(p);
        } else held = p;
      });
      try {
        const files = await runtime.prefetch(ref);
        if (files.length === 0) throw new Error(`model package ${ref.source} has none of the standard package files (${STANDARD_PACKAGE_FILES.join(', ')})`);
        return { source: ref.source, files };
      } finally {
        flush();
        unsubscribe();
        // Closes the progress channel (a comlink proxy) after the reports already sent.
        (onProgress as Partial<Comlink.Remote<unknown>> | undefined)?.[Comlink.releaseProxy]?.();
      }
    },

    async registerFolder(input, wanted) {
      const { folders } = host();
      const name = wanted ?? folderNameOf(input);
      if (!name || !/^[^/\\:]+$/.test(name)) throw new Error(`cannot register the folder: "${name ?? ''}" is not a usable folder name`);
      if (name === DROPPED_FOLDER) throw new Error(`cannot register the folder: "${name}" is the name kept for files dropped on the editor; rename the folder`);
      const source = 'files' in input ? droppedFilesSource(input.files, `folder:${name}`) : directoryHandleSource(input, `folder:${name}`);
      const files: string[] = [];
      for (const rel of STANDARD_PACKAGE_FILES) if (await source.exists(rel)) files.push(rel);
      if (files.length === 0) {
        throw new Error(`folder "${name}" is not a model package: it has none of ${STANDARD_PACKAGE_FILES.join(', ')} (pick the folder that holds model_index.json or unet/)`);
      }
      // Outputs cached for an earlier folder of this name would hand out its files.
      if (folders.has(name)) deps.engine.clearCache();
      folders.set(name, source);
      return { source: `folder:${name}`, name, files };
    },

    async registerDroppedFiles(files) {
      const { folders } = host();
      if (files.length === 0) throw new Error('no files were dropped');
      for (const f of files) {
        if (!f.name || /[/\\]/.test(f.name) || f.name === '.' || f.name === '..') throw new Error(`cannot keep the dropped file "${f.name}": not a usable file name`);
      }
      const main = droppedModelMain(files.map((f) => f.name));
      if (!main) throw new Error(`none of the dropped files (${files.map((f) => f.name).join(', ')}) is a model file (.onnx, .pth, .safetensors or a TF.js model.json)`);
      const replaced = files.some((f) => dropped.has(f.name));
      for (const f of files) dropped.set(f.name, f);
      // A source id per drop: sessions opened from an earlier file of the same name are not reused.
      generation++;
      folders.set(DROPPED_FOLDER, droppedFilesSource([...dropped.values()], `folder:${DROPPED_FOLDER}@${generation}`));
      if (replaced) deps.engine.clearCache();
      return { source: `${DROPPED_SOURCE_PREFIX}${main}`, files: [...dropped.keys()] };
    },

    async inspectNode(graph, nodeId) {
      const node = graph.nodes.find((n) => n.id === nodeId);
      if (!node) throw new Error(`the graph has no node "${nodeId}"`);
      const runtime = await deps.runtime();
      if (node.type === 'onnx/model') {
        const source = node.params.source;
        if (typeof source !== 'string' || !source.trim()) throw new Error(`node "${nodeId}": set its model file first`);
        const ports = await inspectOnnxModelPorts(runtime, source);
        return { node: nodeId, type: node.type, params: { inputs: ports.inputs, outputs: ports.outputs } };
      }
      if (node.type === 'diffusion/denoise') {
        const denoiser = (await modelInputOf(graph, nodeId, 'denoiser')) as DenoiserHandle;
        if (denoiser?.kind !== 'DENOISER') throw new Error(`node "${nodeId}": its denoiser input is not a DENOISER`);
        return { node: nodeId, type: node.type, params: { extra_inputs: await inspectDenoiserPorts(runtime, denoiser) } };
      }
      throw new Error(`node "${nodeId}" (${node.type}) has no model sockets to inspect (only onnx/model and diffusion/denoise do)`);
    },
  };
}
