/**
 * `latentloom serve` as a real process under load: 20 WebSocket clients queue 100 prompts at
 * once; every prompt finishes for the client that queued it, none is lost, every picture is its
 * own file, and the server's memory does not grow with the number of prompts served.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '../comfy/helpers.ts';
import { ComfyClient } from './comfyClient.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/latentloom.mjs');

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function startServe(out: string, input: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--out', out, '--input', input], { cwd: ROOT });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (c) => {
      stdout += c;
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`latentloom serve exited with ${code}: ${stderr}`)));
  });
  return { child, url };
}

describe('latentloom serve under load', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'latentloom-serve-load-'));
  });
  afterAll(async () => {
    child?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('20 clients queueing 100 prompts: all finish, none lost, 100 distinct files, memory flat', async () => {
    const started = await startServe(join(dir, 'output'), join(dir, 'input'));
    child = started.child;
    const clients = await Promise.all(Array.from({ length: 20 }, () => new ComfyClient(started.url).connect()));
    const prompt = (seed: number) => {
      const p = fixture('txt2img-api.json') as Record<string, { inputs: Record<string, unknown> }>;
      Object.assign(p['3'].inputs, { seed, steps: 3 });
      return p;
    };
    const rss: number[] = [];
    try {
      // Warm up: the first prompt loads the model; memory is measured from there on.
      const warm = await clients[0].queuePrompt(prompt(1000));
      await clients[0].waitDone(warm);
      rss.push(rssMiB(child.pid!));
      const ids = await Promise.all(clients.map(async (client, c) => {
        const mine: string[] = [];
        for (let k = 0; k < 5; k++) mine.push(await client.queuePrompt(prompt(c * 5 + k)));
        return mine;
      }));
      expect(new Set(ids.flat()).size).toBe(100);
      let finished = 0;
      await Promise.all(clients.map(async (client, c) => {
        for (const id of ids[c]) {
          const messages = await client.waitDone(id, 240_000);
          expect(messages.some((m) => m.type === 'execution_success')).toBe(true);
          // Execution messages reach only the client that queued the prompt.
          for (const other of clients) if (other !== client) expect(other.messages.some((m) => m.data.prompt_id === id)).toBe(false);
          if (++finished === 20 || finished === 100) rss.push(rssMiB(child!.pid!));
        }
      }));
      const history = await clients[0].get('/history');
      const files = ids.flat().flatMap((id) => (history[id] as { outputs: Record<string, { images: { filename: string }[] }> }).outputs['9'].images.map((i) => i.filename));
      expect(files).toHaveLength(100);
      expect(new Set(files).size).toBe(100);
      const onDisk = (await readdir(join(dir, 'output'))).filter((f) => f.endsWith('.png'));
      expect(onDisk).toHaveLength(101);
      expect(await clients[0].get('/queue')).toEqual({ queue_running: [], queue_pending: [] });
      console.log(`serve RSS: after warm-up ${rss[0].toFixed(0)} MiB, after 20 prompts ${rss[1].toFixed(0)} MiB, after 100 ${rss[2].toFixed(0)} MiB`);
      // Flat: the last 80 prompts add less than 40 MiB (no per-prompt leak of pictures or tensors).
      expect(rss[2] - rss[1]).toBeLessThan(40);
    } finally {
      for (const client of clients) client.close();
    }
  }, 300_000);
});
