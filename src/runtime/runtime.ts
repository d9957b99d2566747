/**
 * The runtime object hosts pass to `createEngine({ services: { runtime } })`: a backend, its
 * session cache, and model-package resolution for graph `models` tables.
 */
import { ModelPackage, PACKAGE_FILES, packageModelFile, type DownloadProgress, type PackageSource } from './package.ts';
import { SessionCache, type SessionRequest } from './session.ts';
import type { ModelFileRef } from './handles.ts';
import type { ExpectedFile } from './urlSource.ts';
import { RuntimeError, type ModelFile, type ModelSession, type OnnxBackend } from './types.ts';

/** Turns a models-table `source` string into a package source. Hosts provide what they support. */
export interface PackageResolvers {
  /** `builtin:<id>` → Node: <repo>/public/models/<id>/, browser: /models/<id>/. */
  builtin?(id: string): PackageSource;
  /** `folder:<name>` → a folder the user picked (browser directory handle, dropped files). */
  folder?(name: string): PackageSource | undefined;
  /** `http(s)://…` base URL → downloaded and cached files. */
  url?(baseUrl: string, files?: Record<string, ExpectedFile>): PackageSource;
  /** A local path or `file:` URL (Node hosts only). */
  path?(path: string): PackageSource;
}

export interface ModelRefLike {
  source: string;
  files?: Record<string, ExpectedFile>;
}

export interface DownloadEvent extends DownloadProgress {
  /** The package source id (base URL). */
  package: string;
}

/** Files a Stable Diffusion package may hold, for `prefetch` without a models-table list. */
export const STANDARD_PACKAGE_FILES: readonly string[] = [
  PACKAGE_FILES.modelIndex,
  PACKAGE_FILES.schedulerConfig,
  ...['vocab.json', 'merges.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'].map((f) => `${PACKAGE_FILES.tokenizerDir}/${f}`),
  PACKAGE_FILES.textEncoder,
  PACKAGE_FILES.unet,
  PACKAGE_FILES.vaeDecoder,
  PACKAGE_FILES.vaeDecoderConfig,
  PACKAGE_FILES.vaeEncoder,
];

export interface Runtime {
  readonly backend: OnnxBackend;
  readonly sessions: SessionCache;
  /** Opens (or reuses) the session for a handle's model file. */
  session(model: ModelFileRef | ModelFile, request?: SessionRequest): Promise<ModelSession>;
  /**
   * The session `session` would give, when it is already loaded; undefined otherwise (then call
   * `session`). Synchronous: a node that calls its model every step need not await a look-up.
   */
  loadedSession?(model: ModelFileRef | ModelFile, request?: SessionRequest): ModelSession | undefined;
  /** The package a models-table entry points at (configs read once; no model downloaded). */
  openPackage(ref: ModelRefLike, key?: string): Promise<ModelPackage>;
  /** A package source from the host's resolvers, e.g. for `prefetch`. */
  packageSource(ref: ModelRefLike, key?: string): PackageSource;
  /** Download progress of every URL package this runtime opens (for status bars, the CLI). */
  onDownload(listener: (event: DownloadEvent) => void): () => void;
  /**
   * Downloads a package's files now (the standard layout, or `rels`), so a later run needs no
   * network. Folder and built-in packages just check the files exist. Returns the files found.
   */
  prefetch(ref: ModelRefLike, rels?: readonly string[]): Promise<string[]>;
  /** Releases sessions (of one file key, or all) and forgets opened packages. */
  release(fileKey?: string): Promise<void>;
}

function isModelFile(m: ModelFileRef | ModelFile): m is ModelFile {
  return typeof (m as ModelFile).read === 'function';
}

export function createRuntime(options: { backend: OnnxBackend; packages?: PackageResolvers }): Runtime {
  const sessions = new SessionCache(options.backend);
  const resolvers = options.packages ?? {};
  const sources = new Map<string, PackageSource>();
  /** Opened packages by source object (sources are cached, so this is one per package). */
  let packages = new WeakMap<PackageSource, Promise<ModelPackage>>();
  const downloadListeners = new Set<(event: DownloadEvent) => void>();

  function addDownloadListener(listener: (event: DownloadEvent) => void): () => void {
    downloadListeners.add(listener);
    return () => downloadListeners.delete(listener);
  }

  function packageSource(ref: ModelRefLike, key = ref.source): PackageSource {
    const cacheKey = `${ref.source}|${JSON.stringify(ref.files ?? {})}`;
    const known = sources.get(cacheKey);
    if (known) return known;
    const src = ref.source;
    let source: PackageSource | undefined;
    let kind = '';
    if (src.startsWith('builtin:')) {
      kind = 'built-in packages';
      const id = src.slice('builtin:'.length);
      if (!/^[a-z0-9][a-z0-9._-]*$/i.test(id)) {
        throw new RuntimeError(`model "${key}": "${id}" is not a valid built-in package id`, 'bad-package');
      }
      source = resolvers.builtin?.(id);
    } else if (src.startsWith('folder:')) {
      kind = 'user-picked folders';
      source = resolvers.folder?.(src.slice('folder:'.length));
      if (resolvers.folder && !source) {
        throw new RuntimeError(`model "${key}": folder "${src.slice(7)}" has not been picked in this session; choose it again`, 'bad-package');
      }
    } else if (/^https?:\/\//i.test(src)) {
      kind = 'URL packages';
      source = resolvers.url?.(src, ref.files);
    } else if (src.startsWith('file:') || src.startsWith('/') || src.startsWith('.')) {
      kind = 'local paths';
      source = resolvers.path?.(src.startsWith('file:') ? decodeURIComponent(new URL(src).pathname) : src);
    } else {
      throw new RuntimeError(
        `model "${key}": source "${src}" is not builtin:<id>, folder:<name>, an http(s) URL or a local path`,
        'bad-package',
      );
    }
    if (!source) throw new RuntimeError(`model "${key}": this host does not support ${kind} (${src})`, 'bad-package');
    // A picked folder may be picked again (another handle under the same name): never cache it.
    if (!src.startsWith('folder:')) sources.set(cacheKey, source);
    const withProgress = source as PackageSource & { onProgress?(l: (p: DownloadProgress) => void): () => void };
    const id = source.id;
    withProgress.onProgress?.((p) => downloadListeners.forEach((l) => l({ ...p, package: id })));
    return source;
  }

  const loadedSession = (model: ModelFileRef | ModelFile, request: SessionRequest = {}): ModelSession | undefined =>
    sessions.loadedFor(model, isModelFile(model) || !model.sessionOptions ? request : { ...model.sessionOptions, ...request });

  return {
    backend: options.backend,
    sessions,
    loadedSession,
    async session(model, request = {}) {
      const loaded = loadedSession(model, request);
      if (loaded) return loaded;
      const { progress } = request;
      const unsubscribe = progress
        ? addDownloadListener((e) => {
            if (e.total !== undefined) progress(e.loaded, e.total, undefined, 'bytes');
          })
        : undefined;
      try {
        if (isModelFile(model)) return await sessions.open(model, request);
        return await sessions.openLazy(model, { ...(model.sessionOptions ?? {}), ...request });
      } finally {
        unsubscribe?.();
      }
    },
    onDownload: addDownloadListener,
    async prefetch(ref, rels) {
      const source = packageSource(ref);
      const wanted = rels ?? (ref.files ? Object.keys(ref.files) : STANDARD_PACKAGE_FILES);
      const found: string[] = [];
      for (const rel of wanted) {
        if (!(await source.exists(rel))) continue;
        if (rel.endsWith('.onnx')) {
          // Resolving the model file fetches it and its external data (into the cache folder in Node).
          const file = await packageModelFile(source, rel);
          if (!file.path) await file.read();
          for (const c of (await file.externalData?.()) ?? []) {
            if (!file.path) await c.read();
            found.push(rel.slice(0, rel.lastIndexOf('/') + 1) + c.path);
          }
        } else if (source.localPath) await source.localPath(rel);
        else await source.readFile(rel);
        found.push(rel);
      }
      return found;
    },
    async openPackage(ref, key) {
      const source = packageSource(ref, key);
      let p = packages.get(source);
      if (!p) {
        p = ModelPackage.open(source);
        packages.set(source, p);
        p.catch(() => packages.delete(source));
      }
      return p;
    },
    packageSource,
    async release(fileKey) {
      if (fileKey === undefined) {
        packages = new WeakMap();
        sources.clear();
      }
      await sessions.release(fileKey);
    },
  };
}

/** Reads the runtime out of a services object, with a clear error when the host gave none. */
export function requireRuntime(services: unknown, nodeId: string): Runtime {
  const runtime = (services as { runtime?: Runtime } | undefined)?.runtime;
  if (!runtime || typeof runtime.session !== 'function') {
    throw new RuntimeError(
      `node "${nodeId}" needs an ONNX runtime, but the host passed none (createEngine({ services: { runtime } }))`,
      'bad-package',
      { node: nodeId },
    );
  }
  return runtime;
}

/**
 * A model file given by location: a local path or an http(s) URL to the `.onnx` file. Its folder
 * (or base URL) is opened as a package, so external data beside it is found as usual.
 */
export async function fileRefFromLocation(runtime: Runtime, location: string, key: string): Promise<ModelFileRef> {
  const trimmed = location.trim();
  if (!trimmed) throw new RuntimeError(`${key}: no model file given (the path is empty)`, 'bad-package');
  const cut = trimmed.lastIndexOf('/');
  const rel = trimmed.slice(cut + 1);
  if (!rel || !rel.includes('.')) {
    throw new RuntimeError(`${key}: "${trimmed}" does not name a model file (expected …/name.onnx)`, 'bad-package');
  }
  let base = cut < 0 ? '.' : trimmed.slice(0, cut) || '/';
  if (/^https?:\/\//i.test(base)) base += '/';
  else if (!base.startsWith('/') && !base.startsWith('.') && !base.startsWith('file:')) base = `./${base}`;
  const source = runtime.packageSource({ source: base }, key);
  return {
    key: `${source.id}#${rel}`,
    label: trimmed,
    resolve: async () => ({ ...(await packageModelFile(source, rel)), label: trimmed }),
  };
}
