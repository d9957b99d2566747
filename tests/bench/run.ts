/**
 * `npm run bench`: runs every tests/bench/*.bench.ts and prints its figures.
 *
 * A bench file either exports `figures(): BenchFigure[] | Promise<BenchFigure[]>` (printed here
 * as a table), or runs itself when it is the entry script (then it is run as `tsx <file>` and its
 * output is passed through). Pass file name fragments to run only some: `npm run bench -- engine`.
 * The figures that carry a `limit` are repeated at the end in one table, as value ÷ limit
 * (limits.ts): `npm run bench -- engine runtime cli scheduler browser-toy` takes all of them.
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { limitTable, type Limit, type LimitRow } from './limits.ts';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  note?: string;
  /** The limit this figure is held to: it then appears in the closing value ÷ limit table. */
  limit?: Limit;
}

export type FiguresFn = () => BenchFigure[] | Promise<BenchFigure[]>;

/** Median of `repeats` timings of `fn` (ms), after one warm-up call. */
export async function medianMs(fn: () => unknown, repeats = 7): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * Median wall time and median CPU time (user + system of this process) of `fn`, in ms. On a busy
 * machine the CPU time shows the work itself when the wall time also shows the waiting.
 */
export async function medianWallAndCpuMs(fn: () => unknown, repeats = 15): Promise<{ wall: number; cpu: number }> {
  await fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    await fn();
    walls.push(performance.now() - start);
    const cpu = process.cpuUsage(cpu0);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { wall: median(walls), cpu: median(cpus) };
}

function formatValue(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

async function main(filters: string[]): Promise<number> {
  const dir = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((q) => f.includes(q)))
    .sort();
  const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
  let failures = 0;
  const limited: LimitRow[] = [];
  for (const file of files) {
    console.log(`\n## ${file}`);
    try {
      const mod = (await import(pathToFileURL(join(dir, file)).href)) as { figures?: FiguresFn };
      if (typeof mod.figures === 'function') {
        for (const f of await mod.figures()) {
          console.log(`${f.name.padEnd(56)} ${formatValue(f.value).padStart(10)} ${f.unit}${f.note ? `   (${f.note})` : ''}`);
          if (f.limit) limited.push({ name: f.name, value: f.value, unit: f.unit, limit: f.limit });
        }
      } else {
        const r = spawnSync(process.execPath, [tsxCli, join(dir, file)], { stdio: 'inherit' });
        if (r.status !== 0) failures++;
      }
    } catch (error) {
      failures++;
      console.log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (limited.length > 0) console.log(`\n## Limits: each figure ÷ its limit\n\n${limitTable(limited)}`);
  return failures === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
