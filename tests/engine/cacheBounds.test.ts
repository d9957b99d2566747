/**
 * The output cache of a long-lived engine stays bounded: a few entries per node, a byte budget
 * that defaults to a fraction of the machine's memory, least recently used evicted first.
 */
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { OutputCache, DEFAULT_CACHE_ENTRIES_PER_NODE, FALLBACK_CACHE_BYTES, defaultCacheBudget } from '../../src/engine/cache.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { valueBytes } from '../../src/engine/signature.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { graph, makeTestNodes, node, sumZoneGraph } from './helpers.ts';

describe('OutputCache limits', () => {
  it('keeps the most recently used entries of each node', () => {
    const cache = new OutputCache({ budgetBytes: 1e9, entriesPerNode: 3 });
    for (const s of ['s1', 's2', 's3']) cache.set(s, {}, 10, 'noise');
    cache.set('other', {}, 10, 'vae');
    cache.get('s1'); // s2 is now the least recently used of "noise"
    cache.set('s4', {}, 10, 'noise');
    expect(['s1', 's2', 's3', 's4', 'other'].map((s) => cache.has(s))).toEqual([true, false, true, true, true]);
    cache.set('s5', {}, 10, 'noise');
    expect(cache.has('s3')).toBe(false);
    expect(cache.stats()).toMatchObject({ entries: 4, bytes: 40, entriesPerNode: 3, evictions: 2 });
  });

  it('counts a signature against the node that stored it last', () => {
    const cache = new OutputCache({ budgetBytes: 1e9, entriesPerNode: 1 });
    cache.set('shared', {}, 10, 'a');
    cache.set('shared', {}, 10, 'b'); // moves to b: a has room again
    cache.set('a2', {}, 10, 'a');
    expect(cache.has('shared')).toBe(true);
    cache.set('b2', {}, 10, 'b');
    expect(cache.has('shared')).toBe(false);
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 20 });
  });

  it('evicts the least recently used entries across nodes to fit the byte budget', () => {
    const cache = new OutputCache({ budgetBytes: 100, entriesPerNode: 10 });
    cache.set('a', {}, 40, 'n1');
    cache.set('b', {}, 40, 'n2');
    cache.get('a'); // b is now the least recently used
    cache.set('c', {}, 40, 'n3');
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    cache.set('d', {}, 70, 'n1'); // needs both remaining slots' room: a, then c
    expect([cache.has('a'), cache.has('c'), cache.has('d')]).toEqual([false, false, true]);
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 70, evictions: 3 });
  });

  it('limits only bytes for entries stored without a node, and trims on a smaller limit', () => {
    const cache = new OutputCache({ budgetBytes: 1000, entriesPerNode: 2 });
    for (let i = 0; i < 10; i++) cache.set(`s${i}`, {}, 10);
    expect(cache.stats().entries).toBe(10);
    for (let i = 0; i < 5; i++) cache.set(`n${i}`, {}, 10, 'n');
    expect(cache.stats().entries).toBe(12);
    cache.setEntriesPerNode(1);
    expect([cache.has('n3'), cache.has('n4')]).toEqual([false, true]);
    expect(() => cache.setEntriesPerNode(-1)).toThrow(/≥ 0/);
  });

  it('defaults to a fraction of the machine memory in Node, a fixed budget without Node', () => {
    expect(new OutputCache().stats()).toMatchObject({ budget: Math.floor(os.totalmem() / 8), entriesPerNode: DEFAULT_CACHE_ENTRIES_PER_NODE });
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'process')!;
    let browser: number;
    try {
      Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
      browser = defaultCacheBudget();
    } finally {
      Object.defineProperty(globalThis, 'process', saved);
    }
    expect(browser).toBe(FALLBACK_CACHE_BYTES);
    expect(FALLBACK_CACHE_BYTES).toBe(512 * 1024 ** 2);
  });

  it('estimates bytes of tensors, strings and nested values; handles count as small', () => {
    class Session {
      weights = new Float32Array(1_000_000); // not ours to count: a session is a handle
    }
    const tensor = new Tensor('float32', [2, 3], new Float32Array(6));
    expect(valueBytes({ t: tensor })).toBeGreaterThanOrEqual(24);
    expect(valueBytes({ s: 'abcd' })).toBe(8);
    expect(valueBytes({ nested: { list: [new Uint8Array(100), 'xy'] } })).toBe(104);
    expect(valueBytes({ session: new Session() })).toBeLessThan(1000);
  });
});

describe('engine cache bounds', () => {
  const noiseGraph = (seed: number) =>
    graph(
      [
        node('noise', 'noise/gaussian', { seed, width: 64, height: 64, channels: 3, downscale: 1 }),
        node('c', 'const/float', { value: seed }),
        node('scale', 'math/multiply', { factor: 2 }),
      ],
      ['c.value->scale.a'],
    );
  const outputs = ['noise', 'scale'];

  it('stays bounded over 300 runs with changing seeds, and an identical rerun is cached', async () => {
    const engine = createEngine({ registry: defaultRegistry(), cacheEntriesPerNode: 3 });
    const entryBytes = 3 * 64 * 64 * 4;
    let peak = 0;
    for (let seed = 0; seed < 300; seed++) {
      const result = await engine.run(noiseGraph(seed), { outputs });
      expect(result.error).toBeUndefined();
      peak = Math.max(peak, engine.cacheStats().bytes);
    }
    const stats = engine.cacheStats();
    console.log(`after 300 runs: ${stats.entries} entries, ${stats.bytes} bytes (peak ${peak}), ${stats.evictions} evictions`);
    expect(stats.entries).toBe(9); // 3 nodes × 3 entries
    expect(peak).toBeLessThan(3 * entryBytes + 1000);
    const again = await engine.run(noiseGraph(299), { outputs });
    expect(Object.values(again.nodes).map((n) => n.status)).toEqual(['cached', 'cached', 'cached']);
    expect((await engine.run(noiseGraph(297), { outputs })).stats.executed).toBe(0); // still among the last 3
    expect((await engine.run(noiseGraph(250), { outputs })).stats.executed).toBe(3);
  });

  it('evicts by the byte budget given as cacheBudgetBytes', async () => {
    const entryBytes = 3 * 64 * 64 * 4;
    const engine = createEngine({ registry: defaultRegistry(), cacheBudgetBytes: 2.5 * entryBytes });
    for (let seed = 0; seed < 20; seed++) await engine.run(noiseGraph(seed), { outputs: ['noise'] });
    const stats = engine.cacheStats();
    expect(stats).toMatchObject({ budget: 2.5 * entryBytes, entries: 2 });
    expect(stats.bytes).toBeLessThanOrEqual(2.5 * entryBytes);
    expect((await engine.run(noiseGraph(19), { outputs: ['noise'] })).nodes.noise.status).toBe('cached');
    expect((await engine.run(noiseGraph(17), { outputs: ['noise'] })).nodes.noise.status).toBe('executed');
  });

  it('keeps zones cached as a unit while their counts change', async () => {
    const t = makeTestNodes();
    const engine = createEngine({ registry: t.registry, cacheEntriesPerNode: 2 });
    for (let count = 1; count <= 30; count++) expect((await engine.run(sumZoneGraph(count))).ok).toBe(true);
    expect(engine.cacheStats().entries).toBeLessThanOrEqual(10 * 2);
    const again = await engine.run(sumZoneGraph(30));
    expect(again.stats.executed).toBe(0);
    expect(again.nodes.rout.status).toBe('cached');
    expect(again.outputs.out.value).toBe(435); // 0 + 1 + … + 29
  });
});
