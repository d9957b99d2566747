/**
 * Paths inside a graph file through the real `latentloom run` process: only files under the
 * graph's folder, --out, the model folders and --allow-path folders are read; links, pipes,
 * devices and oversized files are refused with one readable line that quotes no file contents.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../../src/tensor/png.ts';
import { runCliProcess, unreadableLines, type CliOutcome } from './hostileHarness.ts';

let dir: string; // holds the graph folder, a secret file beside it and an outside folder
let graphs: string;
let outside: string;

const png = () => encodePng({ width: 2, height: 1, channels: 3, data: new Uint8Array([1, 2, 3, 4, 5, 6]) });

/** image/load of `source` → image/save; returns the graph file's path. */
function imageGraph(name: string, source: string): string {
  const path = join(graphs, `${name}.json`);
  writeFileSync(path, JSON.stringify({
    format: 'latentloom.graph', version: 1, models: {},
    nodes: [
      { id: 'img', type: 'image/load', version: 1, params: { source } },
      { id: 'save', type: 'image/save', version: 1, params: { filename_prefix: name } },
    ],
    edges: [{ from: { node: 'img', port: 'image' }, to: { node: 'save', port: 'images' } }],
  }));
  return path;
}

/** model/load of the folder package `source`; run with `--output load`. */
function modelGraph(name: string, source: string): string {
  const path = join(graphs, `${name}.json`);
  writeFileSync(path, JSON.stringify({
    format: 'latentloom.graph', version: 1, models: { m: { source } },
    nodes: [{ id: 'load', type: 'model/load', version: 1, params: { model: 'm' } }],
    edges: [],
  }));
  return path;
}

async function run(graph: string, ...extra: string[]): Promise<CliOutcome & { text: string }> {
  const out = join(dir, 'out', `${Math.random().toString(36).slice(2)}`);
  const r = await runCliProcess(['run', graph, '--out', out, ...extra]);
  const text = `${r.stderr}${r.stdout}`;
  expect(r.timedOut, text).toBe(false);
  expect(unreadableLines(text), text).toEqual([]);
  return { ...r, text };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'll-paths-'));
  graphs = join(dir, 'graphs');
  outside = join(dir, 'elsewhere');
  mkdirSync(graphs);
  mkdirSync(outside);
  writeFileSync(join(dir, 'secret.png'), png());
  writeFileSync(join(outside, 'photo.png'), png());
  writeFileSync(join(graphs, 'inside.png'), png());
  symlinkSync(join(outside, 'photo.png'), join(graphs, 'link.png'));
  execFileSync('mkfifo', [join(graphs, 'pipe.png')]);
  // A sparse file just over the 256 MiB image cap: nothing is allocated on disk.
  writeFileSync(join(graphs, 'huge.png'), '');
  truncateSync(join(graphs, 'huge.png'), 256 * 1024 * 1024 + 1);
  // Packages: one whose model_index.json links out, one whose model_index.json holds /etc/passwd.
  mkdirSync(join(graphs, 'linked-pkg'));
  writeFileSync(join(outside, 'model_index.json'), '{"_class_name": "StableDiffusionPipeline"}');
  symlinkSync(join(outside, 'model_index.json'), join(graphs, 'linked-pkg', 'model_index.json'));
  mkdirSync(join(graphs, 'passwd-pkg'));
  copyFileSync('/etc/passwd', join(graphs, 'passwd-pkg', 'model_index.json'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('latentloom run: paths in a graph file', () => {
  it('reads an image beside the graph by a relative path', async () => {
    const r = await run(imageGraph('inside', 'inside.png'));
    expect(r.code, r.text).toBe(0);
  }, 30_000);

  it('refuses an absolute path outside the allowed folders, naming node and file', async () => {
    const photo = join(outside, 'photo.png');
    const r = await run(imageGraph('absolute', photo));
    expect(r.code, r.text).toBe(1);
    expect(r.text).toContain(`image/load (node "img"): ${photo} is outside the allowed folders (allow it with --allow-path)`);
  }, 30_000);

  it('refuses a ../ escape from the graph folder', async () => {
    const r = await run(imageGraph('escape', '../secret.png'));
    expect(r.code, r.text).toBe(1);
    expect(r.text).toContain(`${join(dir, 'secret.png')} is outside the allowed folders`);
  }, 30_000);

  it('--allow-path DIR allows files under DIR', async () => {
    const r = await run(imageGraph('allowed', join(outside, 'photo.png')), '--allow-path', outside);
    expect(r.code, r.text).toBe(0);
    expect(r.stdout).toMatch(/allowed_00001\.png/);
  }, 30_000);

  it('refuses a symlink that leads out of the allowed folders', async () => {
    const r = await run(imageGraph('link', 'link.png'));
    expect(r.code, r.text).toBe(1);
    expect(r.text).toContain(`${join(graphs, 'link.png')} is outside the allowed folders (allow it with --allow-path) (it leads to ${join(outside, 'photo.png')})`);
  }, 30_000);

  it('refuses a symlink out of a model package folder, even when its target is allowed', async () => {
    const r = await run(modelGraph('linked-pkg', './linked-pkg'), '--output', 'load', '--allow-path', outside);
    expect(r.code, r.text).toBe(1);
    expect(r.text).toContain(`${join(graphs, 'linked-pkg', 'model_index.json')} leads out of its model package folder`);
  }, 30_000);

  it('refuses a model package folder outside the allowed folders', async () => {
    const r = await run(modelGraph('outside-pkg', outside), '--output', 'load');
    expect(r.code, r.text).toBe(1);
    expect(r.text).toContain(`${outside} is outside the allowed folders`);
  }, 30_000);

  it('/etc/passwd as model_index.json: "not valid JSON", none of its contents', async () => {
    const r = await run(modelGraph('passwd-pkg', './passwd-pkg'), '--output', 'load');
    expect(r.code, r.text).toBe(1);
    expect(r.text).toContain('file model_index.json is not valid JSON');
    expect(r.text).not.toMatch(/root:|Unexpected token/);
  }, 30_000);

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const r = await run(imageGraph('fifo', 'pipe.png'));
    expect(r.code, r.text).toBe(1);
    expect(r.text).toContain(`image/load (node "img"): ${join(graphs, 'pipe.png')} is a pipe (FIFO), not a regular file`);
    expect(r.ms).toBeLessThan(15_000);
  }, 30_000);

  it('refuses /dev/zero: outside by default, a device when /dev is allowed', async () => {
    const outsideRun = await run(imageGraph('zero', '/dev/zero'));
    expect(outsideRun.code, outsideRun.text).toBe(1);
    expect(outsideRun.text).toContain('/dev/zero is outside the allowed folders');
    const allowed = await run(imageGraph('zero-allowed', '/dev/zero'), '--allow-path', '/dev');
    expect(allowed.code, allowed.text).toBe(1);
    expect(allowed.text).toContain('/dev/zero is a device, not a regular file');
    expect(allowed.peakRssMiB).toBeLessThan(1024);
  }, 60_000);

  it('refuses a folder and a file over the image size cap before reading them', async () => {
    const folder = await run(imageGraph('folder', '.'));
    expect(folder.code, folder.text).toBe(1);
    expect(folder.text).toContain(`${graphs} is a folder, not a regular file`);
    const huge = await run(imageGraph('huge', 'huge.png'));
    expect(huge.code, huge.text).toBe(1);
    expect(huge.text).toContain(`${join(graphs, 'huge.png')} is too large to read as an image (256.0 MiB; the limit is 256 MiB)`);
    expect(huge.peakRssMiB).toBeLessThan(1024);
  }, 60_000);

  it('writes nothing for a refused run', () => {
    const outs = join(dir, 'out');
    const written = existsSync(outs) ? readdirSync(outs, { recursive: true }).map(String).filter((f) => f.endsWith('.png')) : [];
    expect(written.every((f) => /(inside|allowed)_00001\.png$/.test(f)), written.join(', ')).toBe(true);
  });
});
