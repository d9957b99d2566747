/**
 * Node services for the CLI: output files go under --out; local files are read only from the
 * allowed folders (src/security/paths.ts), since the graph naming them is untrusted.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { NodeServices } from '../../nodes/services.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { defaultCacheRoot } from '../runtime/node/downloadStore.ts';
import { REPO_ROOT } from '../runtime/node/index.ts';
import { fileAccess, type FileAccess } from '../security/fileAccess.ts';
import { pathPolicy } from '../security/paths.ts';

export interface CliFileOptions {
  /** The graph file's folder: relative paths resolve against it, and it is allowed (default: the working folder). */
  graphDir?: string;
  /** Further folders the user allows (`--allow-path`). */
  allowPaths?: readonly string[];
}

/**
 * What a `latentloom run` may read: the graph's folder, the output folder, the built-in model
 * folder, the download cache and the folders the user allowed.
 */
export function cliFileAccess(outDir: string, options: CliFileOptions = {}): FileAccess {
  const graphDir = resolve(options.graphDir ?? process.cwd());
  const roots = [graphDir, resolve(outDir), join(REPO_ROOT, 'public', 'models'), defaultCacheRoot(), ...(options.allowPaths ?? []).map((p) => resolve(p))];
  return fileAccess(pathPolicy(roots), graphDir);
}

export function cliServices(outDir: string, runtime?: Runtime, options: CliFileOptions & { access?: FileAccess } = {}): NodeServices & { written: string[] } {
  const written: string[] = [];
  const taken = new Set<string>();
  const access = options.access ?? cliFileAccess(outDir, options);
  return {
    written,
    ...(runtime !== undefined ? { runtime } : {}),
    async writeFile(name, bytes) {
      // Nodes give a bare file name; anything path-like is flattened so nothing escapes DIR.
      const safe = basename(name).replace(/^\.+/, '') || 'output';
      // Two outputs of one run asking for the same name both survive (shot_00001-2.png).
      let candidate = safe;
      for (let n = 2; taken.has(candidate); n++) candidate = `${basename(safe, extname(safe))}-${n}${extname(safe)}`;
      taken.add(candidate);
      await mkdir(outDir, { recursive: true });
      const path = join(resolve(outDir), candidate);
      await writeFile(path, bytes);
      written.push(path);
      return path;
    },
    async readFile(path, kind) {
      return access.read(path, kind);
    },
  };
}
