// Runs the CLI bundle (one CommonJS file) through vm.Script with a V8 code cache beside it, so a
// start deserialises the bytecode of the functions an earlier run of the same command compiled
// instead of parsing and compiling 1.6 MB of JavaScript again (Node 20 has no compile cache for
// ES modules, hence the CommonJS bundle). A missing, stale (other V8 version or flags: V8 rejects
// it) or corrupt (checksum) cache is ignored and written anew when the process exits.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { crc32 } from 'node:zlib';

/** Cache file layout: MAGIC, the payload's CRC-32 (uint32 LE), then V8's cached data. */
const MAGIC = Buffer.from('LLV8');
const HEADER_BYTES = MAGIC.length + 4;

/** V8's cached data from `file`, or undefined when it is missing, truncated or does not match its checksum. */
export function readCodeCache(file) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length <= HEADER_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const payload = bytes.subarray(HEADER_BYTES);
  return bytes.readUInt32LE(MAGIC.length) === crc32(payload) ? payload : undefined;
}

/** Writes `data` as `file` whole or not at all (a temporary file renamed onto it); failures are ignored. */
export function writeCodeCache(file, data) {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header);
  header.writeUInt32LE(crc32(data), MAGIC.length);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([header, data]));
    renameSync(tmp, file);
  } catch {
    // A read-only install runs without a cache.
    rmSync(tmp, { force: true });
  }
}

/**
 * Runs the CommonJS `file` in this process with `cacheFile` as its code cache. `saveCache` writes
 * the cache from what has been compiled by then: called at exit, after the run, it holds the
 * functions the run used and not only the top level. `exports`: what the file exported.
 */
export function runWithCodeCache(path, cacheFile) {
  const file = resolve(path);
  const source = readFileSync(file, 'utf8');
  const cachedData = readCodeCache(cacheFile);
  // The bundle's `import.meta.url` is this parameter (bin/cliBundle.mjs defines it so).
  const wrapper = `(function (exports, require, module, __filename, __dirname, __bundleUrl) {${source}\n})`;
  const script = new vm.Script(wrapper, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), pathToFileURL(file).href);
  return {
    exports: module.exports,
    cacheUsed: cachedData !== undefined && !script.cachedDataRejected,
    saveCache: () => writeCodeCache(cacheFile, script.createCachedData()),
  };
}
