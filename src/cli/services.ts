/**
 * Node services for the CLI: output files go under --out and never replace earlier ones
 * (outputFiles.ts); local files are read only from the allowed folders (src/security/paths.ts),
 * since the graph naming them is untrusted.
 */
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { NodeServices } from '../../nodes/services.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { defaultCacheRoot } from '../runtime/node/downloadStore.ts';
import { REPO_ROOT } from '../runtime/node/index.ts';
import { fileAccess, type FileAccess } from '../security/fileAccess.ts';
import { pathPolicy } from '../security/paths.ts';
import { BUILTIN_UPSCALERS } from '../../nodes/model/upscalerSource.ts';
import { nodeOutputFs, writeNewFile, writeNumberedFile, type OutputFs } from './outputFiles.ts';
import { defaultNetworkPolicy, type NetworkPolicy } from '../security/network.ts';
import { guardedFetch } from '../security/nodeFetch.ts';
import { useNodeZlibForPng } from '../tensor/nodeZlib.ts';

export interface CliFileOptions {
  /** The graph file's folder: relative paths resolve against it, and it is allowed (default: the working folder). */
  graphDir?: string;
  /** Further folders the user allows (`--allow-path`). */
  allowPaths?: readonly string[];
}

export interface CliServiceOptions extends CliFileOptions {
  access?: FileAccess;
  /** File operations for output files; tests pass one whose writes fail. */
  outputFs?: OutputFs;
  /** What graph-named URLs may reach (default: models mode, public hosts only). */
  network?: NetworkPolicy;
}

/**
 * What a `latentloom run` may read: the graph's folder, the output folder, the built-in model
 * folder, the npm packages that hold the built-in upscalers, the download cache and the folders
 * the user allowed.
 */
export function cliFileAccess(outDir: string, options: CliFileOptions = {}): FileAccess {
  const graphDir = resolve(options.graphDir ?? process.cwd());
  const builtinPackages = [...new Set(Object.values(BUILTIN_UPSCALERS).map((m) => join(REPO_ROOT, 'node_modules', m.npm)))];
  const roots = [graphDir, resolve(outDir), join(REPO_ROOT, 'public', 'models'), ...builtinPackages, defaultCacheRoot(), ...(options.allowPaths ?? []).map((p) => resolve(p))];
  return fileAccess(pathPolicy(roots), graphDir);
}

/** Nodes give bare names; anything path-like is flattened so nothing escapes DIR. */
const flatName = (name: string, fallback: string) => basename(name).replace(/^\.+/, '') || fallback;

export function cliServices(outDir: string, runtime?: Runtime, options: CliServiceOptions = {}): NodeServices & { written: string[] } {
  useNodeZlibForPng();
  const written: string[] = [];
  const fs = options.outputFs ?? nodeOutputFs;
  const access = options.access ?? cliFileAccess(outDir, options);
  const network = options.network ?? defaultNetworkPolicy();
  return {
    written,
    ...(runtime !== undefined ? { runtime } : {}),
    async writeFile(name, bytes) {
      const path = await writeNewFile(outDir, flatName(name, 'output'), bytes, fs);
      written.push(path);
      return path;
    },
    async writeNumberedFile(prefix, extension, bytes) {
      const bare = basename(extension).replace(/^\.+/, '');
      const path = await writeNumberedFile(outDir, flatName(prefix, 'output'), bare === '' ? '' : `.${bare}`, bytes, fs);
      written.push(path);
      return path;
    },
    async fetchUrl(url, init = {}) {
      const doFetch = guardedFetch({ policy: network, purpose: init.purpose ?? 'other' });
      return doFetch(url, init.signal ? { signal: init.signal } : {});
    },
    async readFile(path, kind) {
      return access.read(path, kind);
    },
    async fileStamp(path) {
      // A path the policy refuses (or a missing file) gets no stamp: the read itself then fails
      // with the message that names the node and the file.
      try {
        const s = await stat(await access.resolve(path));
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return 'unreadable';
      }
    },
  };
}
