/**
 * Pictures encoded in the worker (WorkerRunOptions.pictures): an IMAGE tensor target comes back
 * as PNG bytes carrying the graph, a preview node's PNG as it is, so the page encodes nothing.
 */
import { describe, expect, it } from 'vitest';
import { createEngineWorkerApi } from '../../src/worker/engineApi.ts';
import { defineNode } from '../../nodes/define.ts';
import { ALL_NODES } from '../../nodes/index.ts';
import { createRegistry } from '../../src/graph/registry.ts';
import { decodePng, readPngText } from '../../src/tensor/png.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { graph, node } from '../engine/helpers.ts';

/** A 2×2 RGB image: red, green, blue, white. */
const swatch = defineNode({
  type: 'test/swatch',
  version: 1,
  title: 'Swatch',
  category: 'test',
  description: 'A 2×2 test image.',
  inputs: {},
  outputs: { image: { type: 'IMAGE' } },
  params: {},
  run: () => ({ image: new Tensor('float32', [1, 3, 2, 2], Float32Array.from([1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1])) }),
});

describe('worker pictures', () => {
  it('encodes tensor targets with the graph in the PNG and passes PNG outputs through', async () => {
    const api = createEngineWorkerApi({ registry: createRegistry([...ALL_NODES, swatch]) });
    const doc = graph([node('swatch', 'test/swatch'), node('show', 'image/preview')], ['swatch.image->show.images']);
    const result = await api.run(doc, { outputs: ['swatch', 'show'], pictures: true });
    expect(result.ok).toBe(true);
    const [encoded] = result.pictures!.swatch;
    expect(encoded).toMatchObject({ width: 2, height: 2 });
    const pixels = decodePng(encoded.png);
    expect(Array.from(pixels.data.slice(0, 4))).toEqual([255, 0, 0, 255]);
    expect(JSON.parse(readPngText(encoded.png)['latentloom.graph']).nodes.map((n: { id: string }) => n.id)).toEqual(['swatch', 'show']);
    const [shown] = result.pictures!.show;
    expect(Array.from(shown.png)).toEqual(Array.from((result.outputs.show.png as Uint8Array[])[0]));

    const plain = await api.run(doc, { outputs: ['swatch'] });
    expect((plain as { pictures?: unknown }).pictures).toBeUndefined();
  });
});
