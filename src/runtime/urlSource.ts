/**
 * A model package under a base URL: files are fetched on first need (never when a graph is
 * merely loaded), streamed into a DownloadStore with progress, resumed with an HTTP Range request
 * when a previous download was cut off and the server allows it, and checked against the sizes
 * and sha256 sums the graph's models table gives.
 */
import { RuntimeError } from './types.ts';
import { PACKAGE_FILES, type DownloadProgress, type PackageSource } from './package.ts';
import { NetworkRefusedError, safeUrlText } from '../security/network.ts';

export interface DownloadSink {
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the file complete and visible to `get`/`has`. */
  commit(): Promise<void>;
  /** Keeps what was written as a partial download (for a later resume). */
  close(): Promise<void>;
}

/** Where downloaded files live: a cache folder (Node), the Cache API or OPFS (browser). */
export interface DownloadStore {
  has(rel: string): Promise<boolean>;
  get(rel: string): Promise<Uint8Array | undefined>;
  /** Bytes kept from an interrupted download of `rel` (0 when none). */
  partialSize(rel: string): Promise<number>;
  /** Opens `rel` for writing; `append` continues the partial file, otherwise starts over. */
  open(rel: string, append: boolean): Promise<DownloadSink>;
  remove(rel: string): Promise<void>;
  sha256(rel: string): Promise<string>;
  size(rel: string): Promise<number | undefined>;
  /** Local path of a complete file (Node stores only). */
  localPath?(rel: string): Promise<string | undefined>;
}

/** Expected size and sha256 of a file (the shape of the graph's models-table `files` entries). */
export interface ExpectedFile {
  size?: number;
  sha256?: string;
}

export interface UrlSourceOptions {
  store: DownloadStore;
  /** Expected sizes / sha256 by relative path (the graph's models table `files`). */
  files?: Record<string, ExpectedFile>;
  fetch?: typeof fetch;
}

export interface UrlPackageSource extends PackageSource {
  /** Downloads the given files (default: every file listed in `files`) now. */
  prefetch(rels?: readonly string[]): Promise<void>;
  /** Drops the cached copy of `rel` (it failed to load), so the next use downloads it again. */
  discard(rel: string): Promise<void>;
  onProgress(listener: (p: DownloadProgress) => void): () => void;
}

/** `1.7 GB`, `12.0 MB`, `512 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} bytes`;
}

const OFFLINE_HINT =
  'To run without the network, download the package folder once and give its local path as the model\'s source in the graph\'s models table (or point LATENTLOOM_CACHE at a cache that holds it)';

function joinUrl(base: string, rel: string): string {
  return (base.endsWith('/') ? base : `${base}/`) + rel.split('/').map(encodeURIComponent).join('/');
}

export function urlSource(baseUrl: string, options: UrlSourceOptions): UrlPackageSource {
  const { store } = options;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const listeners = new Set<(p: DownloadProgress) => void>();
  const inFlight = new Map<string, Promise<void>>();
  const remoteExists = new Map<string, Promise<{ ok: boolean; size?: number }>>();

  const emit = (p: DownloadProgress) => listeners.forEach((l) => l(p));

  function head(rel: string) {
    let p = remoteExists.get(rel);
    if (!p) {
      p = (async () => {
        try {
          const res = await doFetch(joinUrl(baseUrl, rel), { method: 'HEAD' });
          const len = res.headers.get('content-length');
          return { ok: res.ok, size: len ? Number(len) : undefined };
        } catch (err) {
          // Network off (--network none) and the package is cached: a file not in the cache is absent.
          if (err instanceof NetworkRefusedError && err.reason === 'network-off' && (await anyCached())) return { ok: false };
          throw networkFailure(rel, err, undefined);
        }
      })();
      remoteExists.set(rel, p);
      p.catch(() => remoteExists.delete(rel));
    }
    return p;
  }

  async function anyCached(): Promise<boolean> {
    const names = [...Object.keys(options.files ?? {}), ...Object.values(PACKAGE_FILES)];
    for (const rel of names) if (await store.has(rel)) return true;
    return false;
  }

  /** One readable line: which file, how big, from where, what failed, and how to do without. */
  function networkFailure(rel: string, err: unknown, size: number | undefined): RuntimeError {
    const message = err instanceof Error ? err.message : String(err);
    const known = size ?? options.files?.[rel]?.size;
    const sizeText = known !== undefined ? ` (${formatBytes(known)})` : '';
    const refused = err instanceof NetworkRefusedError;
    return new RuntimeError(
      `could not download ${rel}${sizeText} of model package ${safeUrlText(baseUrl)}: ${message}${refused ? '' : `. ${OFFLINE_HINT}`}`,
      refused ? 'network-refused' : 'download-failed',
      { file: rel },
    );
  }

  async function verify(rel: string): Promise<void> {
    const want = options.files?.[rel];
    if (!want) return;
    if (want.size !== undefined) {
      const got = await store.size(rel);
      if (got !== want.size) {
        await store.remove(rel);
        throw new RuntimeError(
          `${rel} from ${baseUrl} has ${got} bytes, but the graph's models table says ${want.size}; the download was discarded`,
          'integrity',
          { file: rel },
        );
      }
    }
    if (want.sha256) {
      const got = await store.sha256(rel);
      if (got.toLowerCase() !== want.sha256.toLowerCase()) {
        await store.remove(rel);
        throw new RuntimeError(
          `${rel} from ${baseUrl} has sha256 ${got}, expected ${want.sha256}; the download was discarded`,
          'integrity',
          { file: rel },
        );
      }
    }
  }

  async function download(rel: string): Promise<void> {
    const url = joinUrl(baseUrl, rel);
    const partial = await store.partialSize(rel);
    const headers: Record<string, string> = partial > 0 ? { Range: `bytes=${partial}-` } : {};
    let res: Response;
    try {
      res = await doFetch(url, { headers });
    } catch (err) {
      throw networkFailure(rel, err, (await remoteExists.get(rel)?.catch(() => undefined))?.size);
    }
    if (res.status === 416 && partial > 0) {
      // The partial file is stale or already complete: start over rather than guess.
      await store.remove(rel);
      return download(rel);
    }
    if (!res.ok || !res.body) {
      throw new RuntimeError(`could not download ${url}: HTTP ${res.status} ${res.statusText}`, res.status === 404 ? 'missing-file' : 'download-failed', { file: rel });
    }
    const resumed = res.status === 206 && partial > 0;
    const lengthHeader = res.headers.get('content-length');
    const remaining = lengthHeader ? Number(lengthHeader) : undefined;
    const start = resumed ? partial : 0;
    const served = remaining !== undefined ? start + remaining : undefined;
    const total = options.files?.[rel]?.size ?? served;
    const sink = await store.open(rel, resumed);
    let loaded = start;
    emit({ file: rel, loaded, total });
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await sink.write(value);
        loaded += value.byteLength;
        emit({ file: rel, loaded, total });
      }
    } catch (err) {
      await sink.close();
      // Nothing kept: leave no empty partial file behind.
      if (loaded === 0) await store.remove(rel);
      throw new RuntimeError(
        `download of ${safeUrlText(url)} was interrupted after ${loaded}${total !== undefined ? ` of ${total}` : ''} bytes (${(err as Error).message})${loaded > 0 ? '; it resumes on the next attempt' : ''}`,
        'download-failed',
        { file: rel },
      );
    }
    if (served !== undefined && loaded < served) {
      await sink.close();
      throw new RuntimeError(`download of ${url} ended early at ${loaded} of ${served} bytes; it resumes on the next attempt`, 'download-failed', { file: rel });
    }
    await sink.commit();
    await verify(rel);
  }

  /** Cached files already checked against the models table in this process. */
  const checked = new Set<string>();

  async function ensure(rel: string): Promise<void> {
    if (await store.has(rel)) {
      if (checked.has(rel)) return;
      try {
        await verify(rel); // a cached copy that does not match is removed and downloaded again
        checked.add(rel);
        return;
      } catch {
        remoteExists.delete(rel);
      }
    }
    let p = inFlight.get(rel);
    if (!p) {
      p = download(rel).then(() => void checked.add(rel)).finally(() => inFlight.delete(rel));
      inFlight.set(rel, p);
    }
    await p;
  }

  return {
    id: baseUrl,
    async readFile(rel) {
      await ensure(rel);
      const bytes = await store.get(rel);
      if (!bytes) throw new RuntimeError(`${rel} vanished from the download cache`, 'download-failed', { file: rel });
      return bytes;
    },
    async exists(rel) {
      if (await store.has(rel)) return true;
      return (await head(rel)).ok;
    },
    async size(rel) {
      return options.files?.[rel]?.size ?? (await store.size(rel)) ?? (await head(rel)).size;
    },
    localPath: store.localPath
      ? async (rel) => {
          await ensure(rel);
          return store.localPath!(rel);
        }
      : undefined,
    async discard(rel) {
      checked.delete(rel);
      remoteExists.delete(rel);
      await store.remove(rel);
    },
    async prefetch(rels) {
      for (const rel of rels ?? Object.keys(options.files ?? {})) await ensure(rel);
    },
    onProgress(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
