import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import { OutputCache } from '../../src/engine/cache.ts';
import { graph, makeTestNodes, node, recorder } from './helpers.ts';

function chain() {
  return graph(
    [
      node('a', 'test/probe', { offset: 1 }),
      node('b', 'test/probe', { offset: 10 }),
      node('c', 'test/probe', { offset: 100 }),
      node('side', 'test/probe', { offset: 5 }),
      node('sum', 'math/add'),
      node('out', 'test/sink'),
    ],
    ['a.y->b.x', 'b.y->c.x', 'c.y->sum.a', 'side.y->sum.b', 'sum.result->out.value'],
  );
}

describe('engine cache across runs', () => {
  it('reruns nothing when the graph is unchanged', async () => {
    const t = makeTestNodes();
    const engine = createEngine({ registry: t.registry });
    const first = await engine.run(chain());
    expect(first.stats.executed).toBe(6);
    const rec = recorder();
    const second = await engine.run(chain(), { onEvent: rec.onEvent });
    expect(second.outputs.out.value).toBe(116);
    expect(second.stats.executed).toBe(0);
    expect(Object.values(second.nodes).every((n) => n.status === 'cached')).toBe(true);
    expect(rec.started()).toEqual([]);
    expect(rec.events.filter((e) => e.type === 'node-finish').every((e) => e.type === 'node-finish' && e.cached)).toBe(true);
    expect(t.ranCount('a')).toBe(1);
  });

  it('re-executes a changed node and its dependants only', async () => {
    const t = makeTestNodes();
    const engine = createEngine({ registry: t.registry });
    await engine.run(chain());
    const g = chain();
    g.nodes.find((n) => n.id === 'b')!.params.offset = 20;
    const result = await engine.run(g);
    expect(result.outputs.out.value).toBe(126);
    const executed = Object.entries(result.nodes).filter(([, s]) => s.status === 'executed').map(([id]) => id).sort();
    expect(executed).toEqual(['b', 'c', 'out', 'sum']);
    expect(result.nodes.a.status).toBe('cached');
    expect(result.nodes.side.status).toBe('cached');
    // Changing it back is served from the cache again.
    const back = await engine.run(chain());
    expect(back.stats.executed).toBe(0);
    expect(back.outputs.out.value).toBe(116);
  });

  it('does not care about key order, titles or layout', async () => {
    const t = makeTestNodes();
    const engine = createEngine({ registry: t.registry });
    await engine.run(chain());
    const g = chain();
    g.nodes.reverse();
    for (const n of g.nodes) n.ui = { x: 5, y: 9 };
    g.nodes[0].title = 'renamed';
    expect((await engine.run(g)).stats.executed).toBe(0);
  });

  it('always re-runs non-deterministic nodes and what depends on them', async () => {
    const t = makeTestNodes();
    const engine = createEngine({ registry: t.registry });
    const g = graph(
      [node('r', 'test/random'), node('p', 'test/probe'), node('still', 'test/probe', { offset: 1 }), node('sum', 'math/add'), node('out', 'test/sink')],
      ['r.y->p.x', 'p.y->sum.a', 'still.y->sum.b', 'sum.result->out.value'],
    );
    const one = await engine.run(g);
    const two = await engine.run(g);
    expect(two.nodes.r.status).toBe('executed');
    expect(two.nodes.p.status).toBe('executed');
    expect(two.nodes.out.status).toBe('executed');
    expect(two.nodes.still.status).toBe('cached');
    expect(two.outputs.out.value).not.toBe(one.outputs.out.value);
  });

  it('skips upstream work entirely when a downstream result is cached', async () => {
    const t = makeTestNodes();
    const engine = createEngine({ registry: t.registry, cacheBytes: 10_000 });
    await engine.run(chain());
    // Asking for `c` alone after the full run: served from the cache, nothing runs.
    const result = await engine.run(chain(), { outputs: ['c'] });
    expect(result.outputs.c.y).toBe(111);
    expect(result.stats.executed).toBe(0);
  });

  it('evicts least recently used entries beyond its byte budget', async () => {
    const t = makeTestNodes();
    // Each buffer is 1000 floats = 4000 bytes; room for two.
    const engine = createEngine({ registry: t.registry, cacheBytes: 9000 });
    const g = (add: number) =>
      graph([node('buf', 'test/buffer', { size: 1000, add }), node('out', 'test/sink')], ['buf.out->out.value']);
    await engine.run(g(1), { outputs: ['buf'] });
    await engine.run(g(2), { outputs: ['buf'] });
    expect(engine.cacheStats().entries).toBe(2);
    await engine.run(g(1), { outputs: ['buf'] }); // refresh 1: now 2 is least recent
    await engine.run(g(3), { outputs: ['buf'] }); // evicts 2
    expect(engine.cacheStats()).toMatchObject({ entries: 2, evictions: 1 });
    expect(engine.cacheStats().bytes).toBeLessThanOrEqual(9000);
    expect((await engine.run(g(1), { outputs: ['buf'] })).nodes.buf.status).toBe('cached');
    expect((await engine.run(g(2), { outputs: ['buf'] })).nodes.buf.status).toBe('executed');
  });

  it('caches nothing with a zero budget, and clearCache forgets everything', async () => {
    const t = makeTestNodes();
    const off = createEngine({ registry: t.registry, cacheBytes: 0 });
    await off.run(chain());
    expect((await off.run(chain())).stats.executed).toBe(6);
    const on = createEngine({ registry: t.registry });
    await on.run(chain());
    on.clearCache();
    expect((await on.run(chain())).stats.executed).toBe(6);
  });
});

describe('engine cache after a failure', () => {
  it('keeps what ran before a failing node, so the fixed graph resumes from there', async () => {
    const t = makeTestNodes();
    const engine = createEngine({ registry: t.registry });
    const broken = chain();
    broken.nodes.find((n) => n.id === 'c')!.params.fail = true;
    const failed = await engine.run(broken);
    expect(failed.error?.node).toBe('c');
    const fixed = await engine.run(chain());
    expect(fixed.ok).toBe(true);
    expect(fixed.nodes.a.status).toBe('cached');
    expect(fixed.nodes.b.status).toBe('cached');
    expect(fixed.nodes.c.status).toBe('executed');
    expect(t.ranCount('a')).toBe(1);
  });
});

describe('OutputCache', () => {
  it('refuses an entry larger than the whole budget and trims on a smaller budget', () => {
    const cache = new OutputCache(100);
    expect(cache.set('big', {}, 101)).toBe(false);
    cache.set('a', {}, 60);
    cache.set('b', {}, 30);
    cache.setBudget(50);
    expect(cache.has('a')).toBe(false);
    expect(cache.has('b')).toBe(true);
    expect(cache.stats().bytes).toBe(30);
  });
});

describe('engine cache under eviction pressure', () => {
  it('keeps using a cached value the same run evicts', async () => {
    const t = makeTestNodes();
    // Room for one 4000-byte buffer: storing `fresh` evicts `old`, which the run still reads.
    const engine = createEngine({ registry: t.registry, cacheBytes: 5000 });
    const g = (add: number) =>
      graph(
        // `fresh` first: it runs (and evicts `old`) before `old` is read from the cache.
        [node('fresh', 'test/buffer', { size: 1000, add }), node('old', 'test/buffer', { size: 1000, add: 1 }), node('o1', 'test/sink'), node('o2', 'test/sink')],
        ['old.out->o1.value', 'fresh.out->o2.value'],
      );
    await engine.run(g(2), { outputs: ['old'] });
    const result = await engine.run(g(7), { outputs: ['fresh', 'o1'] });
    expect(result.error).toBeUndefined();
    expect(result.nodes.old.status).toBe('cached');
    expect((result.outputs.o1.value as { data: Float32Array }).data[0]).toBe(1);
  });
});
