/**
 * CLI start-up (issue 15, one-process CLI): whole-process wall time of `latentloom --help` and of
 * `latentloom run graphs/toy-txt2img.json`, from the prebuilt bundle (the default) and from the
 * sources through tsx (LATENTLOOM_DEV=1). Medians of 7 after a warm-up (which also builds the
 * bundle and its code cache when they are stale), with the fastest run and the median CPU time
 * (user + system, which the busy machine's waiting does not inflate). Goals: --help ≤ 0.2 s,
 * run ≤ 0.4 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure } from './run.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/latentloom.mjs');

interface Timing {
  /** Median wall seconds, spawn to exit. */
  wall: number;
  /** Fastest wall seconds. */
  fastest: number;
  /** Median CPU seconds (the child's own getrusage as it exits: Node's teardown after that is not in it). */
  cpu: number;
}

function timed(dir: string, args: string[], env: Record<string, string> = {}, repeats = 7): Timing {
  // Each child writes its CPU time at exit (--require runs before the launcher, costing well under a millisecond).
  const probe = join(dir, 'cpu-probe.cjs');
  const report = join(dir, 'cpu.txt');
  writeFileSync(probe, `process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeFileSync(${JSON.stringify(report)}, String((u.user + u.system) / 1e6)); });\n`);
  const once = () => {
    const start = performance.now();
    const r = spawnSync(process.execPath, ['--require', probe, BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`latentloom ${args.join(' ')} exited with ${r.status}`);
    return { wall: (performance.now() - start) / 1000, cpu: Number(readFileSync(report, 'utf8')) };
  };
  once();
  const runs = Array.from({ length: repeats }, once);
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { wall: median(runs.map((r) => r.wall)), fastest: Math.min(...runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) };
}

function rows(name: string, t: Timing, limit?: number): BenchFigure[] {
  return [
    { name, value: t.wall, unit: 's', ...(limit !== undefined ? { limit: { value: limit, kind: '≤' as const } } : {}) },
    { name: `${name}: fastest`, value: t.fastest, unit: 's' },
    { name: `${name}: CPU`, value: t.cpu, unit: 's' },
  ];
}

export async function figures(): Promise<BenchFigure[]> {
  const out = mkdtempSync(join(tmpdir(), 'latentloom-bench-cli-'));
  const run = ['run', join(ROOT, 'graphs/toy-txt2img.json'), '--out', out, '--json'];
  try {
    const figures = [
      ...rows('latentloom --help, bundle', timed(out, ['--help']), 0.2),
      ...rows('latentloom --help, sources via tsx (LATENTLOOM_DEV=1)', timed(out, ['--help'], { LATENTLOOM_DEV: '1' })),
      ...rows('latentloom run toy-txt2img (whole process), bundle', timed(out, run), 0.4),
      ...rows('latentloom run toy-txt2img (whole process), sources via tsx', timed(out, run, { LATENTLOOM_DEV: '1' }, 5)),
    ];
    if (process.env.NODE_EXTRA_CA_CERTS) {
      // Node reads and parses that file before any JavaScript runs, at every start (~35 ms of CPU in a container that sets it).
      figures.push(...rows('same, bundle, without NODE_EXTRA_CA_CERTS (as on most machines)', timed(out, run, { NODE_EXTRA_CA_CERTS: '' })));
    }
    return figures;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
