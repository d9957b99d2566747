/** The Node store of converted models: one `.onnx` file per key under `<cache>/converted/`, written atomically. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convertedFileName, type ConvertedStore } from '../convertedStore.ts';
import { defaultCacheRoot } from './downloadStore.ts';

export function nodeConvertedStore(root = join(defaultCacheRoot(), 'converted')): ConvertedStore {
  return {
    async get(key) {
      try {
        return new Uint8Array(await readFile(join(root, convertedFileName(key))));
      } catch {
        return undefined;
      }
    },
    async put(key, onnx) {
      await mkdir(root, { recursive: true });
      const final = join(root, convertedFileName(key));
      // A reader never sees half a file: write beside it, then rename over.
      const temp = `${final}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(temp, onnx);
        await rename(temp, final);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
  };
}
