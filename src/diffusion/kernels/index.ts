/**
 * The kernel backend the schedulers, CFG, add-noise and the preview use: wasm SIMD where the
 * runtime validates the module (every current browser and Node), else the JS kernels. Both give
 * the same bits. LATENTLOOM_KERNELS=js (Node) or setKernelBackend('js') forces the JS ones.
 */
import { kernelBytes } from './kernelBytes.ts';
import type { StepKernels } from './kernelTypes.ts';
import { scalarKernels } from './scalarKernels.ts';
import { createWasmKernels, type KernelExports } from './wasmKernels.ts';

export type { StepKernels, StepOutput, StepOutputWithDerivative } from './kernelTypes.ts';
export { scalarKernels } from './scalarKernels.ts';

export type KernelBackendName = 'wasm' | 'js';

/**
 * The wasm kernels on `bytes`, or null where the runtime cannot run them (no WebAssembly, or a
 * module with SIMD that does not validate).
 */
export function instantiateWasmKernels(bytes: Uint8Array): ReturnType<typeof createWasmKernels> | null {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes as BufferSource)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {});
  return createWasmKernels(instance.exports as unknown as KernelExports, scalarKernels);
}

export const wasmKernels = instantiateWasmKernels(kernelBytes);

function requested(): KernelBackendName | undefined {
  const env = typeof process === 'object' ? process.env?.LATENTLOOM_KERNELS : undefined;
  if (env === undefined || env === '') return undefined;
  if (env !== 'wasm' && env !== 'js') throw new Error(`LATENTLOOM_KERNELS must be "wasm" or "js", got "${env}"`);
  return env;
}

let current: StepKernels = requested() === 'js' || !wasmKernels ? scalarKernels : wasmKernels;

/** The backend in use. */
export function kernels(): StepKernels {
  return current;
}

/** Switch backends (tests, benches); 'wasm' throws where wasm SIMD is not available. */
export function setKernelBackend(name: KernelBackendName): void {
  if (name === 'wasm' && !wasmKernels) throw new Error('wasm SIMD kernels are not available in this runtime');
  current = name === 'wasm' ? (wasmKernels as StepKernels) : scalarKernels;
}
