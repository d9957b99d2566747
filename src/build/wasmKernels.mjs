// Build step for the wasm SIMD kernels: src/diffusion/kernels/simdKernels.wat (with the fragments
// it includes) → wasm bytes with wabt (the WebAssembly Binary Toolkit's own wat2wasm, built to
// wasm, npm `wabt`). Plain .mjs so
// the CLI bundler (bin/cliBundle.mjs, plain Node) can use it as well as vite.config.ts and
// vitest.config.ts. Bundles get the bytes inlined at build time (the Vite and esbuild plugins
// below replace kernelBytes.ts); runs straight from the sources (tsx) compile them at load.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KERNEL_WAT = fileURLToPath(new URL('../diffusion/kernels/simdKernels.wat', import.meta.url));
const BYTES_MODULE = /[\\/]src[\\/]diffusion[\\/]kernels[\\/]kernelBytes\.ts$/;

/** Loop bodies per iteration in the built kernels (4 measured best here: fewer loop turns). */
export const UNROLL = 4;

/**
 * The WAT with each loop body between the unroll markers repeated `times` times (the k-th copy
 * addressing `offset=16k`) and each `vector step` constant scaled to match.
 */
export function unrollKernels(text, times = UNROLL) {
  return text
    .replace(/\(;unroll;\)([\s\S]*?)\(;end unroll;\)/g, (_, body) =>
      Array.from({ length: times }, (_, k) => body.replace(/offset=0\b/g, `offset=${16 * k}`)).join(''),
    )
    .replace(/\(i32\.const 16\) \(;vector step;\)/g, `(i32.const ${16 * times})`);
}

const INCLUDE = /\(;include ([\w.-]+\.wat);\)/g;

/** The WAT files `path` consists of: itself and the fragments its `(;include NAME;)` markers name. */
export function kernelSourceFiles(path = KERNEL_WAT) {
  const names = [...readFileSync(path, 'utf8').matchAll(INCLUDE)].map((m) => m[1]);
  return [path, ...names.map((name) => join(dirname(path), name))];
}

/** The WAT text of `path` with each `(;include NAME;)` replaced by that file (same folder). */
export function readKernelSource(path = KERNEL_WAT) {
  return readFileSync(path, 'utf8').replace(INCLUDE, (_, name) => readFileSync(join(dirname(path), name), 'utf8'));
}

/** The kernels' WAT source, unrolled, compiled and validated by wabt (errors name the line). */
export async function compileKernels(path = KERNEL_WAT, times = UNROLL) {
  const wabt = await createRequire(import.meta.url)('wabt')();
  const module = wabt.parseWat(path, unrollKernels(readKernelSource(path), times), { simd: true });
  try {
    module.resolveNames();
    module.validate();
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** JS source of kernelBytes.ts with the compiled bytes inlined (base64). */
export function kernelBytesSource(bytes) {
  const base64 = Buffer.from(bytes).toString('base64');
  return (
    '// Compiled at build time from simdKernels.wat (src/build/wasmKernels.mjs).\n' +
    `export const kernelBytes = Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));\n` +
    'export const kernelBytesInlined = true;\n'
  );
}

/** Vite / Vitest plugin: kernelBytes.ts becomes the compiled bytes (dev server, build, tests). */
export function wasmKernelsVitePlugin() {
  return {
    name: 'latentloom-wasm-kernels',
    enforce: 'pre',
    async transform(_code, id) {
      if (!BYTES_MODULE.test(id.split('?')[0])) return null;
      for (const file of kernelSourceFiles()) this.addWatchFile(file);
      return { code: kernelBytesSource(await compileKernels()), map: null };
    },
  };
}

/** esbuild plugin (the CLI bundle): the same replacement. */
export function wasmKernelsEsbuildPlugin() {
  return {
    name: 'latentloom-wasm-kernels',
    setup(build) {
      build.onLoad({ filter: BYTES_MODULE }, async () => ({
        contents: kernelBytesSource(await compileKernels()),
        loader: 'js',
        watchFiles: kernelSourceFiles(),
      }));
    },
  };
}
