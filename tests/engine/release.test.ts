import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import { graph, makeTestNodes, node } from './helpers.ts';

const MB_FLOATS = 262_144; // 1 MiB of float32

/** A chain of `n` buffer nodes, each reading the previous one: n MiB if nothing is released. */
function bufferChain(n: number) {
  const nodes = Array.from({ length: n }, (_, i) => node(`b${i}`, 'test/buffer', { size: MB_FLOATS, add: 1 }));
  const edges = Array.from({ length: n - 1 }, (_, i) => `b${i}.out->b${i + 1}.input`);
  return graph([...nodes, node('out', 'test/sink')], [...edges, `b${n - 1}.out->out.value`]);
}

describe('engine: intermediates are released after their last reader', () => {
  it('holds at most two buffers at a time along a chain (no cache)', async () => {
    const t = makeTestNodes();
    const result = await createEngine({ registry: t.registry, cacheBytes: 0 }).run(bufferChain(12));
    expect(result.ok).toBe(true);
    expect((result.outputs.out.value as { data: Float32Array }).data[0]).toBe(12);
    expect(result.stats.peakLiveValues).toBeLessThanOrEqual(2);
    expect(result.stats.peakLiveBytes).toBeLessThan(2.1 * 4 * MB_FLOATS);
    // Only the requested output is still held at the end.
    expect(result.stats.liveValuesAtEnd).toBe(1);
  });

  it('keeps a value until its last reader has run (fan-out)', async () => {
    const t = makeTestNodes();
    const g = graph(
      [node('src', 'test/buffer', { size: 8 }), node('a', 'test/buffer', { size: 8 }), node('b', 'test/buffer', { size: 8 }), node('o1', 'test/sink'), node('o2', 'test/sink')],
      ['src.out->a.input', 'src.out->b.input', 'a.out->o1.value', 'b.out->o2.value'],
    );
    const result = await createEngine({ registry: t.registry, cacheBytes: 0 }).run(g);
    expect(result.ok).toBe(true);
    expect((result.outputs.o2.value as { data: Float32Array }).data[0]).toBe(2);
    expect(result.stats.liveValuesAtEnd).toBe(2);
  });

  it('releases body values every iteration of a zone', async () => {
    const t = makeTestNodes();
    const state = [{ name: 'buf', type: 'TENSOR' }];
    const g = graph(
      [
        node('n', 'const/int', { value: 10 }),
        node('init', 'test/buffer', { size: MB_FLOATS, add: 0 }),
        node('rin', 'flow/repeat-input', { state }, { zone: 'z' }),
        node('s1', 'test/buffer', { size: MB_FLOATS }, { zone: 'z' }),
        node('s2', 'test/buffer', { size: MB_FLOATS }, { zone: 'z' }),
        node('s3', 'test/buffer', { size: MB_FLOATS }, { zone: 'z' }),
        node('rout', 'flow/repeat-output', { state }, { zone: 'z' }),
        node('out', 'test/sink'),
      ],
      ['n.value->rin.count', 'init.out->rin.buf', 'rin.buf->s1.input', 's1.out->s2.input', 's2.out->s3.input', 's3.out->rout.buf', 'rout.buf->out.value'],
    );
    const result = await createEngine({ registry: t.registry, cacheBytes: 0 }).run(g);
    expect(result.error).toBeUndefined();
    expect((result.outputs.out.value as { data: Float32Array }).data[0]).toBe(30);
    // 30 buffers were made; never more than a handful alive at once.
    expect(result.stats.peakLiveBytes).toBeLessThan(4.1 * 4 * MB_FLOATS);
  });
});
