/** Node services for the CLI: output files go under --out, local files are read from disk. */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { NodeServices } from '../../nodes/services.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { nodeOutputFs, writeNewFile, writeNumberedFile, type OutputFs } from './outputFiles.ts';

export interface CliServiceOptions {
  /** File operations for output files; tests pass one whose writes fail. */
  outputFs?: OutputFs;
}

/** Nodes give bare names; anything path-like is flattened so nothing escapes DIR. */
const flatName = (name: string, fallback: string) => basename(name).replace(/^\.+/, '') || fallback;

/**
 * Output files never replace earlier ones (see outputFiles.ts): numbered files take the next free
 * counter in DIR, named files get `-2`, `-3`, … when their name is taken.
 */
export function cliServices(outDir: string, runtime?: Runtime, options: CliServiceOptions = {}): NodeServices & { written: string[] } {
  const written: string[] = [];
  const fs = options.outputFs ?? nodeOutputFs;
  return {
    written,
    ...(runtime !== undefined ? { runtime } : {}),
    async writeFile(name, bytes) {
      const path = await writeNewFile(outDir, flatName(name, 'output'), bytes, fs);
      written.push(path);
      return path;
    },
    async writeNumberedFile(prefix, extension, bytes) {
      const bare = basename(extension).replace(/^\.+/, '');
      const path = await writeNumberedFile(outDir, flatName(prefix, 'output'), bare === '' ? '' : `.${bare}`, bytes, fs);
      written.push(path);
      return path;
    },
    async readFile(path) {
      return new Uint8Array(await readFile(resolve(path)));
    },
  };
}
