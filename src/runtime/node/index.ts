/**
 * Node host wiring: a runtime over onnxruntime-node (default) or onnxruntime-web's wasm build,
 * with built-in packages from <repo>/public/models/, URL packages cached in
 * $LATENTLOOM_CACHE or ~/.cache/latentloom, and local folder paths.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { createRuntime, type Runtime } from '../runtime.ts';
import { urlSource } from '../urlSource.ts';
import type { OnnxBackend } from '../types.ts';
import { folderSource } from './folderSource.ts';
import { nodeDownloadStore } from './downloadStore.ts';
import type { FileAccess } from '../../security/fileAccess.ts';
import { defaultNetworkPolicy, type NetworkPolicy } from '../../security/network.ts';
import { guardedFetch, type LookupAll } from '../../security/nodeFetch.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface NodeRuntimeOptions {
  backend: OnnxBackend;
  /** Folder holding built-in packages (default <repo>/public/models). */
  builtinRoot?: string;
  cacheRoot?: string;
  /**
   * Rules for URL package downloads (default: public hosts only, 30 s connect and stall
   * timeouts). Ignored when `fetch` is given.
   */
  network?: Partial<NetworkPolicy>;
  /** Host-name resolution for the network checks (default dns.lookup). */
  lookup?: LookupAll;
  /** Replaces the guarded fetch entirely (tests that serve packages in-process). */
  fetch?: typeof fetch;
  /**
   * Which local folders `path` packages may come from (relative ones resolve against its base
   * folder); without it any folder is opened, as for a trusted caller.
   */
  access?: FileAccess;
}

export function createNodeRuntime(options: NodeRuntimeOptions): Runtime {
  const builtinRoot = options.builtinRoot ?? join(REPO_ROOT, 'public', 'models');
  const doFetch =
    options.fetch ?? guardedFetch({ policy: defaultNetworkPolicy(options.network), purpose: 'model', ...(options.lookup ? { lookup: options.lookup } : {}) });
  return createRuntime({
    backend: options.backend,
    packages: {
      builtin: (id) => folderSource(join(builtinRoot, id), `builtin:${id}`),
      url: (base, files) => urlSource(base, { store: nodeDownloadStore(base, options.cacheRoot), files, fetch: doFetch }),
      path: (p) => folderSource(p, undefined, options.access),
    },
  });
}

export { folderSource } from './folderSource.ts';
export { nodeDownloadStore, defaultCacheRoot } from './downloadStore.ts';
