/**
 * The ComfyUI-compatible server, in process, through real HTTP and WebSocket clients: a prompt
 * queued the way ComfyUI's websockets_api_example.py does it runs on the toy model, reports
 * progress under the prompt's node ids, and its picture comes back through /history and /view.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createComfyServer } from '../../src/server/serveCommand.ts';
import { readPicture } from '../toy/analysis.ts';
import { pngImage } from '../toy/graphRunner.ts';
import { fixture } from '../comfy/helpers.ts';
import { ComfyClient } from './comfyClient.ts';

type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

let dir: string;
let server: Awaited<ReturnType<typeof createComfyServer>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latentloom-serve-'));
  server = await createComfyServer({ port: 0, outDir: join(dir, 'output'), inputDir: join(dir, 'input') });
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function txt2img(changes: Record<string, unknown> = {}): Prompt {
  const prompt = fixture('txt2img-api.json') as Prompt;
  Object.assign(prompt['3'].inputs, changes);
  return prompt;
}

describe('latentloom serve, driven like websockets_api_example.py', () => {
  it('queues, reports progress per step under the prompt ids, finishes with executing null, and serves the picture', async () => {
    const client = await new ComfyClient(server.url).connect();
    try {
      const id = await client.queuePrompt(txt2img({ steps: 8, seed: 7 }));
      const messages = await client.waitDone(id);
      const types = messages.map((m) => m.type);
      expect(types[0]).toBe('execution_start');
      expect(types.indexOf('execution_success')).toBeLessThan(types.lastIndexOf('executing'));
      const executing = messages.filter((m) => m.type === 'executing' && m.data.node !== null).map((m) => m.data.node);
      // The prompt's own node ids, each once, the sampler among them.
      expect(new Set(executing)).toEqual(new Set(['3', '4', '5', '6', '7', '8', '9'].filter((n) => executing.includes(n))));
      expect(executing).toContain('3');
      expect(executing).toContain('9');
      // One progress per sampler step on the KSampler (other nodes may report their own progress).
      const progress = messages.filter((m) => m.type === 'progress' && m.data.node === '3');
      expect(progress.map((m) => m.data.value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(progress.every((m) => m.data.max === 8)).toBe(true);
      const executed = messages.find((m) => m.type === 'executed')!;
      expect(executed.data.node).toBe('9');
      // Latent previews: ComfyUI's binary frames (u32 type 1, u32 format 2 = PNG, PNG bytes).
      expect(client.binary.length).toBeGreaterThan(0);
      const frame = new DataView(client.binary[0].buffer, client.binary[0].byteOffset);
      expect([frame.getUint32(0), frame.getUint32(4)]).toEqual([1, 2]);
      expect(pngImage(client.binary[0].subarray(8)).width).toBeGreaterThan(0);

      const images = await client.images(id);
      expect(Object.keys(images)).toEqual(['9']);
      const picture = pngImage(images['9'][0]);
      expect([picture.width, picture.height]).toEqual([64, 64]);
      expect(readPicture(picture.data)).toMatchObject({ colour: 'red', shape: 'circle' });
      const history = (await client.get(`/history/${id}`))[id] as { status: { status_str: string; completed: boolean }; prompt: unknown[] };
      expect(history.status).toMatchObject({ status_str: 'success', completed: true });
      expect(history.prompt[4]).toEqual(['9']);
    } finally {
      client.close();
    }
  }, 120_000);

  it('an unchanged prompt re-runs nothing, still reports its outputs, and writes no new file', async () => {
    const client = await new ComfyClient(server.url).connect();
    try {
      const prompt = txt2img({ steps: 6, seed: 11 });
      const first = await client.queuePrompt(prompt);
      await client.waitDone(first);
      const filesBefore = (await readdir(join(dir, 'output'))).length;
      const second = await client.queuePrompt(prompt);
      const messages = await client.waitDone(second);
      const cached = messages.find((m) => m.type === 'execution_cached')!;
      expect(new Set(cached.data.nodes as string[])).toEqual(new Set(['3', '4', '5', '6', '7', '8', '9']));
      expect(messages.some((m) => m.type === 'progress')).toBe(false);
      const history = await client.get('/history');
      const outputsOf = (id: string) => (history[id] as { outputs: unknown }).outputs;
      expect(outputsOf(second)).toEqual(outputsOf(first));
      expect((await readdir(join(dir, 'output'))).length).toBe(filesBefore);
    } finally {
      client.close();
    }
  }, 120_000);

  it('answers an invalid prompt with 400 and node_errors under the prompt ids', async () => {
    const client = new ComfyClient(server.url);
    const unknown = txt2img();
    (unknown as Record<string, unknown>)['12'] = { class_type: 'FancyUpscaler', inputs: { image: ['8', 0] } };
    const res = await client.post('/prompt', { prompt: unknown });
    expect(res.status).toBe(400);
    const nodeErrors = res.json.node_errors as Record<string, { class_type: string; errors: { message: string }[] }>;
    expect(nodeErrors['12'].class_type).toBe('FancyUpscaler');
    expect(nodeErrors['12'].errors[0].message).toContain('FancyUpscaler');
    expect((res.json.error as { type: string }).type).toBe('prompt_outputs_failed_validation');

    const badSampler = await client.post('/prompt', { prompt: txt2img({ sampler_name: 'uni_pc_bh2' }) });
    expect(badSampler.status).toBe(400);
    expect(Object.keys(badSampler.json.node_errors as object)).toEqual(['3']);

    const noOutputs = txt2img();
    delete (noOutputs as Record<string, unknown>)['9'];
    const none = await client.post('/prompt', { prompt: noOutputs });
    expect(none.status).toBe(400);
    expect((none.json.error as { type: string }).type).toBe('prompt_no_outputs');

    const notJson = await fetch(`${server.url}/prompt`, { method: 'POST', body: '{"prompt": ' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/not JSON/);
    const tooBig = await fetch(`${server.url}/prompt`, { method: 'POST', body: 'x'.repeat(17 * 1024 * 1024) });
    expect(tooBig.status).toBe(413);
  });

  it('interrupts a running prompt, records it, and goes on with the next one', async () => {
    const client = await new ComfyClient(server.url).connect();
    try {
      const long = await client.queuePrompt(txt2img({ steps: 400, seed: 3 }));
      const next = await client.queuePrompt(txt2img({ steps: 4, seed: 4 }));
      await client.waitFor(long, 'progress');
      const queue = await client.get('/queue');
      expect((queue.queue_running as unknown[][])[0][1]).toBe(long);
      expect((queue.queue_pending as unknown[][]).map((q) => q[1])).toEqual([next]);
      expect((await client.post('/interrupt', {})).status).toBe(200);
      const messages = await client.waitDone(long);
      const interrupted = messages.find((m) => m.type === 'execution_interrupted')!;
      expect(interrupted.data.node_id).toBe('3');
      expect(messages.filter((m) => m.type === 'progress').length).toBeLessThan(400);
      const history = (await client.get(`/history/${long}`))[long] as { status: { status_str: string; completed: boolean } };
      expect(history.status).toMatchObject({ status_str: 'error', completed: false });
      await client.waitDone(next);
      expect(((await client.get(`/history/${next}`))[next] as { status: { status_str: string } }).status.status_str).toBe('success');
    } finally {
      client.close();
    }
  }, 120_000);

  it('deletes and clears pending prompts with POST /queue', async () => {
    const client = await new ComfyClient(server.url).connect();
    try {
      const running = await client.queuePrompt(txt2img({ steps: 300, seed: 21 }));
      const a = await client.queuePrompt(txt2img({ steps: 2, seed: 22 }));
      const b = await client.queuePrompt(txt2img({ steps: 2, seed: 23 }));
      const c = await client.queuePrompt(txt2img({ steps: 2, seed: 24 }));
      await client.post('/queue', { delete: [b] });
      expect(((await client.get('/queue')).queue_pending as unknown[][]).map((q) => q[1])).toEqual([a, c]);
      await client.post('/queue', { clear: true });
      expect((await client.get('/queue')).queue_pending).toEqual([]);
      await client.post('/interrupt', { prompt_id: running });
      await client.waitDone(running);
      expect(await client.get(`/history/${a}`)).toEqual({});
    } finally {
      client.close();
    }
  }, 120_000);

  it('runs a LatentLoom graph posted as the prompt', async () => {
    const client = await new ComfyClient(server.url).connect();
    try {
      const graph = fixture('../../../graphs/toy-txt2img.json');
      const id = await client.queuePrompt(graph);
      const messages = await client.waitDone(id);
      expect(messages.some((m) => m.type === 'execution_success')).toBe(true);
      const images = Object.values(await client.images(id)).flat();
      expect(images.length).toBeGreaterThan(0);
      expect(readPicture(pngImage(images[0]).data).colour).toBe('red');
    } finally {
      client.close();
    }
  }, 120_000);

  it('describes its classes in /object_info and itself in /system_stats', async () => {
    const client = new ComfyClient(server.url);
    const info = await client.get('/object_info');
    const ksampler = info.KSampler as { input: { required: Record<string, unknown[]> }; output: string[] };
    expect(ksampler.input.required.sampler_name[0]).toEqual(expect.arrayContaining(['euler', 'dpmpp_2m']));
    expect(ksampler.input.required.scheduler[0]).toEqual(expect.arrayContaining(['karras', 'normal']));
    expect(ksampler.output).toEqual(['LATENT']);
    expect((info.CheckpointLoaderSimple as { input: { required: { ckpt_name: unknown[] } } }).input.required.ckpt_name[0]).toContain('toy-shapes.safetensors');
    expect(info['sampling/step']).toBeDefined();
    expect(Object.keys(await client.get('/object_info/SaveImage'))).toEqual(['SaveImage']);
    expect(await client.get('/api/object_info/NoSuchClass')).toEqual({});
    const stats = await client.get('/system_stats');
    expect((stats.system as { ram_total: number }).ram_total).toBeGreaterThan(0);
    expect(Array.isArray(stats.devices)).toBe(true);
  });
});
