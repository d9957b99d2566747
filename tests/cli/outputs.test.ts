/**
 * Output files never overwrite or truncate earlier results: reruns and concurrent CLI processes
 * take the next free counter, and a failed write (disk full) leaves earlier files byte-identical
 * and no partial or temporary file.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { link } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { decodePng } from '../../src/tensor/png.ts';
import { COPY_GRAPH_PIXELS, writeCopyGraph } from '../fixtures/copyGraph.ts';
import { runCli } from '../../src/cli/cli.ts';
import { cliServices } from '../../src/cli/services.ts';
import { nodeOutputFs, type OutputFs } from '../../src/cli/outputFiles.ts';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/latentloom.mjs');

let dir: string;
let graphPath: string;
/** The pixels of the image the graph copies: every output must decode to exactly these. */
const PIXELS = COPY_GRAPH_PIXELS;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'll-outputs-'));
  // image/load → image/save: the cheapest graph that saves a PNG (no model, no ONNX runtime).
  graphPath = writeCopyGraph(dir, 'copy-graph.json');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { print: (l) => (stdout += `${l}\n`), log: (l) => (stderr += `${l}\n`) });
  return { code, stdout, stderr };
}

/** The real command as its own process, without blocking the others. */
function spawnCliAsync(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const isCopyOfInput = (path: string) => {
  const png = decodePng(new Uint8Array(readFileSync(path)));
  expect([png.width, png.height]).toEqual([3, 2]);
  const rgb = [...png.data].filter((_, i) => i % 4 !== 3);
  expect(rgb).toEqual([...PIXELS]);
};
const snapshot = (folder: string) => new Map(readdirSync(folder).map((name) => [name, readFileSync(join(folder, name))]));

describe('numbered output files', () => {
  it('a graph run twice writes _00001 then _00002, keeping the first', async () => {
    const out = join(dir, 'rerun');
    expect((await cli('run', graphPath, '--out', out)).code).toBe(0);
    const first = readFileSync(join(out, 'copy_00001.png'));
    const second = await cli('run', graphPath, '--out', out, '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).outputs).toEqual([{ node: 'save', files: [join(out, 'copy_00002.png')] }]);
    expect(readdirSync(out).sort()).toEqual(['copy_00001.png', 'copy_00002.png']);
    expect(readFileSync(join(out, 'copy_00001.png')).equals(first)).toBe(true);
    isCopyOfInput(join(out, 'copy_00002.png'));
  });

  it('continues after the highest existing number, never refilling gaps or touching other files', async () => {
    const out = join(dir, 'gaps');
    mkdirSync(out);
    writeFileSync(join(out, 'copy_00003.png'), 'three');
    writeFileSync(join(out, 'copy_00041_.png'), 'forty-one, ComfyUI style');
    writeFileSync(join(out, 'copy_2024final.png'), 'not a counter');
    writeFileSync(join(out, 'other_00900.png'), 'another prefix');
    const r = await cli('run', graphPath, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(join(out, 'copy_00042.png'));
    isCopyOfInput(join(out, 'copy_00042.png'));
    expect(readFileSync(join(out, 'copy_00003.png'), 'utf8')).toBe('three');
  });

  it('20 concurrent CLI processes into one folder write 20 distinct, valid PNGs', async () => {
    const out = join(dir, 'concurrent');
    const runs = await Promise.all(Array.from({ length: 20 }, () => spawnCliAsync('run', graphPath, '--out', out, '--json')));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const reported = runs.map((r) => JSON.parse(r.stdout).outputs[0].files[0] as string);
    expect(new Set(reported).size).toBe(20);
    const expected = Array.from({ length: 20 }, (_, i) => `copy_${String(i + 1).padStart(5, '0')}.png`);
    expect(readdirSync(out).sort()).toEqual(expected);
    for (const name of expected) isCopyOfInput(join(out, name));
  }, 120_000);

  it('plain names from writeFile get -2, -3 instead of replacing a file', async () => {
    const out = join(dir, 'named');
    // Two runs (two service instances) asking for the same name: the second must not replace the first.
    const a = await cliServices(out).writeFile!('notes.txt', new TextEncoder().encode('first'));
    const b = await cliServices(out).writeFile!('../notes.txt', new TextEncoder().encode('second'));
    expect([a, b]).toEqual([join(out, 'notes.txt'), join(out, 'notes-2.txt')]);
    expect(readFileSync(a, 'utf8')).toBe('first');
    expect(readFileSync(b, 'utf8')).toBe('second');
  });

  it('without hard links it claims the name exclusively and renames the finished file onto it', async () => {
    const out = join(dir, 'nolinks');
    const noLinks: OutputFs = {
      ...nodeOutputFs,
      link: (async () => {
        throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
      }) as typeof link,
    };
    const services = cliServices(out, undefined, { outputFs: noLinks });
    const paths = await Promise.all(Array.from({ length: 5 }, (_, i) => services.writeNumberedFile!('shot', 'png', new Uint8Array([i]))));
    expect(new Set(paths).size).toBe(5);
    expect(readdirSync(out).sort()).toEqual(['shot_00001.png', 'shot_00002.png', 'shot_00003.png', 'shot_00004.png', 'shot_00005.png']);
    expect(paths.map((p) => readFileSync(p)[0]).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

/** Mounts a 1 MB tmpfs at `at` when this process may (root on Linux); false otherwise. */
function mountTinyTmpfs(at: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', at]).status === 0;
}

/** Fills the file system holding `folder` until a write fails, so the next write fails too. */
function fillDisk(folder: string): void {
  const fd = openSync(join(folder, 'filler.bin'), 'w');
  const block = Buffer.alloc(4096, 7);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    closeSync(fd);
  }
  // Top up the last partial block so not even a few bytes fit.
  const fd2 = openSync(join(folder, 'filler-tail.bin'), 'w');
  try {
    for (;;) writeSync(fd2, Buffer.alloc(1, 7));
  } catch {
    // full
  } finally {
    closeSync(fd2);
  }
}

describe('a failed write', () => {
  it('disk full: earlier files stay byte-identical and no partial or temporary file remains', async () => {
    const out = join(dir, 'full');
    mkdirSync(out);
    const tmpfs = mountTinyTmpfs(out);
    try {
      expect((await spawnCliAsync('run', graphPath, '--out', out)).code).toBe(0);
      let result: { code: number | null; stderr: string };
      if (tmpfs) {
        fillDisk(out);
        const before = snapshot(out);
        result = await spawnCliAsync('run', graphPath, '--out', out);
        expect(snapshot(out)).toEqual(before);
      } else {
        // No tmpfs here (not root): the same failure injected into the output file writes.
        const before = snapshot(out);
        result = await runWithFailingWrites(out);
        expect(snapshot(out)).toEqual(before);
      }
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/ENOSPC|no space/i);
      expect(readdirSync(out).filter((n) => n.startsWith('.') || n.endsWith('.tmp'))).toEqual([]);
      isCopyOfInput(join(out, 'copy_00001.png'));
    } finally {
      if (tmpfs) spawnSync('umount', [out]);
    }
  }, 60_000);

  it('a write that fails halfway leaves no partial file and no temporary file', async () => {
    const out = join(dir, 'halfway');
    expect((await cli('run', graphPath, '--out', out)).code).toBe(0);
    const before = snapshot(out);
    const result = await runWithFailingWrites(out);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ENOSPC');
    expect(snapshot(out)).toEqual(before);
  });
});

/** Runs the copy graph in-process with output writes that store half the bytes, then fail with ENOSPC. */
async function runWithFailingWrites(out: string): Promise<{ code: number; stderr: string }> {
  const { createEngine } = await import('../../src/engine/engine.ts');
  const { defaultRegistry } = await import('../../nodes/index.ts');
  const { loadGraphFile } = await import('../../src/cli/loadFile.ts');
  const failingFs: OutputFs = {
    ...nodeOutputFs,
    open: (async (...args: Parameters<typeof nodeOutputFs.open>) => {
      const handle = await nodeOutputFs.open(...args);
      const realWrite = handle.write.bind(handle) as (b: Uint8Array, o: number, l: number) => Promise<{ bytesWritten: number }>;
      let calls = 0;
      (handle as unknown as { write: unknown }).write = async (bytes: Uint8Array, offset: number, length: number) => {
        if (calls++ === 0) return realWrite(bytes, offset, Math.max(1, Math.floor(length / 2)));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      };
      return handle;
    }) as typeof nodeOutputFs.open,
  };
  const loaded = await loadGraphFile(graphPath);
  if (!loaded.ok) throw new Error('copy graph did not load');
  const result = await createEngine({ registry: defaultRegistry(), services: cliServices(out, undefined, { outputFs: failingFs, graphDir: dirname(graphPath) }) }).run(loaded.graph);
  return { code: result.ok ? 0 : 1, stderr: result.error?.message ?? '' };
}
