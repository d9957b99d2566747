/**
 * Scale-out figures (issue 12): the toy default workflow (64×64, 20 steps) through
 * `serve --queue` on a real redis-server with 1 and 2 `latentloom worker` processes — jobs/s for
 * 24 prompts queued at once — and the added latency of one prompt at a time through the queue
 * (POST → executing null) against the in-process queue. Needs redis-server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure } from './run.ts';
import { createComfyServer } from '../../src/server/serveCommand.ts';
import { ComfyClient } from '../server/comfyClient.ts';
import { RedisServer, hasRedis } from '../fixtures/redisServer.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/latentloom.mjs');
const BATCH = 24;
const SINGLE = 11;

function prompt(seed: number): unknown {
  const p = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/comfy/txt2img-api.json'), 'utf8')) as Record<string, { inputs: Record<string, unknown> }>;
  Object.assign(p['3'].inputs, { seed, steps: 20 });
  return p;
}

function startWorker(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--queue', url], { cwd: ROOT });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      if (out.includes('taking jobs')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function oneAtATime(client: ComfyClient, seed0: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SINGLE; i++) {
    const start = performance.now();
    await client.waitDone(await client.queuePrompt(prompt(seed0 + i)));
    times.push(performance.now() - start);
  }
  return median(times.slice(1));
}

async function batch(client: ComfyClient, seed0: number): Promise<number> {
  const start = performance.now();
  const ids = await Promise.all(Array.from({ length: BATCH }, (_, i) => client.queuePrompt(prompt(seed0 + i))));
  for (const id of ids) await client.waitDone(id, 300_000);
  return BATCH / ((performance.now() - start) / 1000);
}

export async function figures(): Promise<BenchFigure[]> {
  if (!hasRedis()) return [{ name: 'queue figures', value: 0, unit: '', note: 'skipped: redis-server is not installed' }];
  const dir = await mkdtemp(join(tmpdir(), 'latentloom-bench-queue-'));
  const redis = await RedisServer.start();
  const workers: ChildProcess[] = [];
  const figures: BenchFigure[] = [];
  try {
    const local = await createComfyServer({ port: 0, outDir: join(dir, 'local'), inputDir: join(dir, 'in') });
    const localClient = await new ComfyClient(local.url).connect();
    const localMs = await oneAtATime(localClient, 1);
    const localRate = await batch(localClient, 100);
    localClient.close();
    await local.close();

    const queued = await createComfyServer({ port: 0, outDir: join(dir, 'queued'), inputDir: join(dir, 'in'), queueUrl: redis.url });
    const client = await new ComfyClient(queued.url).connect();
    workers.push(await startWorker(redis.url));
    const queuedMs = await oneAtATime(client, 1000);
    const oneWorker = await batch(client, 2000);
    workers.push(await startWorker(redis.url));
    await batch(client, 3000); // warm the second worker
    const twoWorkers = await batch(client, 4000);
    client.close();
    await queued.close();
    figures.push(
      { name: 'in-process queue: one prompt, POST → executing null', value: localMs, unit: 'ms' },
      { name: 'Redis queue + 1 worker: one prompt, POST → executing null', value: queuedMs, unit: 'ms' },
      { name: 'added latency per job (Redis queue − in-process)', value: queuedMs - localMs, unit: 'ms' },
      { name: `in-process queue: ${BATCH} prompts at once`, value: localRate, unit: 'jobs/s' },
      { name: `Redis queue, 1 worker: ${BATCH} prompts at once`, value: oneWorker, unit: 'jobs/s' },
      { name: `Redis queue, 2 workers: ${BATCH} prompts at once`, value: twoWorkers, unit: 'jobs/s' },
    );
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await redis.destroy();
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}
