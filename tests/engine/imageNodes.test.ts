import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineNode } from '../../nodes/define.ts';
import { ALL_NODES } from '../../nodes/index.ts';
import { PNG_GRAPH_KEYWORD } from '../../nodes/image/save.ts';
import { createRegistry } from '../../src/graph/registry.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { decodePng, readPngText } from '../../src/tensor/png.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { graph, node } from './helpers.ts';

/** A 2-image batch [2, 3, 4, 5]: image b has red = x/4, green = y/3, blue = b. */
const gradient = defineNode({
  type: 'test/gradient',
  version: 1,
  title: 'Gradient',
  category: 'test',
  description: 'A known image batch.',
  inputs: {},
  outputs: { image: { type: 'IMAGE' } },
  params: {},
  run() {
    const [B, C, H, W] = [2, 3, 4, 5];
    const data = new Float32Array(B * C * H * W);
    for (let b = 0; b < B; b++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const at = (c: number) => ((b * C + c) * H + y) * W + x;
          data[at(0)] = x / 4;
          data[at(1)] = y / 3;
          data[at(2)] = b;
        }
    return { image: new Tensor('float32', [B, C, H, W], data) };
  },
});
const registry = createRegistry([...ALL_NODES, gradient]);

describe('image/save and image/preview', () => {
  it('writes one PNG per image through services.writeFile, with the graph embedded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-save-'));
    try {
      const writeFile = async (name: string, bytes: Uint8Array) => {
        const path = join(dir, name);
        writeFileSync(path, bytes);
        return path;
      };
      const g = graph([node('img', 'test/gradient'), node('save', 'image/save', { filename_prefix: 'shot' })], ['img.image->save.images']);
      const result = await createEngine({ registry, services: { writeFile } }).run(g);
      expect(result.error).toBeUndefined();
      const files = result.outputs.save.files as string[];
      expect(files).toEqual([join(dir, 'shot_00001.png'), join(dir, 'shot_00002.png')]);
      const second = new Uint8Array(readFileSync(files[1]));
      const png = decodePng(second);
      expect([png.width, png.height]).toEqual([5, 4]);
      // pixel (x=4, y=3): red 255, green 255, blue 255 (image 1 has blue = 1)
      const p = (3 * 5 + 4) * 4;
      expect([...png.data.slice(p, p + 4)]).toEqual([255, 255, 255, 255]);
      expect(png.data[0 + 2]).toBe(255);
      const embedded = readPngText(second)[PNG_GRAPH_KEYWORD];
      const loaded = loadGraph(embedded);
      expect(loaded.ok).toBe(true);
      if (loaded.ok) expect(loaded.graph.nodes.map((n) => n.id)).toEqual(['img', 'save']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('returns PNG bytes when there is no writeFile service (browser)', async () => {
    const g = graph([node('img', 'test/gradient'), node('save', 'image/save', { embed_graph: false }), node('view', 'image/preview')], [
      'img.image->save.images',
      'img.image->view.images',
    ]);
    const result = await createEngine({ registry }).run(g);
    expect(result.error).toBeUndefined();
    expect(result.outputs.save.files).toEqual([]);
    const saved = result.outputs.save.png as Uint8Array[];
    expect(saved).toHaveLength(2);
    expect(readPngText(saved[0])[PNG_GRAPH_KEYWORD]).toBeUndefined();
    const preview = result.outputs.view as { png: Uint8Array[]; width: number; height: number };
    expect([preview.width, preview.height, preview.png.length]).toEqual([5, 4, 2]);
    expect(decodePng(preview.png[0]).data[0]).toBe(0);
  });

  it('refuses a file name prefix with a path in it, naming the param', async () => {
    const g = graph([node('img', 'test/gradient'), node('save', 'image/save', { filename_prefix: '../escape' })], ['img.image->save.images']);
    const result = await createEngine({ registry, services: { writeFile: async () => 'x' } }).run(g);
    expect(result.error?.node).toBe('save');
    expect(result.error?.message).toContain('filename_prefix');
  });
});
