/**
 * How many threads onnxruntime-web's wasm backend runs. Measured: on 2 cores one thread was
 * faster for the toy UNet (the page, the worker's JS and ORT's threads share the cores), while real
 * UNets gain from threads where there are cores to spare. So `auto` takes one thread on up to 2
 * cores and all cores but one (at most 4) beyond; a number is taken as it is. Without cross-origin
 * isolation there is no SharedArrayBuffer and onnxruntime-web runs one thread whatever is asked.
 */

export type ThreadSetting = 'auto' | number;

/** The settings offered in the editor. */
export const THREAD_CHOICES: readonly ThreadSetting[] = ['auto', 1, 2, 4, 8];

export const MAX_WASM_THREADS = 16;

export interface ThreadEnvironment {
  hardwareConcurrency?: number;
  crossOriginIsolated?: boolean;
}

function currentEnvironment(): ThreadEnvironment {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; crossOriginIsolated?: boolean };
  return { hardwareConcurrency: g.navigator?.hardwareConcurrency, crossOriginIsolated: g.crossOriginIsolated };
}

/** Reads a stored setting ('auto' or a thread count); anything else is 'auto'. */
export function parseThreadSetting(text: string | null | undefined): ThreadSetting {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= MAX_WASM_THREADS ? n : 'auto';
}

export function wasmThreadCount(setting: ThreadSetting = 'auto', env: ThreadEnvironment = currentEnvironment()): number {
  if (setting !== 'auto' && !(Number.isInteger(setting) && setting >= 1 && setting <= MAX_WASM_THREADS)) {
    throw new Error(`The wasm thread count must be "auto" or a whole number from 1 to ${MAX_WASM_THREADS}, got ${String(setting)}`);
  }
  if (env.crossOriginIsolated === false) return 1;
  if (setting !== 'auto') return setting;
  const cores = env.hardwareConcurrency ?? 1;
  return cores <= 2 ? 1 : Math.min(4, cores - 1);
}
