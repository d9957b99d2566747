/**
 * `latentloom sweep` on the toy graph: the product of a seed range and a prompt file, the
 * manifest, resuming, a bad key; and the same sweep as BullMQ jobs for a worker on real Redis.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.ts';
import { startJobWorker } from '../../src/server/redis/jobWorker.ts';
import { readPicture } from '../toy/analysis.ts';
import { pngImage } from '../toy/graphRunner.ts';
import { RedisServer, redisAvailable } from '../fixtures/redisServer.ts';

const GRAPH = join(import.meta.dirname, '../../graphs/toy-txt2img.json');

async function sweep(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['sweep', GRAPH, ...args], { print: (l) => out.push(l), log: (l) => err.push(l) });
  return { code, out, err };
}

const manifestOf = async (dir: string) => (await readFile(join(dir, 'manifest.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { job: string; overrides: Record<string, string>; files: string[]; error?: string });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latentloom-sweep-'));
  await writeFile(join(dir, 'prompts.txt'), 'a red circle on black\na blue square on white\n');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('latentloom sweep', () => {
  it('runs the product of the lists, writes the manifest, and resumes where it stopped', async () => {
    const out = join(dir, 'local');
    const first = await sweep(['--set', 'noise.seed=1..2', '--set', `prompt.text=@${join(dir, 'prompts.txt')}`, '--out', out]);
    expect(first.code).toBe(0);
    const manifest = await manifestOf(out);
    expect(manifest).toHaveLength(4);
    expect(manifest.map((m) => m.overrides['prompt.text'])).toEqual(['a red circle on black', 'a blue square on white', 'a red circle on black', 'a blue square on white']);
    for (const entry of manifest) {
      expect(entry.files).toHaveLength(1);
      const picture = readPicture(pngImage(new Uint8Array(await readFile(join(out, entry.files[0])))).data);
      expect(picture.colour).toBe(entry.overrides['prompt.text'].includes('red') ? 'red' : 'blue');
    }
    // One more seed: only its two jobs run.
    const again = await sweep(['--set', 'noise.seed=1..3', '--set', `prompt.text=@${join(dir, 'prompts.txt')}`, '--out', out]);
    expect(again.code).toBe(0);
    expect(again.err.join('\n')).toMatch(/6 jobs, 4 already in/);
    expect(await manifestOf(out)).toHaveLength(6);
    expect((await readdir(out)).filter((f) => f.endsWith('.png'))).toHaveLength(6);
  }, 120_000);

  it('writes the metric outputs of each job (CLIP score, FID) to the manifest', async () => {
    const out = join(dir, 'metrics');
    const code = await runCli(['sweep', join(import.meta.dirname, '../../graphs/toy-metrics.json'), '--set', 'cfg.scale=1,7.5', '--out', out], { print: () => {}, log: () => {} });
    expect(code).toBe(0);
    const lines = (await readFile(join(out, 'manifest.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { values: Record<string, number> });
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.values['clip_score.mean']).toBeGreaterThan(50);
      expect(line.values['fid.fid']).toBeGreaterThan(0);
    }
  }, 120_000);

  it('without --set runs the sweep the graph carries (meta.extra.sweep, the editor\'s) and records its metrics', async () => {
    const graph = JSON.parse(await readFile(join(import.meta.dirname, '../../graphs/toy-guidance-sweep.json'), 'utf8'));
    graph.meta.extra.sweep.axes = [{ param: 'cfg.scale', values: '1,7.5' }, { param: 'noise.seed', values: '1..2' }];
    const file = join(dir, 'stored-sweep.json');
    await writeFile(file, JSON.stringify(graph));
    const out = join(dir, 'stored');
    const code = await runCli(['sweep', file, '--out', out], { print: () => {}, log: () => {} });
    expect(code).toBe(0);
    const lines = (await readFile(join(out, 'manifest.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { overrides: Record<string, string>; values: Record<string, number> });
    expect(lines.map((l) => l.overrides)).toEqual([
      { 'cfg.scale': '1', 'noise.seed': '1' }, { 'cfg.scale': '1', 'noise.seed': '2' }, { 'cfg.scale': '7.5', 'noise.seed': '1' }, { 'cfg.scale': '7.5', 'noise.seed': '2' },
    ]);
    for (const line of lines) for (const metric of ['clip_score.mean', 'fid_prompt.fid', 'fid_all.fid']) expect(line.values[metric], metric).toBeGreaterThan(0);
    // Guidance 7.5 follows the prompt at least as well as 1, seed for seed.
    for (const k of [0, 1]) expect(lines[k + 2].values['clip_score.mean']).toBeGreaterThanOrEqual(lines[k].values['clip_score.mean']);
    graph.meta.extra.sweep = { axes: [{ param: 'cfg.scale' }] };
    await writeFile(file, JSON.stringify(graph));
    const bad: string[] = [];
    expect(await runCli(['sweep', file, '--out', join(dir, 'stored-bad')], { print: () => {}, log: (l) => bad.push(l) })).toBe(2);
    expect(bad.join('\n')).toMatch(/meta\.extra\.sweep\.axes\[0\]\.values: expected values like/);
  }, 120_000);

  it('zips lists, and names a bad key before running anything', async () => {
    const out = join(dir, 'zip');
    const zipped = await sweep(['--set', 'noise.seed=5,6', '--set', 'cfg.scale=1,9', '--zip', '--out', out]);
    expect(zipped.code).toBe(0);
    expect((await manifestOf(out)).map((m) => m.overrides)).toEqual([{ 'noise.seed': '5', 'cfg.scale': '1' }, { 'noise.seed': '6', 'cfg.scale': '9' }]);
    const bad = await sweep(['--set', 'noise.colour=1..2', '--out', join(dir, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.err.join('\n')).toMatch(/node "noise" \(noise\/gaussian\) has no param "colour"/);
  }, 120_000);
});

describe.runIf(redisAvailable())('latentloom sweep --queue', () => {
  it('queues the jobs for a worker and writes their pictures itself', async () => {
    const redis = await RedisServer.start();
    const worker = await startJobWorker({ url: redis.url, inputDir: join(dir, 'worker-in') });
    try {
      const out = join(dir, 'queued');
      const result = await sweep(['--set', 'noise.seed=1..3', '--set', 'prompt.text=a blue square on white', '--queue', redis.url, '--out', out]);
      expect(result.code).toBe(0);
      const manifest = await manifestOf(out);
      expect(manifest).toHaveLength(3);
      for (const entry of manifest) {
        expect(entry.error).toBeUndefined();
        expect(readPicture(pngImage(new Uint8Array(await readFile(join(out, entry.files[0])))).data).colour).toBe('blue');
      }
      expect(new Set(manifest.map((m) => m.files[0])).size).toBe(3);
    } finally {
      await worker.close();
      await redis.destroy();
    }
  }, 120_000);
});
