/**
 * A DownloadStore on the Cache API, for browsers whose OPFS lacks writable file streams (Safari).
 * Complete files are cached as responses under `<baseUrl><rel>`; an interrupted download is kept
 * in memory only, so it resumes within the session but not after a reload.
 */
import { memoryPartials, sha256Hex } from '../memoryStore.ts';
import type { DownloadSink, DownloadStore } from '../urlSource.ts';

export const CACHE_API_NAME = 'latentloom-models';

export async function cacheApiDownloadStore(baseUrl: string, cacheName = CACHE_API_NAME): Promise<DownloadStore> {
  const cache = await caches.open(cacheName);
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const keyOf = (rel: string) => base + rel;
  // The base URL itself (no file has an empty name) marks the package, so the cache can be listed.
  if (!(await cache.match(base))) await cache.put(base, new Response(baseUrl));
  const bytesOf = async (rel: string) => {
    const res = await cache.match(keyOf(rel));
    return res ? new Uint8Array(await res.arrayBuffer()) : undefined;
  };
  const partials = memoryPartials(async (rel, parts) => {
    const blob = new Blob(parts as Uint8Array<ArrayBuffer>[]);
    await cache.put(keyOf(rel), new Response(blob, { headers: { 'content-length': String(blob.size) } }));
  });
  return {
    async has(rel) {
      return (await cache.match(keyOf(rel))) !== undefined;
    },
    get: bytesOf,
    async partialSize(rel) {
      return partials.partialSize(rel);
    },
    async open(rel, append): Promise<DownloadSink> {
      return partials.open(rel, append);
    },
    async remove(rel) {
      partials.discard(rel);
      await cache.delete(keyOf(rel));
    },
    async sha256(rel) {
      const bytes = await bytesOf(rel);
      if (!bytes) throw new Error(`${rel} is not in the download cache`);
      return sha256Hex(bytes);
    },
    async size(rel) {
      const res = await cache.match(keyOf(rel));
      const len = res?.headers.get('content-length');
      return res ? (len ? Number(len) : (await res.arrayBuffer()).byteLength) : undefined;
    },
  };
}
