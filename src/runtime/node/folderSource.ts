/** A model package in a local folder (Node). */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, normalize, resolve, sep } from 'node:path';
import { RuntimeError } from '../types.ts';
import type { PackageSource } from '../package.ts';

/** Resolves `rel` inside `root`, refusing paths that climb out of it. */
export function safeJoin(root: string, rel: string): string {
  const clean = normalize(rel).replace(/^([/\\])+/, '');
  const full = resolve(root, clean);
  if (isAbsolute(rel) || (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep))) {
    throw new RuntimeError(`package path ${rel} leaves the package folder ${root}`, 'bad-package', { file: rel });
  }
  return full;
}

export function folderSource(dir: string, id = resolve(dir)): PackageSource {
  const root = resolve(dir);
  return {
    id,
    async readFile(rel) {
      const path = safeJoin(root, rel);
      try {
        return new Uint8Array(await readFile(path));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new RuntimeError(`model package file ${rel} is missing (looked for ${path})`, 'missing-file', { file: rel });
        }
        throw err;
      }
    },
    async exists(rel) {
      try {
        return (await stat(safeJoin(root, rel))).isFile();
      } catch {
        return false;
      }
    },
    async localPath(rel) {
      return safeJoin(root, rel);
    },
    async size(rel) {
      try {
        return (await stat(safeJoin(root, rel))).size;
      } catch {
        return undefined;
      }
    },
  };
}

