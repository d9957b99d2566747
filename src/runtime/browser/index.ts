/**
 * Browser host wiring (for the worker): built-in packages from the app's own `/models/<id>/`,
 * URL packages cached in OPFS (else the Cache API, else memory), and folders the user picked or dropped, registered by name so a
 * graph's `folder:<name>` source finds them.
 */
import { createRuntime, type Runtime } from '../runtime.ts';
import { urlSource } from '../urlSource.ts';
import { memoryDownloadStore } from '../memoryStore.ts';
import type { OnnxBackend } from '../types.ts';
import type { PackageSource } from '../package.ts';
import type { DownloadStore } from '../urlSource.ts';
import { openPackageCache, type PackageCache } from './packageCache.ts';
import { browserGuardedFetch } from '../../security/network.ts';

export interface BrowserRuntimeOptions {
  backend: OnnxBackend;
  /** Base URL of built-in packages (default `<origin>/models/`). */
  builtinBase?: string;
  /**
   * Persistent cache for URL packages (default: openPackageCache(), i.e. OPFS, else the Cache
   * API, else memory). Hosts that remake the runtime (a backend switch) pass the same one.
   */
  cache?: PackageCache | Promise<PackageCache>;
  /** Overrides `cache` with a store per base URL. */
  store?: (baseUrl: string) => DownloadStore | Promise<DownloadStore>;
  /** Picked folders by name; pass a shared map so folders outlive a runtime. */
  folders?: Map<string, PackageSource>;
  /**
   * The fetch under the URL checks (default the global fetch). Package URLs are always checked:
   * http(s) only, no loopback/private/link-local hosts by IP or name, except the page's origin.
   */
  fetch?: typeof fetch;
  /** Lets private-network and loopback hosts through (never metadata addresses). */
  allowPrivateNetwork?: boolean;
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
  const folders = options.folders ?? new Map<string, PackageSource>();
  let cache: Promise<PackageCache> | undefined;
  const storeFor = options.store ?? (async (base: string) => (await (cache ??= Promise.resolve(options.cache ?? openPackageCache()))).store(base));
  const plainFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  // Built-in packages are the app's own assets (builtinBase is host configuration, not graph input).
  const builtinFetch = { fetch: plainFetch };
  // The app's own origin: the page's, or where its built-in models are served (a worker in Node).
  let appOrigin = origin;
  if (!appOrigin) {
    try {
      appOrigin = new URL(builtinBase).origin;
    } catch {
      appOrigin = '';
    }
  }
  const fetchOption = {
    fetch: browserGuardedFetch(plainFetch, {
      origin: appOrigin,
      allowPrivateNetwork: options.allowPrivateNetwork ?? false,
      purpose: 'model',
    }),
  };
  const runtime = createRuntime({
    backend: options.backend,
    packages: {
      // The app serves these itself and the browser's HTTP cache keeps them: memory is enough.
      builtin: (id) => urlSource(`${builtinBase}${id}/`, { store: memoryDownloadStore(), ...builtinFetch }),
      folder: (name) => folders.get(name),
      url: (base, files) => urlSource(base, { store: lazyStore(() => storeFor(base)), files, ...fetchOption }),
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
export { openPackageCache, opfsPackageCache, cacheApiPackageCache, memoryPackageCache } from './packageCache.ts';
export type { PackageCache, PackageCacheKind, CachedPackage } from './packageCache.ts';
