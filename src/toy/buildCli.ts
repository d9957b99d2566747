/**
 * `npm run build:models [-- OUT_ROOT]`: builds the toy-shapes packages into OUT_ROOT/<id>/
 * (default public/models/). Deterministic: the same code writes the same bytes.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { toyPackages, writeToyPackages } from './toyPackage.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outRoot = resolve(process.argv[2] ?? join(repoRoot, 'public/models'));
const started = performance.now();
const packages = toyPackages();
// Start each package folder afresh so files the builder no longer makes do not linger.
for (const id of packages.keys()) rmSync(join(outRoot, id), { recursive: true, force: true });
writeToyPackages(outRoot, packages);
let total = 0;
for (const [id, files] of packages) {
  let size = 0;
  for (const bytes of files.values()) size += bytes.length;
  total += size;
  console.log(`${id.padEnd(20)} ${String(files.size).padStart(3)} files ${(size / 1e6).toFixed(2).padStart(6)} MB`);
}
console.log(`toy-shapes family: ${(total / 1e6).toFixed(2)} MB → ${outRoot} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
