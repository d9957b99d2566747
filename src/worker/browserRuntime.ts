/**
 * The ONNX runtime as the browser worker provides it to nodes: onnxruntime-web (WebGPU when the
 * browser has an adapter, wasm otherwise) over the browser host wiring of src/runtime/browser —
 * built-in packages from the app's own `/models/<id>/`, URL packages downloaded into the package
 * cache (OPFS, else the Cache API, else memory), and picked folders as `folder:<name>`.
 */
import { createWebBackend, type WebExecutionProvider } from '../runtime/backends/web.ts';
import { createBrowserRuntime as createHostRuntime, type BrowserRuntime } from '../runtime/browser/index.ts';
import type { PackageCache } from '../runtime/browser/packageCache.ts';
import type { PackageSource } from '../runtime/package.ts';
import { wasmThreadCount, type ThreadSetting } from '../runtime/threads.ts';

export interface BrowserRuntimeOptions {
  executionProvider?: WebExecutionProvider | 'auto';
  /** onnxruntime-web's wasm threads (runtime/threads.ts; default 'auto'). */
  threads?: ThreadSetting;
  /** Base URL of the built-in packages (default: `/models/` of the app). */
  modelsBase?: string;
  /** Where onnxruntime-web's .wasm files are served from, when not beside its module. */
  wasmPaths?: string;
  fetch?: typeof fetch;
  /** The worker's package cache, shared by the runtimes of every backend choice. */
  cache?: PackageCache | Promise<PackageCache>;
  /** Picked folders by name, shared likewise. */
  folders?: Map<string, PackageSource>;
}

export async function createBrowserRuntime(options: BrowserRuntimeOptions = {}): Promise<BrowserRuntime> {
  const backend = await createWebBackend({
    executionProvider: options.executionProvider ?? 'auto',
    numThreads: wasmThreadCount(options.threads ?? 'auto'),
    ...(options.wasmPaths ? { wasmPaths: options.wasmPaths } : {}),
  });
  const location = (globalThis as { location?: { href: string } }).location?.href;
  const modelsBase = options.modelsBase ?? (location ? new URL('/models/', location).href : undefined);
  return createHostRuntime({
    backend,
    ...(modelsBase ? { builtinBase: modelsBase } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
    ...(options.folders ? { folders: options.folders } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
