import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { createEngine } from '../../src/engine/engine.ts';
import { toCloneable } from '../../src/worker/transfer.ts';
import { describeNodes } from '../../src/worker/describe.ts';
import { latentStatePreview } from '../../src/worker/preview.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { graph, makeTestNodes, node } from '../engine/helpers.ts';

/** Posts a value through a real MessageChannel with a transfer list; resolves with what arrived. */
async function post<T>(value: T, transfers: ArrayBuffer[]): Promise<T> {
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<T>((resolve) => port2.once('message', (v) => resolve(v as T)));
  port1.postMessage(value, transfers);
  const out = await received;
  port1.close();
  port2.close();
  return out;
}

describe('worker transfers', () => {
  it('moves buffers nobody keeps and copies the ones the cache holds', async () => {
    const t = makeTestNodes();
    const engine = createEngine({ registry: t.registry });
    const g = graph([node('cached', 'test/buffer', { size: 1024, add: 3 }), node('fresh', 'test/buffer', { size: 1024, add: 5 })], []);
    const result = await engine.run(g, { outputs: ['cached', 'fresh'] });
    // After clearing, only `cached` is computed (and cached) again: the first run's `fresh`
    // buffer is held by nobody but this test, like the output of a non-deterministic node.
    engine.clearCache();
    const again = await engine.run(g, { outputs: ['cached'] });
    const cachedData = (again.outputs.cached.out as { data: Float32Array }).data;
    const freshData = (result.outputs.fresh.out as { data: Float32Array }).data;

    const both = { cached: again.outputs.cached, fresh: result.outputs.fresh };
    const { value, transfers } = toCloneable(both, { held: engine.cachedBuffers() });
    expect(transfers).toContain(freshData.buffer);
    expect(transfers).not.toContain(cachedData.buffer);
    const arrived = await post(value, transfers);
    expect((arrived.cached.out as { data: Float32Array }).data[0]).toBe(3);
    expect((arrived.fresh.out as { data: Float32Array }).data[0]).toBe(5);
    // Moved: the sender's view is detached. Copied: the cache's value is intact and still served.
    expect(freshData.byteLength).toBe(0);
    expect(cachedData.byteLength).toBe(4096);
    const third = await engine.run(g, { outputs: ['cached'] });
    expect(third.nodes.cached.status).toBe('cached');
    expect((third.outputs.cached.out as { data: Float32Array }).data[1]).toBe(3);
  });

  it('copies a view of part of a larger buffer and describes uncloneable objects', () => {
    const big = new Float32Array(100);
    const part = big.subarray(10, 20);
    class Session {
      run() {}
    }
    const { value, transfers } = toCloneable({ part, session: new Session(), fn: () => 1 });
    expect(transfers).toHaveLength(1);
    expect(transfers[0]).not.toBe(big.buffer);
    expect((value.part as Float32Array).length).toBe(10);
    expect(value.session).toEqual({ unserializable: 'Session' });
    expect('fn' in value).toBe(false);
    expect(() => structuredClone(value, { transfer: transfers })).not.toThrow();
  });

  it('describes node types as plain data', () => {
    const list = describeNodes(makeTestNodes().registry);
    const add = list.find((d) => d.type === 'math/add')!;
    expect(add.params.mode).toEqual({ kind: 'enum', options: ['sum', 'diff'], default: 'sum' });
    expect(() => structuredClone(list)).not.toThrow();
    expect(list.find((d) => d.type === 'test/random')!.deterministic).toBe(false);
  });

  it('previews the first carried LATENT as RGB, and nothing for other state', () => {
    const samples = new Tensor('float32', [1, 4, 2, 2], new Float32Array(16));
    const preview = latentStatePreview({ zone: 'z', iteration: 1, count: 2, state: { latent: { samples }, x: 1 }, types: { x: 'FLOAT', latent: 'LATENT' } }) as {
      shape: number[];
      data: Float32Array;
    };
    expect(preview.shape).toEqual([1, 3, 2, 2]);
    expect(preview.data[0]).toBeCloseTo(0.5); // a zero latent maps to mid-grey
    expect(latentStatePreview({ zone: 'z', iteration: 1, count: 2, state: { x: 1 }, types: { x: 'FLOAT' } })).toBeUndefined();
  });
});
