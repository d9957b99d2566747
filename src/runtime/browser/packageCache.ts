/**
 * The browser's cache of downloaded model packages, as the model manager sees it: a DownloadStore
 * per base URL, the list of cached packages with their sizes, and delete. Backed by OPFS where
 * it has writable file streams, else the Cache API, else memory (nothing survives a reload).
 */
import { memoryDownloadStore } from '../memoryStore.ts';
import type { DownloadSink, DownloadStore } from '../urlSource.ts';
import { OPFS_ROOT, OPFS_SOURCE_MARKER, opfsDownloadStore, opfsFolderName } from './opfsStore.ts';
import { CACHE_API_NAME, cacheApiDownloadStore } from './cacheApiStore.ts';

export interface CachedPackage {
  /** The package's base URL (the graph's models-table `source`). */
  id: string;
  /** Bytes of complete files. */
  bytes: number;
  files: { path: string; bytes: number }[];
  /** Bytes kept from interrupted downloads (they resume). */
  partialBytes: number;
}

export type PackageCacheKind = 'opfs' | 'cache-api' | 'memory';

export interface PackageCache {
  readonly kind: PackageCacheKind;
  /** The download store of one package (created on first use). */
  store(baseUrl: string): Promise<DownloadStore>;
  list(): Promise<CachedPackage[]>;
  /** Deletes a package's files, partial ones included; false when it was not cached. */
  remove(baseUrl: string): Promise<boolean>;
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

function summary(id: string, files: { path: string; bytes: number }[], partialBytes: number): CachedPackage {
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { id, bytes: files.reduce((n, f) => n + f.bytes, 0), files, partialBytes };
}

type Entries = AsyncIterable<[string, FileSystemHandle]>;
const entriesOf = (dir: FileSystemDirectoryHandle) => (dir as unknown as { entries(): Entries }).entries();

async function walkOpfs(dir: FileSystemDirectoryHandle, prefix: string, out: { path: string; bytes: number }[], partial: { bytes: number }) {
  for await (const [name, handle] of entriesOf(dir)) {
    if (handle.kind === 'directory') await walkOpfs(handle as FileSystemDirectoryHandle, `${prefix}${name}/`, out, partial);
    else if (!prefix && name === OPFS_SOURCE_MARKER) continue;
    else {
      const bytes = (await (handle as FileSystemFileHandle).getFile()).size;
      if (name.endsWith('.part')) partial.bytes += bytes;
      else out.push({ path: prefix + name, bytes });
    }
  }
}

export async function opfsPackageCache(rootName = OPFS_ROOT): Promise<PackageCache> {
  const top = await (await navigator.storage.getDirectory()).getDirectoryHandle(rootName, { create: true });
  return {
    kind: 'opfs',
    store: (baseUrl) => opfsDownloadStore(baseUrl, rootName),
    async list() {
      const found: CachedPackage[] = [];
      for await (const [name, handle] of entriesOf(top)) {
        if (handle.kind !== 'directory') continue;
        const dir = handle as FileSystemDirectoryHandle;
        let id: string;
        try {
          id = await (await (await dir.getFileHandle(OPFS_SOURCE_MARKER)).getFile()).text();
        } catch {
          id = name; // written by an older build: still listed, so it can be deleted
        }
        const files: { path: string; bytes: number }[] = [];
        const partial = { bytes: 0 };
        await walkOpfs(dir, '', files, partial);
        found.push(summary(id, files, partial.bytes));
      }
      return found.sort((a, b) => a.id.localeCompare(b.id));
    },
    async remove(baseUrl) {
      for (const name of [opfsFolderName(baseUrl), opfsFolderName(withSlash(baseUrl)), baseUrl]) {
        try {
          await top.removeEntry(name, { recursive: true });
          return true;
        } catch {
          // not under this name
        }
      }
      return false;
    },
  };
}

export async function cacheApiPackageCache(cacheName = CACHE_API_NAME): Promise<PackageCache> {
  const cache = await caches.open(cacheName);
  const keys = async () => (await cache.keys()).map((r) => r.url);
  return {
    kind: 'cache-api',
    store: (baseUrl) => cacheApiDownloadStore(baseUrl, cacheName),
    async list() {
      const all = await keys();
      // Markers are the package base URLs (they end in "/"; files never do).
      const bases = all.filter((u) => u.endsWith('/')).sort((a, b) => b.length - a.length);
      const byBase = new Map<string, { path: string; bytes: number }[]>(bases.map((b) => [b, []]));
      for (const url of all) {
        if (url.endsWith('/')) continue;
        const base = bases.find((b) => url.startsWith(b));
        if (!base) continue;
        const res = await cache.match(url);
        const len = res?.headers.get('content-length');
        const bytes = len ? Number(len) : res ? (await res.arrayBuffer()).byteLength : 0;
        byBase.get(base)!.push({ path: decodeURIComponent(url.slice(base.length)), bytes });
      }
      const found: CachedPackage[] = [];
      for (const [base, files] of byBase) {
        const id = (await (await cache.match(base))?.text()) || base;
        found.push(summary(id, files, 0));
      }
      return found.sort((a, b) => a.id.localeCompare(b.id));
    },
    async remove(baseUrl) {
      const base = new URL(withSlash(baseUrl)).href;
      const mine = (await keys()).filter((u) => u.startsWith(base));
      for (const url of mine) await cache.delete(url);
      return mine.length > 0;
    },
  };
}

/** Files in memory for this worker's lifetime (hosts with neither OPFS nor the Cache API). */
export function memoryPackageCache(): PackageCache {
  const stores = new Map<string, { store: DownloadStore; files: Map<string, number>; partial: Map<string, number> }>();
  return {
    kind: 'memory',
    async store(baseUrl) {
      const key = withSlash(baseUrl);
      let entry = stores.get(key);
      if (!entry) {
        const inner = memoryDownloadStore();
        const files = new Map<string, number>();
        const partial = new Map<string, number>();
        const store: DownloadStore = {
          ...inner,
          async open(rel, append): Promise<DownloadSink> {
            const sink = await inner.open(rel, append);
            let written = append ? (partial.get(rel) ?? 0) : 0;
            return {
              async write(chunk) {
                await sink.write(chunk);
                written += chunk.byteLength;
                partial.set(rel, written);
              },
              async commit() {
                await sink.commit();
                partial.delete(rel);
                files.set(rel, written);
              },
              close: () => sink.close(),
            };
          },
          async remove(rel) {
            await inner.remove(rel);
            files.delete(rel);
            partial.delete(rel);
          },
        };
        entry = { store, files, partial };
        stores.set(key, entry);
      }
      return entry.store;
    },
    async list() {
      return [...stores.entries()]
        .filter(([, e]) => e.files.size > 0 || e.partial.size > 0)
        .map(([id, e]) =>
          summary(
            id,
            [...e.files].map(([path, bytes]) => ({ path, bytes })),
            [...e.partial.values()].reduce((n, b) => n + b, 0),
          ),
        )
        .sort((a, b) => a.id.localeCompare(b.id));
    },
    async remove(baseUrl) {
      return stores.delete(withSlash(baseUrl));
    },
  };
}

/**
 * A cache that picks its backing on first use rather than when made, so a worker can start
 * without touching storage (and a test can change what the host offers before the first use).
 */
export function lazyPackageCache(open: () => Promise<PackageCache> = openPackageCache): PackageCache {
  let opened: Promise<PackageCache> | undefined;
  let kind: PackageCacheKind | undefined;
  const get = () =>
    (opened ??= open().then((c) => {
      kind = c.kind;
      return c;
    }));
  return {
    get kind(): PackageCacheKind {
      if (!kind) throw new Error('the package cache is not open yet (its kind is known after the first call)');
      return kind;
    },
    store: async (baseUrl) => (await get()).store(baseUrl),
    list: async () => (await get()).list(),
    remove: async (baseUrl) => (await get()).remove(baseUrl),
  };
}

/** Whether this host's OPFS can write files (Safari's has no createWritable). */
function opfsWritable(): boolean {
  const proto = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle?.prototype;
  return typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function' && !!proto && 'createWritable' in proto;
}

/** The best cache this host has: OPFS, then the Cache API, then memory. */
export async function openPackageCache(prefer?: PackageCacheKind): Promise<PackageCache> {
  const order: PackageCacheKind[] = prefer ? [prefer, 'opfs', 'cache-api', 'memory'] : ['opfs', 'cache-api', 'memory'];
  for (const kind of order) {
    try {
      if (kind === 'opfs' && opfsWritable()) return await opfsPackageCache();
      if (kind === 'cache-api' && typeof caches !== 'undefined') return await cacheApiPackageCache();
      if (kind === 'memory') return memoryPackageCache();
    } catch {
      // e.g. storage denied in this context: try the next kind
    }
  }
  return memoryPackageCache();
}
