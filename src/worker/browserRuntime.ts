/**
 * The ONNX runtime as the browser worker provides it to nodes: onnxruntime-web (WebGPU when the
 * browser has an adapter, wasm otherwise), built-in packages fetched from the app's own
 * `/models/<id>/`, URL packages fetched from their base URL.
 */
import { createRuntime, type Runtime } from '../runtime/runtime.ts';
import { urlSource } from '../runtime/urlSource.ts';
import { createWebBackend, type WebExecutionProvider } from '../runtime/backends/web.ts';
import { memoryStore } from './memoryStore.ts';

export interface BrowserRuntimeOptions {
  executionProvider?: WebExecutionProvider | 'auto';
  /** Base URL of the built-in packages (default: `/models/` of the app). */
  modelsBase?: string;
  /** Where onnxruntime-web's .wasm files are served from, when not beside its module. */
  wasmPaths?: string;
  fetch?: typeof fetch;
}

export async function createBrowserRuntime(options: BrowserRuntimeOptions = {}): Promise<Runtime> {
  const backend = await createWebBackend({
    executionProvider: options.executionProvider ?? 'auto',
    ...(options.wasmPaths ? { wasmPaths: options.wasmPaths } : {}),
  });
  const location = (globalThis as { location?: { href: string } }).location?.href;
  const modelsBase = options.modelsBase ?? (location ? new URL('/models/', location).href : undefined);
  const fetchFn = options.fetch;
  return createRuntime({
    backend,
    packages: {
      ...(modelsBase ? { builtin: (id: string) => urlSource(`${modelsBase}${id}/`, { store: memoryStore(), ...(fetchFn ? { fetch: fetchFn } : {}) }) } : {}),
      url: (base, files) => urlSource(base, { store: memoryStore(), ...(files ? { files } : {}), ...(fetchFn ? { fetch: fetchFn } : {}) }),
    },
  });
}
