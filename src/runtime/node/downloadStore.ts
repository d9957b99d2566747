/**
 * Download cache folder for Node: `$LATENTLOOM_CACHE` or `~/.cache/latentloom`, one folder per
 * base URL mirroring the package layout (so onnxruntime finds `model.onnx_data` beside
 * `model.onnx`), with `<file>.part` for interrupted downloads.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DownloadSink, DownloadStore } from '../urlSource.ts';
import { safeJoin } from './folderSource.ts';
import { openRegularFile } from '../../security/fileAccess.ts';
import { kindOfPath } from '../../security/paths.ts';

export function defaultCacheRoot(): string {
  return process.env.LATENTLOOM_CACHE || join(homedir(), '.cache', 'latentloom');
}

/** A readable, collision-free folder name for a base URL. */
export function cacheFolderName(baseUrl: string): string {
  const readable = baseUrl.replace(/^[a-z]+:\/\//i, '').replace(/[^a-zA-Z0-9._-]+/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(baseUrl).digest('hex').slice(0, 12);
  return `${readable}-${hash}`;
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

export function nodeDownloadStore(baseUrl: string, cacheRoot = defaultCacheRoot()): DownloadStore {
  const root = join(cacheRoot, cacheFolderName(baseUrl));
  const pathOf = (rel: string) => safeJoin(root, rel);
  return {
    async has(rel) {
      return (await fileSize(pathOf(rel))) !== undefined;
    },
    async get(rel) {
      try {
        return await openRegularFile(pathOf(rel), kindOfPath(rel));
      } catch {
        return undefined;
      }
    },
    async partialSize(rel) {
      return (await fileSize(`${pathOf(rel)}.part`)) ?? 0;
    },
    async open(rel, append): Promise<DownloadSink> {
      const final = pathOf(rel);
      const part = `${final}.part`;
      await mkdir(dirname(final), { recursive: true });
      const handle = await open(part, append ? 'a' : 'w');
      return {
        async write(chunk) {
          await handle.write(chunk);
        },
        async commit() {
          await handle.close();
          await rename(part, final);
        },
        async close() {
          await handle.close();
        },
      };
    },
    async remove(rel) {
      await rm(pathOf(rel), { force: true });
      await rm(`${pathOf(rel)}.part`, { force: true });
    },
    async sha256(rel) {
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(pathOf(rel))) hash.update(chunk as Buffer);
      return hash.digest('hex');
    },
    async size(rel) {
      return fileSize(pathOf(rel));
    },
    async localPath(rel) {
      return (await fileSize(pathOf(rel))) !== undefined ? pathOf(rel) : undefined;
    },
  };
}
