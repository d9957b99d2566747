/**
 * `serve --queue redis://…` with workers, in process, on a real redis-server: prompts become
 * BullMQ jobs, progress reaches the WebSocket client from the worker, the picture comes back as
 * bytes and is written by the server; history lives in Redis; a poison job fails once.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createComfyServer } from '../../src/server/serveCommand.ts';
import { startJobWorker, type RunningWorker } from '../../src/server/redis/jobWorker.ts';
import { readPicture } from '../toy/analysis.ts';
import { pngImage } from '../toy/graphRunner.ts';
import { fixture } from '../comfy/helpers.ts';
import { RedisServer, redisAvailable } from '../fixtures/redisServer.ts';
import { ComfyClient } from './comfyClient.ts';

type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

function txt2img(changes: Record<string, unknown> = {}): Prompt {
  const prompt = fixture('txt2img-api.json') as Prompt;
  Object.assign(prompt['3'].inputs, changes);
  return prompt;
}

describe.runIf(redisAvailable())('the Redis-backed queue (in process)', () => {
  let redis: RedisServer;
  let dir: string;
  let worker: RunningWorker;
  beforeAll(async () => {
    redis = await RedisServer.start();
    dir = await mkdtemp(join(tmpdir(), 'latentloom-redisq-'));
    worker = await startJobWorker({ url: redis.url, inputDir: join(dir, 'worker-input') });
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await redis?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a prompt on a worker: progress over the WebSocket, the picture written by the server, history in Redis', async () => {
    const server = await createComfyServer({ port: 0, outDir: join(dir, 'out'), inputDir: join(dir, 'in'), queueUrl: redis.url });
    const client = await new ComfyClient(server.url).connect();
    let id: string;
    try {
      id = await client.queuePrompt(txt2img({ steps: 6, seed: 5 }));
      const messages = await client.waitDone(id);
      const types = messages.map((m) => m.type);
      expect(types[0]).toBe('execution_start');
      expect(messages.filter((m) => m.type === 'progress' && m.data.node === '3').map((m) => m.data.value)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(types.slice(-3)).toEqual(['executed', 'execution_success', 'executing']);
      expect(client.binary.length).toBeGreaterThan(0);
      const images = await client.images(id);
      expect(readPicture(pngImage(images['9'][0]).data)).toMatchObject({ colour: 'red', shape: 'circle' });
      expect((await readdir(join(dir, 'out'))).filter((f) => f.endsWith('.png'))).toHaveLength(1);
    } finally {
      client.close();
      await server.close();
    }
    // A new server on the same Redis still knows the prompt.
    const again = await createComfyServer({ port: 0, outDir: join(dir, 'out'), inputDir: join(dir, 'in'), queueUrl: redis.url });
    try {
      const history = (await new ComfyClient(again.url).get(`/history/${id}`))[id] as { status: { status_str: string }; outputs: Record<string, unknown> };
      expect(history.status.status_str).toBe('success');
      expect(Object.keys(history.outputs)).toEqual(['9']);
    } finally {
      await again.close();
    }
  }, 120_000);

  it('a job that fails for a reason of its own fails once, with its error in the history', async () => {
    const server = await createComfyServer({ port: 0, outDir: join(dir, 'out2'), inputDir: join(dir, 'in'), queueUrl: redis.url });
    const client = await new ComfyClient(server.url).connect();
    try {
      // Valid to convert, but the file LoadImage names does not exist on the worker.
      const prompt = fixture('img2img-api.json') as Prompt;
      prompt['2'].inputs.image = 'no-such-picture.png';
      const id = await client.queuePrompt(prompt);
      const messages = await client.waitDone(id);
      const errors = messages.filter((m) => m.type === 'execution_error');
      expect(errors).toHaveLength(1);
      expect(errors[0].data.node_id).toBe('2');
      expect(String(errors[0].data.exception_message)).toMatch(/no-such-picture\.png/);
      expect(messages.filter((m) => m.type === 'execution_start')).toHaveLength(1);
      const history = (await client.get(`/history/${id}`))[id] as { status: { status_str: string } };
      expect(history.status.status_str).toBe('error');
      expect(await client.get('/queue')).toEqual({ queue_running: [], queue_pending: [] });
    } finally {
      client.close();
      await server.close();
    }
  }, 120_000);

  it('answers 503 with a clear message while Redis is down, and carries on when it is back', async () => {
    const server = await createComfyServer({ port: 0, outDir: join(dir, 'out3'), inputDir: join(dir, 'in'), queueUrl: redis.url });
    const client = await new ComfyClient(server.url).connect();
    try {
      await redis.stop();
      await new Promise((r) => setTimeout(r, 300));
      const down = await client.post('/prompt', { prompt: txt2img({ steps: 3, seed: 8 }) });
      expect(down.status).toBe(503);
      expect(String(down.json.error)).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+\/0 is not reachable/);
      expect((await fetch(`${server.url}/queue`)).status).toBe(503);
      expect((await fetch(`${server.url}/object_info/KSampler`)).status).toBe(200);
      await redis.restart();
      const deadline = Date.now() + 20_000;
      while ((await fetch(`${server.url}/queue`)).status !== 200) {
        if (Date.now() > deadline) throw new Error('the server did not reconnect to Redis within 20 s');
        await new Promise((r) => setTimeout(r, 200));
      }
      const id = await client.queuePrompt(txt2img({ steps: 3, seed: 9 }));
      const messages = await client.waitDone(id, 60_000);
      expect(messages.map((m) => m.type)).toContain('execution_success');
    } finally {
      client.close();
      await server.close();
    }
  }, 120_000);
});
