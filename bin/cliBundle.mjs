// The CLI as one CommonJS bundle (esbuild, already installed with vite and tsx): built on the
// first run into node_modules/.latentloom/cli-<stamp>/ — the stamp is the newest source change,
// so an edit makes a new bundle and a running process never sees its files replaced — then run
// by bin/latentloom.mjs in the same process through a V8 code cache (bin/codeCache.mjs; Node 20
// caches no ES module compiles, so the bundle is CommonJS). npm packages stay external (loaded
// from node_modules as usual) but for a few pure-JS ES module ones (BUNDLED_PACKAGES). Commands
// are still loaded when chosen: esbuild defers a dynamically imported module's top level until
// the import runs, so `--help` loads no native module.
// The bundle sits three folders below the repository, as src/runtime/node/ does, so paths the
// code derives from its own location (REPO_ROOT) stay right.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasmKernelsEsbuildPlugin } from '../src/build/wasmKernels.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BASE = join(ROOT, 'node_modules', '.latentloom');
const SOURCES = ['src', 'nodes', 'package.json', 'bin/cliBundle.mjs'];
/**
 * Pure-JS ES module packages bundled in rather than left external: loaded from node_modules,
 * zod's ~100 files alone cost ~80 ms of resolving and compiling at every start.
 */
const BUNDLED_PACKAGES = new Set(['zod', 'fflate']);

/** Every other package (and its subpaths, and what they import) stays external, loaded from node_modules as usual. */
function externalPackagesPlugin() {
  return {
    name: 'external-packages',
    setup(build) {
      // A bare specifier (not relative, not absolute) names a package: `name`, `@scope/name`, plus any subpath.
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        const parts = args.path.split('/');
        const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
        return BUNDLED_PACKAGES.has(name) ? undefined : { path: args.path, external: true };
      });
    },
  };
}

/** The bundle's one file. */
const ENTRY = 'main.cjs';

/** Older bundles are removed once this old (a process started from one may still be running). */
const KEEP_OLD_MS = 60 * 60_000;

/** The newest mtime under `path` (files and folders, so a deletion counts too); 0 when it is missing. */
function newestMtime(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st === undefined) return 0;
  let newest = st.mtimeMs;
  if (!st.isDirectory()) return newest;
  // Plain concatenation: path.join's normalising was half of this walk's cost (it runs at every start).
  for (const entry of readdirSync(path)) {
    const mtime = newestMtime(path + sep + entry);
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

export function bundleDir() {
  const stamp = Math.floor(Math.max(...SOURCES.map((p) => newestMtime(join(ROOT, p)))));
  return join(BASE, `cli-${stamp}`);
}

function removeOld(keep) {
  try {
    for (const entry of readdirSync(BASE)) {
      const path = join(BASE, entry);
      if (path === keep) continue;
      if (Date.now() - statSync(path).mtimeMs > KEEP_OLD_MS) rmSync(path, { recursive: true, force: true });
    }
  } catch {
    // best effort
  }
}

/** The bundle's entry for the current sources, built when missing. */
export async function ensureBundle() {
  const dir = bundleDir();
  const entry = join(dir, ENTRY);
  if (existsSync(entry)) return entry;
  const { build } = await import('esbuild');
  mkdirSync(BASE, { recursive: true });
  const tmp = `${dir}.${process.pid}.tmp`;
  try {
    const result = await build({
      entryPoints: { main: join(ROOT, 'src/cli/main.ts') },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: join(tmp, ENTRY),
      logLevel: 'silent',
      // import() of a bundled module becomes a deferred init; of a package, require() (every
      // external package has a CommonJS entry): vm.Script code has no ES module loader.
      supported: { 'dynamic-import': false },
      // bin/codeCache.mjs passes these in.
      define: { 'import.meta.url': '__bundleUrl', 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' },
      // The wasm SIMD kernels, compiled from their WAT source into the bundle.
      plugins: [externalPackagesPlugin(), wasmKernelsEsbuildPlugin()],
    });
    // A warning here (an import.meta property left undefined, say) would be a broken bundle.
    if (result.warnings.length > 0) throw new Error(result.warnings.map((w) => w.text).join('; '));
    try {
      renameSync(tmp, dir);
    } catch (error) {
      // Another process built the same bundle first: use that one.
      if (!existsSync(entry)) throw error;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  removeOld(dir);
  return entry;
}
