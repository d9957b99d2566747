/**
 * The CLI gives an ONNX runtime to every graph whose nodes run sessions, not only to graphs with a
 * `models` table: model/load-upscaler on a file path runs through the real process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultRegistry } from '../../nodes/index.ts';
import { OnnxGraphBuilder } from '../../src/onnx/index.ts';
import { decodePng, encodePng } from '../../src/tensor/png.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/latentloom.mjs');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'll-runtime-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nodeSources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? nodeSources(join(folder, e.name)) : e.name.endsWith('.ts') ? [join(folder, e.name)] : []);
}

describe('graphs that need a runtime', () => {
  it('every node that calls requireRuntime declares needsRuntime', () => {
    const registry = defaultRegistry();
    const users = nodeSources(join(ROOT, 'nodes')).filter((f) => readFileSync(f, 'utf8').includes('requireRuntime('));
    expect(users.length).toBeGreaterThan(5);
    for (const file of users) {
      for (const [, type] of readFileSync(file, 'utf8').matchAll(/defineNode\(\{\s*type: '([^']+)'/g)) {
        expect(registry.get(type)?.needsRuntime, `${type} (${file})`).toBe(true);
      }
    }
  });

  it('model/load-upscaler without a models table runs in the CLI', () => {
    const g = new OnnxGraphBuilder();
    const x = g.input('image', 'float32', [1, 3, 'h', 'w']);
    g.output(g.op('Resize', [x, '', g.constant(Tensor.float32([4], [1, 1, 2, 2]))], { mode: 'nearest' }), 'upscaled', 'float32', [1, 3, null, null]);
    const modelPath = join(dir, 'x2.onnx');
    writeFileSync(modelPath, g.toBytes());
    const imagePath = join(dir, 'in.png');
    writeFileSync(imagePath, encodePng({ width: 4, height: 3, channels: 3, data: new Uint8Array(36).map((_, i) => i * 7) }));
    const node = (id: string, type: string, params: Record<string, unknown>) => ({ id, type, version: 1, params });
    const graph = {
      format: 'latentloom.graph', version: 1, meta: { title: 'upscale a file' },
      nodes: [
        node('load', 'image/load', { source: imagePath }),
        node('upscaler', 'model/load-upscaler', { source: modelPath }),
        node('up', 'image/upscale-model', {}),
        node('save', 'image/save', { filename_prefix: 'up' }),
      ],
      edges: [
        { from: { node: 'load', port: 'image' }, to: { node: 'up', port: 'image' } },
        { from: { node: 'upscaler', port: 'upscaler' }, to: { node: 'up', port: 'upscaler' } },
        { from: { node: 'up', port: 'image' }, to: { node: 'save', port: 'images' } },
      ],
    };
    const file = join(dir, 'upscale.json');
    writeFileSync(file, JSON.stringify(graph));
    const out = join(dir, 'out');
    const r = spawnSync(process.execPath, [BIN, 'run', file, '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/needs an ONNX runtime/);
    expect(r.status, r.stderr).toBe(0);
    const png = decodePng(readFileSync(join(out, readdirSync(out)[0])));
    expect([png.width, png.height]).toEqual([8, 6]);
  });
});
