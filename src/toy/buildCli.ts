/**
 * `npm run build:models [-- OUT_DIR]`: builds the toy-shapes package (default
 * public/models/toy-shapes/). Deterministic: the same code writes the same bytes.
 */
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { toyPackageFiles, writeToyPackage } from './toyPackage.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = resolve(process.argv[2] ?? resolve(repoRoot, 'public/models/toy-shapes'));
const started = performance.now();
const files = toyPackageFiles();
writeToyPackage(outDir, files);
let total = 0;
for (const [rel, bytes] of files) {
  total += bytes.length;
  console.log(`${String(bytes.length).padStart(9)}  ${rel}`);
}
console.log(`toy-shapes: ${files.size} files, ${(total / 1e6).toFixed(2)} MB → ${outDir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
