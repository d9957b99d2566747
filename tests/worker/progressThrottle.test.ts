import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/events.ts';
import { createProgressThrottle } from '../../src/worker/progressThrottle.ts';
import { createEngineClient, type EngineClient } from '../../src/worker/client.ts';
import { nodeWorker } from '../../src/worker/nodeWorker.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { graph, node } from '../engine/helpers.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { defaultRegistry } from '../../nodes/index.ts';

const progress = (nodeId: string, iteration: number, count: number): EngineEvent => ({
  type: 'node-progress', runId: 'r', node: nodeId, value: iteration, max: count, iteration, count, zone: 'z',
});

describe('progress throttle (unit, controlled clock)', () => {
  it('sends the first, one per interval, and the last iteration; other events at once and in order', () => {
    let t = 0;
    const sent: EngineEvent[] = [];
    const throttle = createProgressThrottle((e) => sent.push(e), { intervalMs: 50, now: () => t });
    throttle.push({ type: 'node-start', runId: 'r', node: 'loop', nodeType: 'flow/repeat-output' });
    for (let i = 1; i <= 1000; i++) {
      t += 1; // 1 ms per iteration: 1000 iterations in one second
      throttle.push(progress('loop', i, 1000));
    }
    throttle.push({ type: 'node-finish', runId: 'r', node: 'loop', ms: 1000, cached: false });
    throttle.dispose();
    const iterations = sent.flatMap((e) => (e.type === 'node-progress' ? [e.iteration] : []));
    expect(iterations[0]).toBe(1);
    expect(iterations.at(-1)).toBe(1000);
    expect(iterations.length).toBeGreaterThanOrEqual(20);
    expect(iterations.length).toBeLessThanOrEqual(22); // 1000 ms / 50 ms, plus first and last
    expect([...iterations].sort((a, b) => a! - b!)).toEqual(iterations); // never out of order
    expect(sent[0].type).toBe('node-start');
    expect(sent.at(-1)!.type).toBe('node-finish');
  });

  it('sends a withheld iteration before the next non-progress event (nothing lost, order kept)', () => {
    let t = 0;
    const sent: EngineEvent[] = [];
    const throttle = createProgressThrottle((e) => sent.push(e), { intervalMs: 50, now: () => t });
    throttle.push(progress('loop', 1, 10));
    t = 5;
    throttle.push(progress('loop', 2, 10)); // withheld
    throttle.push({ type: 'node-error', runId: 'r', node: 'loop', code: 'cancelled', message: 'stop' });
    throttle.dispose();
    expect(sent.map((e) => (e.type === 'node-progress' ? `p${e.iteration}` : e.type))).toEqual(['p1', 'p2', 'node-error']);
  });

  it('sends a withheld iteration by itself when its window ends and nothing newer came', async () => {
    const sent: EngineEvent[] = [];
    const throttle = createProgressThrottle((e) => sent.push(e), { intervalMs: 20 });
    throttle.push(progress('loop', 1, 10));
    throttle.push(progress('loop', 2, 10));
    expect(sent).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(sent.map((e) => (e.type === 'node-progress' ? e.iteration : 0))).toEqual([1, 2]);
    throttle.dispose();
  });

  it('keeps each node separate', () => {
    let t = 0;
    const sent: EngineEvent[] = [];
    const throttle = createProgressThrottle((e) => sent.push(e), { intervalMs: 50, now: () => t });
    throttle.push(progress('a', 1, 10));
    throttle.push(progress('b', 1, 10));
    t = 1;
    throttle.push(progress('a', 10, 10));
    throttle.dispose();
    expect(sent.map((e) => (e.type === 'node-progress' ? `${e.node}${e.iteration}` : e.type))).toEqual(['a1', 'b1', 'a10']);
  });
});

/** x ← x · 0.5 + index, `count` times (shipped nodes only: the worker has no test nodes). */
function loopGraph(count: number): GraphDocument {
  const state = [{ name: 'x', type: 'FLOAT' }];
  return graph(
    [
      node('n', 'const/int', { value: count }),
      node('init', 'const/float', { value: 2 }),
      node('rin', 'flow/repeat-input', { state }, { zone: 'z' }),
      node('scale', 'math/multiply', { factor: 0.5 }, { zone: 'z' }),
      node('idx', 'math/int-to-float', {}, { zone: 'z' }),
      node('add', 'math/add', {}, { zone: 'z' }),
      node('rout', 'flow/repeat-output', { state }, { zone: 'z' }),
      node('round', 'math/float-to-int', { mode: 'floor' }),
    ],
    ['n.value->rin.count', 'init.value->rin.x', 'rin.x->scale.a', 'rin.index->idx.value', 'scale.result->add.a', 'idx.value->add.b', 'add.result->rout.x', 'rout.x->round.value'],
  );
}

let client: EngineClient | undefined;
afterEach(() => {
  client?.dispose();
  client = undefined;
});

describe('progress throttle in the engine worker (worker_threads, real engine)', () => {
  it('turns many zone iterations into few messages, delivers the last, keeps the other events in order', async () => {
    client = createEngineClient({ spawn: () => nodeWorker() });
    const count = 20_000;
    const events: EngineEvent[] = [];
    const result = await client.run(loopGraph(count), { outputs: ['round'], onEvent: (e) => events.push(e) });
    expect(result.ok).toBe(true);
    const progressEvents = events.filter((e) => e.type === 'node-progress');
    expect(progressEvents.length).toBeLessThan(count / 10);
    expect(progressEvents[0]).toMatchObject({ node: 'rout', iteration: 1, count });
    expect(progressEvents.at(-1)).toMatchObject({ node: 'rout', iteration: count, count });
    // Non-progress events arrive exactly as the engine itself emits them, in the same order.
    const direct: EngineEvent[] = [];
    await createEngine({ registry: defaultRegistry() }).run(loopGraph(count), { outputs: ['round'], onEvent: (e) => direct.push(e) });
    const others = (list: EngineEvent[]) => list.filter((e) => e.type !== 'node-progress').map((e) => `${e.type}:${'node' in e ? e.node : ''}`);
    expect(others(events).length).toBeGreaterThan(5);
    expect(others(events)[0]).toBe('run-start:');
    expect(others(events).at(-1)).toBe('run-end:');
    // The loop's last progress comes before its own finish.
    const lastProgress = events.lastIndexOf(progressEvents.at(-1)!);
    expect(events.findIndex((e) => e.type === 'node-finish' && e.node === 'rout')).toBeGreaterThan(lastProgress);
    expect(others(events)).toEqual(others(direct));
  }, 30_000);

  it('still cancels a long loop mid-run, promptly', async () => {
    client = createEngineClient({ spawn: () => nodeWorker() });
    const controller = new AbortController();
    const count = 1_000_000;
    let seen = 0;
    let cancelledAt = 0;
    const result = await client.run(loopGraph(count), {
      outputs: ['round'],
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'node-progress' && ++seen === 3) {
          cancelledAt = performance.now();
          controller.abort();
        }
      },
    });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('cancelled');
    expect(result.error?.iteration).toBeGreaterThan(0);
    expect(result.error?.iteration).toBeLessThan(count);
    expect(performance.now() - cancelledAt).toBeLessThan(2000);
  }, 30_000);
});
