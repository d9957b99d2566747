/**
 * Browser host wiring (for the worker): built-in packages from the app's own `/models/<id>/`,
 * URL packages cached in OPFS, and folders the user picked or dropped, registered by name so a
 * graph's `folder:<name>` source finds them.
 */
import { createRuntime, type Runtime } from '../runtime.ts';
import { urlSource } from '../urlSource.ts';
import { memoryDownloadStore } from '../memoryStore.ts';
import type { OnnxBackend } from '../types.ts';
import type { PackageSource } from '../package.ts';
import type { DownloadStore } from '../urlSource.ts';
import { opfsDownloadStore } from './opfsStore.ts';
import { cacheApiDownloadStore } from './cacheApiStore.ts';

export interface BrowserRuntimeOptions {
  backend: OnnxBackend;
  /** Base URL of built-in packages (default `<origin>/models/`). */
  builtinBase?: string;
  /** Persistent cache for URL packages (default OPFS when available, else memory). */
  store?: (baseUrl: string) => DownloadStore | Promise<DownloadStore>;
}

export interface BrowserRuntime extends Runtime {
  /** Makes a picked or dropped folder available to graphs as `folder:<name>`. */
  registerFolder(name: string, source: PackageSource): void;
}

/** A DownloadStore whose real backing is created on first use (OPFS opening is async). */
function lazyStore(make: () => DownloadStore | Promise<DownloadStore>): DownloadStore {
  let p: Promise<DownloadStore> | undefined;
  const get = () => (p ??= Promise.resolve(make()));
  return {
    has: async (r) => (await get()).has(r),
    get: async (r) => (await get()).get(r),
    partialSize: async (r) => (await get()).partialSize(r),
    open: async (r, a) => (await get()).open(r, a),
    remove: async (r) => (await get()).remove(r),
    sha256: async (r) => (await get()).sha256(r),
    size: async (r) => (await get()).size(r),
  };
}

export function createBrowserRuntime(options: BrowserRuntimeOptions): BrowserRuntime {
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin ?? '';
  const builtinBase = options.builtinBase ?? `${origin}/models/`;
  const folders = new Map<string, PackageSource>();
  // OPFS keeps partial downloads across reloads; Safari's OPFS has no writable streams, so it
  // gets the Cache API; without either, files stay in memory for the session.
  const fileHandleProto = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle?.prototype;
  const hasOpfs =
    typeof navigator !== 'undefined' &&
    typeof navigator.storage?.getDirectory === 'function' &&
    !!fileHandleProto &&
    'createWritable' in fileHandleProto;
  const hasCacheApi = typeof caches !== 'undefined';
  const storeFor =
    options.store ??
    ((base: string) => (hasOpfs ? opfsDownloadStore(base) : hasCacheApi ? cacheApiDownloadStore(base) : memoryDownloadStore()));
  const runtime = createRuntime({
    backend: options.backend,
    packages: {
      builtin: (id) => urlSource(`${builtinBase}${id}/`, { store: memoryDownloadStore() }),
      folder: (name) => folders.get(name),
      url: (base, files) => urlSource(base, { store: lazyStore(() => storeFor(base)), files }),
    },
  });
  return Object.assign(runtime, {
    registerFolder(name: string, source: PackageSource) {
      folders.set(name, source);
    },
  });
}

export { directoryHandleSource, droppedFilesSource } from './localSources.ts';
export { opfsDownloadStore } from './opfsStore.ts';
export { cacheApiDownloadStore } from './cacheApiStore.ts';
