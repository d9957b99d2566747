/**
 * The compiled wasm SIMD kernels (simdKernels.wat). Bundles never run this file: the Vite /
 * Vitest and esbuild plugins of src/build/wasmKernels.mjs replace it at build time with the bytes
 * inlined. Run straight from the sources (tsx: `npm run bench`, LATENTLOOM_DEV=1) it compiles the
 * WAT here, once per process, with the same toolchain.
 */
import { compileKernels } from '../../build/wasmKernels.mjs';

export const kernelBytes: Uint8Array = await compileKernels();

/** True in bundles (the plugins' replacement), false here. */
export const kernelBytesInlined: boolean = false;
