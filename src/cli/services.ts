/** Node services for the CLI: output files go under --out, local files are read from disk. */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { NodeServices } from '../../nodes/services.ts';
import type { Runtime } from '../runtime/runtime.ts';

export function cliServices(outDir: string, runtime?: Runtime): NodeServices & { written: string[] } {
  const written: string[] = [];
  const taken = new Set<string>();
  return {
    written,
    ...(runtime !== undefined ? { runtime } : {}),
    async writeFile(name, bytes) {
      // Nodes give a bare file name; anything path-like is flattened so nothing escapes DIR.
      const safe = basename(name).replace(/^\.+/, '') || 'output';
      // Two outputs of one run asking for the same name both survive (shot_00001-2.png).
      let candidate = safe;
      for (let n = 2; taken.has(candidate); n++) candidate = `${basename(safe, extname(safe))}-${n}${extname(safe)}`;
      taken.add(candidate);
      await mkdir(outDir, { recursive: true });
      const path = join(resolve(outDir), candidate);
      await writeFile(path, bytes);
      written.push(path);
      return path;
    },
    async readFile(path) {
      return new Uint8Array(await readFile(resolve(path)));
    },
    async fileStamp(path) {
      const s = await stat(resolve(path));
      return `${s.size}:${s.mtimeMs}`;
    },
  };
}
