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
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BASE = join(ROOT, 'node_modules', '.latentloom');
const SOURCES = ['src', 'nodes', 'package.json', 'bin/cliBundle.mjs'];
/**
 * Folders under SOURCES the CLI never imports (the editor's UI): left out of the stamp, so an edit
 * there neither rebuilds the bundle nor costs the walk at every start. A build that takes a file
 * from one of them fails, naming it (see ensureBundle).
 */
const NOT_IN_BUNDLE = ['src/ui'];
const SKIPPED = new Set(NOT_IN_BUNDLE.map((p) => join(ROOT, p)));
/**
 * Pure-JS packages bundled in rather than left external, so their code is in the code cache:
 * loaded from node_modules, zod's ~100 ES module files alone cost ~80 ms of resolving and
 * compiling at every start, and onnxruntime-node's and onnxruntime-common's ~25 CommonJS files
 * ~10 ms of CPU (its native binding stays a file of its own: ORT_BINDING).
 */
const BUNDLED_PACKAGES = new Set(['zod', 'fflate', 'jpeg-js', 'onnxruntime-node', 'onnxruntime-common']);

/** Every other package (and its subpaths, and what they import) stays external, loaded from node_modules as usual. */
function externalPackagesPlugin() {
  return {
    name: 'external-packages',
    setup(build) {
      // A bare specifier (not relative, not absolute) names a package: `name`, `@scope/name`, plus any subpath.
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        const parts = args.path.split('/');
        const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
        // Native addons are loaded from their package, bundled or not.
        return BUNDLED_PACKAGES.has(name) && !args.path.endsWith('.node') ? undefined : { path: args.path, external: true };
      });
    },
  };
}

/** The bundle's `fflate` is src/build/fflateOnDemand.mjs, which loads the real one when first called. */
const FFLATE_ON_DEMAND = join(ROOT, 'src', 'build', 'fflateOnDemand.mjs');

function fflateOnDemandPlugin() {
  return {
    name: 'fflate-on-demand',
    setup(build) {
      build.onResolve({ filter: /^fflate$/ }, (args) => (args.importer === FFLATE_ON_DEMAND ? undefined : { path: FFLATE_ON_DEMAND }));
    },
  };
}

/**
 * onnxruntime-node loads its addon from a path relative to its own file, built from the platform
 * at run time; bundled, that becomes the package path for this machine (the bundle is built where
 * it runs), resolved from node_modules like any external.
 */
const ORT_BINDING_REQUIRE = 'require(`../bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`)';

function ortBindingPlugin() {
  return {
    name: 'onnxruntime-node-binding',
    setup(build) {
      build.onLoad({ filter: /[\\/]onnxruntime-node[\\/]dist[\\/]binding\.js$/ }, async ({ path }) => {
        const source = readFileSync(path, 'utf8');
        if (!source.includes(ORT_BINDING_REQUIRE)) throw new Error(`${path}: the native binding's require() is not the expected one; update bin/cliBundle.mjs`);
        const binding = `onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`;
        return { contents: source.replace(ORT_BINDING_REQUIRE, `require(${JSON.stringify(binding)})`), loader: 'js' };
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
  if (SKIPPED.has(path)) return 0;
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
  // Build-time modules load only when there is something to build (not at every start).
  const [{ build }, { wasmKernelsEsbuildPlugin }] = await Promise.all([import('esbuild'), import('../src/build/wasmKernels.mjs')]);
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
      // Without comments and indentation the file is a quarter smaller: ~4 ms less CPU to read and
      // load at every start. Names stay, so stack traces still say which function; LATENTLOOM_DEV=1
      // runs the sources for line numbers.
      minifyWhitespace: true,
      logLevel: 'silent',
      absWorkingDir: ROOT,
      metafile: true,
      // import() of a bundled module becomes a deferred init; of a package, require() (every
      // external package has a CommonJS entry): vm.Script code has no ES module loader.
      supported: { 'dynamic-import': false },
      // bin/codeCache.mjs passes these in.
      define: { 'import.meta.url': '__bundleUrl', 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' },
      // The wasm SIMD kernels, compiled from their WAT source into the bundle.
      plugins: [fflateOnDemandPlugin(), externalPackagesPlugin(), ortBindingPlugin(), wasmKernelsEsbuildPlugin()],
    });
    // A warning here (an import.meta property left undefined, say) would be a broken bundle.
    if (result.warnings.length > 0) throw new Error(result.warnings.map((w) => w.text).join('; '));
    const unstamped = Object.keys(result.metafile.inputs).find((input) => NOT_IN_BUNDLE.some((folder) => input.startsWith(`${folder}/`)));
    if (unstamped) throw new Error(`the bundle takes ${unstamped}, whose folder is in NOT_IN_BUNDLE (bin/cliBundle.mjs): an edit there would not rebuild it`);
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
