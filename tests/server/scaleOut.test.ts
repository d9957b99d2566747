/**
 * Scale-out as processes: `latentloom serve --queue` and `latentloom worker` on a real
 * redis-server. 12 toy prompts; the first worker is SIGKILLed in the middle of a job (another
 * takes the job over), the server is restarted once while jobs are queued and running →
 * 12 right pictures in 12 distinct files, each prompt in the history once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPicture } from '../toy/analysis.ts';
import { pngImage } from '../toy/graphRunner.ts';
import { fixture } from '../comfy/helpers.ts';
import { RedisServer, redisAvailable } from '../fixtures/redisServer.ts';
import { ComfyClient } from './comfyClient.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/latentloom.mjs');
const ENV = { ...process.env, LATENTLOOM_JOB_LOCK_MS: '1500' };

function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: ENV });
  let out = '';
  child.stderr!.on('data', (c) => (out += c));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c) => {
      out += c;
      const m = ready.exec(out);
      if (m) resolve({ child, match: m, output: () => out });
    });
    child.once('exit', (code) => reject(new Error(`latentloom ${args[0]} exited with ${code}: ${out}`)));
  });
}

function stopped(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

describe.runIf(redisAvailable())('serve --queue with worker processes', () => {
  let redis: RedisServer;
  let dir: string;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
    dir = await mkdtemp(join(tmpdir(), 'latentloom-scaleout-'));
  }, 30_000);
  afterAll(async () => {
    await Promise.all(children.map((c) => stopped(c, 'SIGKILL')));
    await redis?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('12 prompts, a worker killed mid-job, the server restarted: 12 right pictures, 12 distinct files', async () => {
    const out = join(dir, 'output');
    const serveArgs = ['serve', '--port', '0', '--out', out, '--input', join(dir, 'input'), '--queue', redis.url];
    const serverA = await start(serveArgs, /listening on (http:\/\/\S+)/);
    children.push(serverA.child);
    const workerArgs = ['worker', '--queue', redis.url, '--input', join(dir, 'input')];
    const doomed = await start(workerArgs, /taking jobs/);
    children.push(doomed.child);

    const client = await new ComfyClient(serverA.match[1]).connect();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const p = fixture('txt2img-api.json') as Record<string, { inputs: Record<string, unknown> }>;
      // The first job samples long enough to be killed in the middle (the toy step is ~1 ms).
      Object.assign(p['3'].inputs, { seed: 500 + i, steps: i === 0 ? 1000 : 40 });
      ids.push(await client.queuePrompt(p));
    }
    // The first job is running on the doomed worker: kill it in the middle of the sampler.
    const first = ids[0];
    const deadline = Date.now() + 60_000;
    while (!client.messages.some((m) => m.type === 'progress' && m.data.prompt_id === first && Number(m.data.value) >= 5)) {
      if (Date.now() > deadline) throw new Error(`no progress for the first prompt: ${doomed.output()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await stopped(doomed.child, 'SIGKILL');
    expect(client.messages.some((m) => m.data.prompt_id === first && m.type === 'execution_success')).toBe(false);
    const workers = await Promise.all([start(workerArgs, /taking jobs/), start(workerArgs, /taking jobs/)]);
    children.push(...workers.map((w) => w.child));

    // Restart the server while jobs are queued or running.
    while (client.messages.filter((m) => m.type === 'execution_success').length < 3) {
      if (Date.now() > deadline + 60_000) throw new Error('the workers did not get going');
      await new Promise((r) => setTimeout(r, 10));
    }
    client.close();
    await stopped(serverA.child, 'SIGTERM');
    const serverB = await start(serveArgs, /listening on (http:\/\/\S+)/);
    children.push(serverB.child);
    const after = new ComfyClient(serverB.match[1]);

    const history: Record<string, { status: { status_str: string; messages: [string][] }; outputs: Record<string, { images: { filename: string }[] }> }> = {};
    const until = Date.now() + 120_000;
    while (Object.keys(history).length < 12) {
      if (Date.now() > until) throw new Error(`only ${Object.keys(history).length} of 12 prompts finished`);
      Object.assign(history, await after.get('/history'));
      await new Promise((r) => setTimeout(r, 100));
    }
    const files: string[] = [];
    for (const id of ids) {
      expect(history[id].status.status_str).toBe('success');
      const images = (await after.images(id))['9'];
      expect(images).toHaveLength(1);
      expect(readPicture(pngImage(images[0]).data)).toMatchObject({ colour: 'red', shape: 'circle' });
      files.push(history[id].outputs['9'].images[0].filename);
    }
    expect(new Set(files).size).toBe(12);
    expect((await readdir(out)).filter((f) => f.endsWith('.png')).sort()).toEqual([...files].sort());
    // The killed worker's job ran again from the start on another worker.
    expect(history[first].status.messages.map((m) => m[0])).toContain('execution_success');
    expect(await after.get('/queue')).toEqual({ queue_running: [], queue_pending: [] });
  }, 240_000);
});
