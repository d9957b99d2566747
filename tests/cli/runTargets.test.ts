/**
 * What `latentloom run` runs with no --output: the output nodes, or for a graph without any its
 * leaves, as the editor does (graphs/math-demo.json prints its result).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/latentloom.mjs');

function spawnCli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('latentloom run: default outputs', () => {
  it('graphs/math-demo.json (no output node) prints the value of its leaf', () => {
    const r = spawnCli('run', 'graphs/math-demo.json');
    expect(r.stderr).not.toMatch(/no-outputs/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('finish.result = 48.5');
  });
  it('--json reports the leaf values', () => {
    const r = spawnCli('run', 'graphs/math-demo.json', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; outputs: { node: string; values?: Record<string, unknown> }[] };
    expect(report.ok).toBe(true);
    expect(report.outputs.find((o) => o.node === 'finish')?.values).toEqual({ result: 48.5 });
  });
});
