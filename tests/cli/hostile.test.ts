/**
 * The hostile corpus (tests/fixtures/hostile/) and the malformed graphs (tests/fixtures/bad-graphs/)
 * through the real `latentloom` process: each ends in a clean refusal, quickly, in bounded memory.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, runCliProcess, unreadableLines, type CliOutcome } from './hostileHarness.ts';
import { hugeHeaderPng, idatBombPng, ztxtBombPng } from '../tensor/pngBombs.ts';

interface HostileCase {
  name: string;
  args: string[];
  /** A pattern the refusal (stderr + stdout) must contain. */
  expect: RegExp;
  /** The exit code: 1 (refused), or 0 where the input is cleaned and then runs. */
  code?: number;
}

const HOSTILE = join(ROOT, 'tests/fixtures/hostile');
const BAD = join(ROOT, 'tests/fixtures/bad-graphs');

function corpusCases(): HostileCase[] {
  const manifest = JSON.parse(readFileSync(join(HOSTILE, 'cases.json'), 'utf8')) as Record<string, { command: string; args?: string[]; expect: string }>;
  return Object.entries(manifest).map(([file, c]) => ({ name: `hostile/${file}`, args: [c.command, join(HOSTILE, file), ...(c.args ?? [])], expect: new RegExp(c.expect) }));
}

function badGraphCases(): HostileCase[] {
  const expected = JSON.parse(readFileSync(join(BAD, 'expected.json'), 'utf8')) as Record<string, string[]>;
  // A file whose only findings are warnings (unsafe keys dropped) runs its one const node, and
  // the dropped keys reach neither the value nor any prototype.
  return Object.entries(expected).map(([file, codes]) => {
    const cleaned = codes.includes('unsafe-key') && codes.length === 1;
    return {
      name: `bad-graphs/${file}`,
      args: ['run', join(BAD, file), '--out', join(ROOT, 'tests/artifacts/hostile-out')],
      expect: cleaned ? /^x\.value = 1$/m : new RegExp(codes.map((c) => c.replace(/[-]/g, '\\-')).join('|')),
      ...(cleaned ? { code: 0 } : {}),
    };
  });
}

/** Bomb PNGs (small files, gigabytes once inflated), written here because they are too large to check in. */
function generatedPngCases(): HostileCase[] {
  const dir = join(ROOT, 'tests/artifacts/hostile-png');
  mkdirSync(dir, { recursive: true });
  const write = (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const out = ['--out', join(ROOT, 'tests/artifacts/hostile-out')];
  // image/load of the toy upscale graph, pointed at the file.
  const load = (path: string) => ['run', join(ROOT, 'graphs/toy-upscale.json'), '--output', 'input_image', '--set', `input_image.source=${path}`, '--allow-path', dir, ...out];
  return [
    { name: 'generated/ztxt-bomb.png (graph import)', args: ['run', write('ztxt-bomb.png', ztxtBombPng(4)), ...out], expect: /zTXt chunk "latentloom\.graph" inflates past 32 MiB of text/ },
    { name: 'generated/idat-bomb.png (image/load)', args: load(write('idat-bomb.png', idatBombPng(4))), expect: /image data inflates past the 3146752 bytes its 1024×1024 header declares/ },
    { name: 'generated/huge-header.png (image/load)', args: load(write('huge-header.png', hugeHeaderPng(16384, 16384))), expect: /PNG is 16384×16384 \(256\.0 Mpixel\)/ },
  ];
}

/** The graph path itself is not a file: a FIFO nobody writes to, and a device that never ends. */
function graphPathCases(): HostileCase[] {
  const dir = join(ROOT, 'tests/artifacts/hostile-graph-path');
  mkdirSync(dir, { recursive: true });
  const fifo = join(dir, 'graph.json');
  rmSync(fifo, { force: true });
  const made = spawnSync('mkfifo', [fifo]).status === 0;
  const out = ['--out', join(ROOT, 'tests/artifacts/hostile-out')];
  return [
    ...(made ? [{ name: 'generated/fifo as the graph file', args: ['run', fifo, ...out], expect: /graph\.json is a pipe \(FIFO\), not a regular file/ }] : []),
    { name: 'generated//dev/zero as the graph file', args: ['run', '/dev/zero', ...out], expect: /\/dev\/zero is a device, not a regular file/ },
  ];
}

const cases = [...corpusCases(), ...badGraphCases(), ...generatedPngCases(), ...graphPathCases()];
const outcomes = new Map<string, CliOutcome>();

beforeAll(async () => {
  // Two at a time: the suite runs on two cores.
  const queue = [...cases];
  await Promise.all([0, 1].map(async () => {
    for (let c = queue.shift(); c; c = queue.shift()) outcomes.set(c.name, await runCliProcess(c.args));
  }));
}, 300_000);

describe('hostile inputs through the real CLI', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s is refused cleanly', (_name, c) => {
    const r = outcomes.get(c.name)!;
    const text = `${r.stderr}${r.stdout}`;
    expect(r.timedOut, `${c.name} ran past 20 s`).toBe(false);
    expect(r.code, text).toBe(c.code ?? 1);
    expect(text).not.toMatch(/polluted|isAdmin/);
    expect(text).toMatch(c.expect);
    expect(unreadableLines(text), text).toEqual([]);
    expect(r.peakRssMiB).toBeLessThan(1024);
  });
});
