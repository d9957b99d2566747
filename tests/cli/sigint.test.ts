/**
 * Ctrl+C on a real `latentloom run`: the run is cancelled within an iteration, `cancelled` goes
 * to stderr, the exit status is 130, and neither a file nor a process is left behind. Killing
 * the command outright leaves no process that goes on working either.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/latentloom.mjs');
/** toy-txt2img made long: 999 steps over a batch of 64 latents takes seconds, not milliseconds. */
const LONG_RUN = ['run', join(ROOT, 'graphs/toy-txt2img.json'), '--set', 'scheduler.steps=999', '--set', 'noise.batch=64'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'll-sigint-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Pids whose parent is `pid`, and theirs, from /proc (Linux). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the parenthesised command name: state, ppid, …
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

/** A process counts as alive unless it is gone or a zombie (finished, waiting to be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Starts the long run and resolves once its first iteration line is on stderr. */
type Ended = { code: number | null; signal: NodeJS.Signals | null };
/**
 * `exit`: the process itself ended (status and all output read). `exited`: only the process
 * ended; its stdio may still be held open by a leftover child.
 */
function startLongRun(out: string): Promise<{ child: ChildProcessWithoutNullStreams; stderr: () => string; exit: Promise<Ended>; exited: Promise<Ended> }> {
  const child = spawn(process.execPath, [BIN, ...LONG_RUN, '--out', out], { cwd: ROOT });
  let stderr = '';
  const exit = new Promise<Ended>((done) => child.on('close', (code, signal) => done({ code, signal })));
  const exited = new Promise<Ended>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  return new Promise((ready, fail) => {
    child.stderr.on('data', (d) => {
      const before = stderr;
      stderr += d;
      if (!/zone sampler: iteration \d+\//.test(before) && /zone sampler: iteration \d+\//.test(stderr)) ready({ child, stderr: () => stderr, exit, exited });
    });
    child.stdout.resume();
    exit.then(({ code }) => fail(new Error(`run ended (exit ${code}) before its first iteration: ${stderr.slice(-500)}`)));
  });
}

/** Waits until none of `pids` is alive, up to `ms`. */
async function gone(pids: number[], ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.runIf(process.platform === 'linux')('latentloom run under Ctrl+C', () => {
  it('SIGINT after the first iteration: exit 130, "cancelled", no file, no process left', async () => {
    const out = join(dir, 'sigint');
    const run = await startLongRun(out);
    const family = descendants(run.child.pid!);
    const sentAt = Date.now();
    run.child.kill('SIGINT');
    const { code, signal } = await run.exited;
    const tookMs = Date.now() - sentAt;
    await run.exit;
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(run.stderr()).toMatch(/^cancelled$/m);
    expect(run.stderr()).not.toContain('Done in');
    // One iteration of this run is a few milliseconds; the whole run is seconds.
    expect(tookMs).toBeLessThan(2000);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    expect(await gone(family, 2000)).toEqual([]);
  }, 60_000);

  it('SIGTERM cancels the same way with exit 143', async () => {
    const out = join(dir, 'sigterm');
    const run = await startLongRun(out);
    run.child.kill('SIGTERM');
    expect(await run.exit).toEqual({ code: 143, signal: null });
    expect(run.stderr()).toMatch(/^cancelled$/m);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  }, 60_000);

  it('SIGKILL on the command leaves no process behind that keeps working', async () => {
    const out = join(dir, 'sigkill');
    const run = await startLongRun(out);
    const family = descendants(run.child.pid!);
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    expect(await gone(family, 2000)).toEqual([]);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  }, 60_000);
});
