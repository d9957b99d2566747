/**
 * CLI start-up (issue 15, one-process CLI): whole-process wall time of `latentloom --help` and of
 * `latentloom run graphs/toy-txt2img.json`, from the prebuilt bundle (the default) and from the
 * sources through tsx (LATENTLOOM_DEV=1). Medians of 7 after a warm-up (which also builds the
 * bundle when it is stale). Goals: --help ≤ 0.2 s, run ≤ 0.4 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure } from './run.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/latentloom.mjs');

function medianSeconds(args: string[], env: Record<string, string> = {}, repeats = 7): number {
  const once = () => {
    const start = performance.now();
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`latentloom ${args.join(' ')} exited with ${r.status}`);
    return (performance.now() - start) / 1000;
  };
  once();
  const times = Array.from({ length: repeats }, once).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function figures(): Promise<BenchFigure[]> {
  const out = mkdtempSync(join(tmpdir(), 'latentloom-bench-cli-'));
  const run = ['run', join(ROOT, 'graphs/toy-txt2img.json'), '--out', out, '--json'];
  try {
    return [
      { name: 'latentloom --help, bundle', value: medianSeconds(['--help']), unit: 's', limit: { value: 0.2, kind: '≤' } },
      { name: 'latentloom --help, sources via tsx (LATENTLOOM_DEV=1)', value: medianSeconds(['--help'], { LATENTLOOM_DEV: '1' }), unit: 's' },
      { name: 'latentloom run toy-txt2img (whole process), bundle', value: medianSeconds(run), unit: 's', limit: { value: 0.4, kind: '≤' } },
      { name: 'latentloom run toy-txt2img (whole process), sources via tsx', value: medianSeconds(run, { LATENTLOOM_DEV: '1' }, 5), unit: 's' },
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
