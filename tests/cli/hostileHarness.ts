/**
 * Runs the real `latentloom` process on one hostile input and records what a user would see:
 * exit code, stdout, stderr, wall time and the peak resident memory of the process tree
 * (polled from /proc, so whatever the launcher spawns is counted too).
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const BIN = join(ROOT, 'bin/latentloom.mjs');

export interface CliOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  peakRssMiB: number;
  timedOut: boolean;
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** `pid` and every process below it (children of children included). */
function processTree(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent pid; the command name (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // The process ended while the table was read.
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child);
  return tree;
}

export function runCliProcess(args: string[], options: { timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliOutcome> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      if (child.pid === undefined) return;
      const total = processTree(child.pid).reduce((sum, pid) => sum + rssKiB(pid), 0);
      peak = Math.max(peak, total);
    }, 50);
    const killer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) for (const pid of processTree(child.pid).reverse()) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(killer);
      done({ code, signal, stdout, stderr, ms: performance.now() - started, peakRssMiB: peak / 1024, timedOut });
    });
  });
}

/** Lines a person reads: no stack frames, nothing absurdly long, no raw control characters. */
export function unreadableLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    // eslint-disable-next-line no-control-regex
    .filter((line) => /^\s+at .+[:(]\d+/.test(line) || line.length > 2_000 || /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(line));
}
