/**
 * A DownloadStore kept in memory, for the worker's built-in packages: the app serves those files
 * itself (the browser's HTTP cache keeps them between sessions), so one copy per worker is enough.
 * A persistent Cache API / OPFS store for URL packages belongs in src/runtime and can replace
 * this one in browserRuntime.ts.
 */
import type { DownloadSink, DownloadStore } from '../runtime/urlSource.ts';

export function memoryStore(): DownloadStore {
  const complete = new Map<string, Uint8Array>();
  const partial = new Map<string, Uint8Array[]>();
  const concat = (chunks: readonly Uint8Array[]) => {
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  };
  return {
    has: async (rel) => complete.has(rel),
    get: async (rel) => complete.get(rel),
    partialSize: async (rel) => (partial.get(rel) ?? []).reduce((n, c) => n + c.length, 0),
    async open(rel, append): Promise<DownloadSink> {
      const chunks = append ? (partial.get(rel) ?? []) : [];
      partial.set(rel, chunks);
      return {
        write: async (chunk) => void chunks.push(chunk.slice()),
        async commit() {
          complete.set(rel, concat(chunks));
          partial.delete(rel);
        },
        close: async () => {},
      };
    },
    async remove(rel) {
      complete.delete(rel);
      partial.delete(rel);
    },
    async sha256(rel) {
      const bytes = complete.get(rel);
      if (!bytes) throw new Error(`${rel} is not downloaded`);
      const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
      return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    },
    size: async (rel) => complete.get(rel)?.length,
  };
}
