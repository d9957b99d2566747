/**
 * A model package in a local folder (Node). Every file is read through its real path, which must
 * stay inside the package's real folder (a symlink in the package cannot lead out of it), and
 * only if it is a regular file within the size cap of its kind. With a `FileAccess` the folder
 * itself must also lie under the allowed roots (graph files are untrusted).
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, normalize, resolve, sep } from 'node:path';
import { RuntimeError } from '../types.ts';
import type { PackageSource } from '../package.ts';
import type { FileAccess } from '../../security/fileAccess.ts';
import { openRegularFile, realPathInPackage } from '../../security/fileAccess.ts';
import { FileAccessError, kindOfPath } from '../../security/paths.ts';

/** Resolves `rel` inside `root`, refusing paths that climb out of it. */
export function safeJoin(root: string, rel: string): string {
  const clean = normalize(rel).replace(/^([/\\])+/, '');
  const full = resolve(root, clean);
  if (isAbsolute(rel) || (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep))) {
    throw new RuntimeError(`package path ${rel} leaves the package folder ${root}`, 'bad-package', { file: rel });
  }
  return full;
}

function asRuntimeError(err: unknown, rel: string): unknown {
  if (!(err instanceof FileAccessError)) return err;
  return new RuntimeError(err.message, err.reason === 'missing' ? 'missing-file' : 'bad-package', { file: rel });
}

export function folderSource(dir: string, id?: string, access?: FileAccess): PackageSource {
  const root = resolve(access?.baseDir ?? process.cwd(), dir);
  let realRoot: Promise<string> | undefined;
  /** The package folder's real path, checked against the allowed roots when there are any. */
  const folder = () =>
    (realRoot ??= (async () => {
      try {
        return access ? await access.resolve(root) : await realPathInPackage('/', root, root);
      } catch (err) {
        // A folder that does not exist holds no files: its reads fail as "missing" one by one.
        if (err instanceof FileAccessError && err.reason === 'missing') return root;
        throw asRuntimeError(err, '');
      }
    })());
  folder().catch(() => {}); // checked on first use; an unused package is no error
  /** The real path of `rel`, inside the package's real folder. */
  async function realOf(rel: string): Promise<string> {
    const inside = safeJoin(root, rel);
    const base = await folder();
    try {
      return await realPathInPackage(base, safeJoin(base, rel), inside);
    } catch (err) {
      if (err instanceof FileAccessError && err.reason === 'missing') {
        throw new RuntimeError(`model package file ${rel} is missing (looked for ${inside})`, 'missing-file', { file: rel });
      }
      throw asRuntimeError(err, rel);
    }
  }
  return {
    id: id ?? root,
    async readFile(rel) {
      const real = await realOf(rel);
      try {
        return (await openRegularFile(real, kindOfPath(rel), safeJoin(root, rel)))!;
      } catch (err) {
        throw asRuntimeError(err, rel);
      }
    },
    async exists(rel) {
      const base = await folder(); // a folder outside the allowed roots is refused, not "missing"
      try {
        return (await stat(safeJoin(base, rel))).isFile();
      } catch {
        return false;
      }
    },
    async localPath(rel) {
      // onnxruntime opens this path itself: hand it the checked real path of a regular file.
      const real = await realOf(rel);
      try {
        await openRegularFile(real, 'model', safeJoin(root, rel), false);
      } catch (err) {
        throw asRuntimeError(err, rel);
      }
      return real;
    },
    async size(rel) {
      try {
        return (await stat(safeJoin(await folder(), rel))).size;
      } catch {
        return undefined;
      }
    },
  };
}
