/**
 * A DownloadStore in the browser's Origin Private File System: one folder per base URL mirroring
 * the package layout, `<file>.part` for interrupted downloads (so a resume survives a reload).
 * Browser-only (navigator.storage.getDirectory); Node uses src/runtime/node/downloadStore.ts.
 */
import { sha256Hex } from '../memoryStore.ts';
import type { DownloadSink, DownloadStore } from '../urlSource.ts';

/** Name of the file in each package folder that records its base URL (for listing the cache). */
export const OPFS_SOURCE_MARKER = '.latentloom-source';
export const OPFS_ROOT = 'latentloom-models';

/** FNV-1a, so URLs that read the same once sanitised still get different folders. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

export function opfsFolderName(baseUrl: string): string {
  const readable = baseUrl.replace(/^[a-z]+:\/\//i, '').replace(/[^a-zA-Z0-9._-]+/g, '_').slice(0, 100);
  return `${readable}-${shortHash(baseUrl)}`;
}

async function dirFor(root: FileSystemDirectoryHandle, rel: string, create: boolean): Promise<[FileSystemDirectoryHandle, string] | undefined> {
  const parts = rel.split('/').filter((p) => p && p !== '.');
  if (parts.some((p) => p === '..')) throw new Error(`package path ${rel} leaves the package folder`);
  let dir = root;
  try {
    for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create });
  } catch {
    return undefined;
  }
  return [dir, parts[parts.length - 1]];
}

async function fileOf(root: FileSystemDirectoryHandle, rel: string): Promise<File | undefined> {
  const found = await dirFor(root, rel, false);
  if (!found) return undefined;
  try {
    return await (await found[0].getFileHandle(found[1])).getFile();
  } catch {
    return undefined;
  }
}

export async function opfsDownloadStore(baseUrl: string, rootName = OPFS_ROOT): Promise<DownloadStore> {
  const top = await (await navigator.storage.getDirectory()).getDirectoryHandle(rootName, { create: true });
  const root = await top.getDirectoryHandle(opfsFolderName(baseUrl), { create: true });
  // The folder name is not reversible: record the base URL so the cache can be listed.
  const markerHandle = await root.getFileHandle(OPFS_SOURCE_MARKER, { create: true });
  if ((await markerHandle.getFile()).size === 0) {
    const marker = await markerHandle.createWritable();
    await marker.write(baseUrl);
    await marker.close();
  }
  return {
    async has(rel) {
      return (await fileOf(root, rel)) !== undefined;
    },
    async get(rel) {
      const f = await fileOf(root, rel);
      return f ? new Uint8Array(await f.arrayBuffer()) : undefined;
    },
    async partialSize(rel) {
      return (await fileOf(root, `${rel}.part`))?.size ?? 0;
    },
    async open(rel, append): Promise<DownloadSink> {
      const [dir, name] = (await dirFor(root, rel, true))!;
      const handle = await dir.getFileHandle(`${name}.part`, { create: true });
      const writable = await handle.createWritable({ keepExistingData: append });
      if (append) await writable.seek((await handle.getFile()).size);
      return {
        async write(chunk) {
          await writable.write(chunk as Uint8Array<ArrayBuffer>);
        },
        async commit() {
          await writable.close();
          // OPFS has no rename everywhere; copy the finished part into place, then drop it.
          const done = await dir.getFileHandle(name, { create: true });
          const out = await done.createWritable();
          await out.write(await handle.getFile());
          await out.close();
          await dir.removeEntry(`${name}.part`);
        },
        async close() {
          await writable.close();
        },
      };
    },
    async remove(rel) {
      const found = await dirFor(root, rel, false);
      if (!found) return;
      for (const n of [found[1], `${found[1]}.part`]) await found[0].removeEntry(n).catch(() => undefined);
    },
    async sha256(rel) {
      const f = await fileOf(root, rel);
      if (!f) throw new Error(`${rel} is not in the download cache`);
      return sha256Hex(new Uint8Array(await f.arrayBuffer()));
    },
    async size(rel) {
      return (await fileOf(root, rel))?.size;
    },
  };
}
