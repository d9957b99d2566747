/**
 * Model packages the user hands the browser: a folder picked with the File System Access API
 * (`showDirectoryPicker()` → FileSystemDirectoryHandle) or files dropped / chosen with
 * `<input webkitdirectory>` (File objects with `webkitRelativePath`). Files are read when needed.
 */
import { RuntimeError } from '../types.ts';
import type { PackageSource } from '../package.ts';

function cleanParts(rel: string): string[] {
  const parts = rel.split('/').filter((p) => p && p !== '.');
  if (parts.some((p) => p === '..')) throw new RuntimeError(`package path ${rel} leaves the package folder`, 'bad-package', { file: rel });
  return parts;
}

export function directoryHandleSource(root: FileSystemDirectoryHandle, id = `folder:${root.name}`): PackageSource {
  async function file(rel: string): Promise<File | undefined> {
    const parts = cleanParts(rel);
    try {
      let dir = root;
      for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p);
      return await (await dir.getFileHandle(parts[parts.length - 1])).getFile();
    } catch {
      return undefined;
    }
  }
  return {
    id,
    async readFile(rel) {
      const f = await file(rel);
      if (!f) throw new RuntimeError(`model package file ${rel} is missing from the picked folder ${root.name}`, 'missing-file', { file: rel });
      return new Uint8Array(await f.arrayBuffer());
    },
    async exists(rel) {
      return (await file(rel)) !== undefined;
    },
    async size(rel) {
      return (await file(rel))?.size;
    },
  };
}

/**
 * Dropped files. Paths are taken from `webkitRelativePath` (or the name) with the common top
 * folder removed, so dropping `sd-turbo/` or its contents gives the same package layout.
 */
export function droppedFilesSource(files: readonly File[], id: string): PackageSource {
  const paths = files.map((f) => ((f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name).replace(/\\/g, '/'));
  const firstParts = paths.map((p) => p.split('/')[0]);
  const sharedTop = paths.every((p) => p.includes('/')) && firstParts.every((t) => t === firstParts[0]);
  const byPath = new Map<string, File>();
  files.forEach((f, i) => byPath.set(sharedTop ? paths[i].slice(firstParts[0].length + 1) : paths[i], f));
  const find = (rel: string) => byPath.get(cleanParts(rel).join('/'));
  return {
    id,
    async readFile(rel) {
      const f = find(rel);
      if (!f) throw new RuntimeError(`model package file ${rel} is not among the dropped files`, 'missing-file', { file: rel });
      return new Uint8Array(await f.arrayBuffer());
    },
    async exists(rel) {
      return find(rel) !== undefined;
    },
    async size(rel) {
      return find(rel)?.size;
    },
  };
}
