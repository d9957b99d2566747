import { defineConfig } from 'vitest/config';
import { wasmKernelsVitePlugin } from './src/build/wasmKernels.mjs';

export default defineConfig({
  // The wasm SIMD kernels compiled from their WAT source once per run (src/build/wasmKernels.mjs).
  plugins: [wasmKernelsVitePlugin()],
  test: {
    globals: true,
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    pool: 'forks',
  },
});
