/**
 * The launcher's bundle and code cache (bin/latentloom.mjs, bin/cliBundle.mjs, bin/codeCache.mjs):
 * a cache is used when it fits, ignored and rewritten when it is missing, corrupt or refused by
 * V8, and `--help` loads no native module.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { USAGE } from '../../src/cli/args.ts';
// @ts-expect-error plain ES module without types
import { ensureBundle } from '../../bin/cliBundle.mjs';
// @ts-expect-error plain ES module without types
import { readCodeCache, runWithCodeCache, writeCodeCache } from '../../bin/codeCache.mjs';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/latentloom.mjs');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'll-launcher-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface CacheRun {
  exports: { file: string; url: string; nine: number };
  cacheUsed: boolean;
  saveCache(): void;
}

/** A small CommonJS file that counts its runs on globalThis and exports what the wrapper passed it. */
function scriptFile(name: string): string {
  const file = join(dir, name);
  writeFileSync(file, `"use strict";\nglobalThis.__launcherRuns = (globalThis.__launcherRuns ?? 0) + 1;\nfunction square(x) { return x * x; }\nmodule.exports = { file: __filename, url: __bundleUrl, nine: square(3) };\n`);
  return file;
}

describe('code cache', () => {
  it('is written by saveCache and used by the next run', () => {
    const file = scriptFile('a.cjs');
    const cache = `${file}.v8cache`;
    const first: CacheRun = runWithCodeCache(file, cache);
    expect(first.cacheUsed).toBe(false);
    expect(first.exports).toEqual({ file, url: pathToFileURL(file).href, nine: 9 });
    first.saveCache();
    expect(readCodeCache(cache)).toBeInstanceOf(Buffer);
    const runs = (globalThis as { __launcherRuns?: number }).__launcherRuns ?? 0;
    const second: CacheRun = runWithCodeCache(file, cache);
    expect(second.cacheUsed).toBe(true);
    expect(second.exports.nine).toBe(9);
    expect((globalThis as { __launcherRuns?: number }).__launcherRuns).toBe(runs + 1);
  });

  it('a truncated, foreign or bit-flipped cache file reads as none', () => {
    const file = scriptFile('b.cjs');
    const cache = `${file}.v8cache`;
    runWithCodeCache(file, cache).saveCache();
    const good = readFileSync(cache);
    expect(readCodeCache(join(dir, 'missing.v8cache'))).toBeUndefined();
    writeFileSync(cache, good.subarray(0, 6));
    expect(readCodeCache(cache)).toBeUndefined();
    writeFileSync(cache, Buffer.concat([Buffer.from('XXXX'), good.subarray(4)]));
    expect(readCodeCache(cache)).toBeUndefined();
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1] ^= 0x40;
    writeFileSync(cache, flipped);
    expect(readCodeCache(cache)).toBeUndefined();
    expect(runWithCodeCache(file, cache).cacheUsed).toBe(false);
  });

  it('a well-formed cache of another script is refused by V8, and the script still runs', () => {
    const file = scriptFile('c.cjs');
    const cache = `${file}.v8cache`;
    writeCodeCache(cache, new vm.Script('globalThis.somethingElse = 1 + 2;').createCachedData());
    expect(readCodeCache(cache)).toBeInstanceOf(Buffer);
    const runs = (globalThis as { __launcherRuns?: number }).__launcherRuns ?? 0;
    const run: CacheRun = runWithCodeCache(file, cache);
    expect(run.cacheUsed).toBe(false);
    expect((globalThis as { __launcherRuns?: number }).__launcherRuns).toBe(runs + 1);
  });
});

describe('the CLI through its bundle', () => {
  let cacheFile: string;
  /** `latentloom validate` on the toy graph with `cacheBytes` as its cache (none: removed first); the cache it leaves. */
  const validateWith = (cacheBytes: Buffer | undefined) => {
    if (cacheBytes) writeFileSync(cacheFile, cacheBytes);
    else rmSync(cacheFile, { force: true });
    const r = spawnSync(process.execPath, [BIN, 'validate', join(ROOT, 'graphs/toy-txt2img.json'), '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    return { code: r.status, stdout: r.stdout, cache: readCodeCache(cacheFile) as Buffer | undefined };
  };

  beforeAll(async () => {
    cacheFile = `${await ensureBundle()}.validate.v8cache`;
  });

  it('writes a cache when there is none, and runs the same with it', () => {
    const fresh = validateWith(undefined);
    expect(fresh.code).toBe(0);
    expect(JSON.parse(fresh.stdout).ok).toBe(true);
    expect(fresh.cache).toBeInstanceOf(Buffer);
    const cached = validateWith(fresh.cache);
    expect(cached.code).toBe(0);
    expect(cached.stdout).toBe(fresh.stdout);
  });

  it('runs through a corrupt cache and replaces it', () => {
    expect(validateWith(undefined).cache).toBeInstanceOf(Buffer);
    const corrupt = Buffer.from(readFileSync(cacheFile));
    corrupt[corrupt.length >> 1] ^= 0xff;
    const r = validateWith(corrupt);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).ok).toBe(true);
    // Rewritten at exit: whole and matching its checksum again.
    expect(r.cache).toBeInstanceOf(Buffer);
  });

  it('exits once all its output is out: the whole usage through a pipe, exit codes kept', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(`${USAGE}\n`);
    const bare = spawnSync(process.execPath, [BIN], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(bare.status).toBe(2);
    const missing = spawnSync(process.execPath, [BIN, 'validate', join(dir, 'missing.json')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(missing.status).toBe(1);
    expect(missing.stdout + missing.stderr).toContain('missing.json');
  });

  it('--help loads no native module', () => {
    const probe = join(dir, 'dlopen-probe.cjs');
    writeFileSync(probe, `const seen = []; const dlopen = process.dlopen;
process.dlopen = function (module, file, ...rest) { seen.push(file); return dlopen.call(this, module, file, ...rest); };
process.on('exit', () => process.stderr.write('dlopen: ' + JSON.stringify(seen) + '\\n'));\n`);
    const help = spawnSync(process.execPath, ['--require', probe, BIN, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('latentloom run');
    expect(help.stderr.trim()).toBe('dlopen: []');
    // The probe sees native modules where there are some.
    const run = spawnSync(process.execPath, ['--require', probe, BIN, 'run', join(ROOT, 'graphs/toy-txt2img.json'), '--out', dir, '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/dlopen: \[".*onnxruntime_binding\.node"\]/);
  });
});
