/**
 * Which local files a graph may make LatentLoom read. A graph file is untrusted: its image
 * sources, model paths and tokenizer folders may only point under the allowed roots (the graph's
 * own folder, the output folder, model folders and the download cache, and folders the user
 * allows with `--allow-path`). Pure path logic: callers resolve symlinks (realpath) first, so a
 * link inside an allowed folder cannot lead out of it. The file I/O lives in ./fileAccess.ts.
 */
import { isAbsolute, relative, resolve } from 'node:path';

export * from './limits.ts';

/** True when `path` is `root` or lies below it (both absolute; no symlink resolution here). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The set of folders reads may come from; `allowedRootOf` answers for a resolved real path. */
export interface PathPolicy {
  readonly roots: readonly string[];
}

export function pathPolicy(roots: readonly string[]): PathPolicy {
  const unique = [...new Set(roots.filter((r) => r !== '').map((r) => resolve(r)))];
  return { roots: unique };
}

export function allowedRootOf(policy: PathPolicy, realPath: string): string | undefined {
  return policy.roots.find((root) => isInside(root, realPath));
}
