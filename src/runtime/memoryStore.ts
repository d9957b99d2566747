/**
 * A DownloadStore in memory: for built-in packages served by the app itself (the browser's HTTP
 * cache already keeps them), and anywhere no persistent cache is wanted. Partial downloads are
 * kept for a resume within the same session.
 */
import type { DownloadSink, DownloadStore } from './urlSource.ts';

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Partial downloads held in memory, keyed by file: `open` starts (or, with `append`, continues) a
 * file's parts, and `commit` hands the finished parts to `onComplete` (not joined: a Blob takes
 * them as they are, so large files are not copied twice). Parts outlive `close` so an
 * interrupted download resumes within the session. Shared by the memory and Cache API stores.
 */
export function memoryPartials(onComplete: (rel: string, parts: readonly Uint8Array[]) => Promise<void> | void) {
  const partial = new Map<string, Uint8Array[]>();
  return {
    partialSize(rel: string): number {
      return (partial.get(rel) ?? []).reduce((n, p) => n + p.byteLength, 0);
    },
    open(rel: string, append: boolean): DownloadSink {
      const parts = append ? partial.get(rel) ?? [] : [];
      partial.set(rel, parts);
      return {
        async write(chunk) {
          parts.push(chunk.slice());
        },
        async commit() {
          await onComplete(rel, parts);
          partial.delete(rel);
        },
        async close() {
          // Parts stay for a resume within this session.
        },
      };
    },
    discard(rel: string): void {
      partial.delete(rel);
    },
  };
}

export function memoryDownloadStore(): DownloadStore {
  const complete = new Map<string, Uint8Array>();
  const partials = memoryPartials((rel, parts) => {
    complete.set(rel, concat(parts));
  });
  return {
    async has(rel) {
      return complete.has(rel);
    },
    async get(rel) {
      return complete.get(rel);
    },
    async partialSize(rel) {
      return partials.partialSize(rel);
    },
    async open(rel, append): Promise<DownloadSink> {
      return partials.open(rel, append);
    },
    async remove(rel) {
      complete.delete(rel);
      partials.discard(rel);
    },
    async sha256(rel) {
      const bytes = complete.get(rel);
      if (!bytes) throw new Error(`${rel} is not in the download store`);
      return sha256Hex(bytes);
    },
    async size(rel) {
      return complete.get(rel)?.byteLength;
    },
  };
}
