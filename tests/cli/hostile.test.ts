/**
 * The hostile corpus (tests/fixtures/hostile/) and the malformed graphs (tests/fixtures/bad-graphs/)
 * through the real `latentloom` process: each ends in a clean refusal, quickly, in bounded memory.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCliProcess, unreadableLines, type CliOutcome } from './hostileHarness.ts';

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

const cases = [...corpusCases(), ...badGraphCases()];
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
