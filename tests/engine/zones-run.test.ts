import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import type { EngineEvent } from '../../src/engine/events.ts';
import { graph, makeTestNodes, node, recorder, sumZoneGraph } from './helpers.ts';

const progressOf = (events: EngineEvent[]) =>
  events.filter((e): e is Extract<EngineEvent, { type: 'node-progress' }> => e.type === 'node-progress' && e.zone !== undefined);

describe('engine: repeat zones', () => {
  it('iterates count times carrying the state, with the iteration index', async () => {
    const t = makeTestNodes();
    const rec = recorder();
    const result = await createEngine({ registry: t.registry }).run(sumZoneGraph(5, 1), { onEvent: rec.onEvent });
    expect(result.error).toBeUndefined();
    expect(result.outputs.out.value).toBe(1 + 0 + 1 + 2 + 3 + 4);
    expect(t.ranCount('step')).toBe(5);
    expect(result.nodes.step).toMatchObject({ status: 'executed', iterations: 5 });
    const progress = progressOf(rec.events);
    expect(progress.map((p) => [p.iteration, p.count, p.node, p.zone])).toEqual(
      [1, 2, 3, 4, 5].map((i) => [i, 5, 'rout', 'loop']),
    );
  });

  it('evaluates loop-invariant nodes drawn in the zone once', async () => {
    const t = makeTestNodes();
    await createEngine({ registry: t.registry }).run(sumZoneGraph(7));
    expect(t.ranCount('invariant')).toBe(1);
    expect(t.ranCount('step')).toBe(7);
  });

  it('passes the initial state through when count is 0', async () => {
    const t = makeTestNodes();
    const result = await createEngine({ registry: t.registry }).run(sumZoneGraph(0, 42));
    expect(result.outputs.out.value).toBe(42);
    expect(t.ranCount('step')).toBe(0);
    expect(result.nodes.step.status).toBe('skipped');
    expect(result.nodes.rout.status).toBe('executed');
  });

  it('caches the whole zone across runs and re-runs it when the count changes', async () => {
    const t = makeTestNodes();
    const engine = createEngine({ registry: t.registry });
    await engine.run(sumZoneGraph(4));
    const again = await engine.run(sumZoneGraph(4));
    expect(again.stats.executed).toBe(0);
    expect(again.outputs.out.value).toBe(6);
    expect(t.ranCount('step')).toBe(4);
    const more = await engine.run(sumZoneGraph(5));
    expect(more.outputs.out.value).toBe(10);
    expect(t.ranCount('step')).toBe(9);
    // The invariant node did not change: still served by the cache.
    expect(more.nodes.invariant.status).toBe('cached');
    expect(t.ranCount('invariant')).toBe(1);
  });

  it('runs two zones in sequence', async () => {
    const t = makeTestNodes();
    const state = [{ name: 'x', type: 'FLOAT' }];
    const g = graph(
      [
        node('n', 'const/int', { value: 3 }),
        node('init', 'const/float', { value: 1 }),
        node('r1', 'flow/repeat-input', { state }, { zone: 'double' }),
        node('dbl', 'math/multiply', { factor: 2 }, { zone: 'double' }),
        node('o1', 'flow/repeat-output', { state }, { zone: 'double' }),
        node('r2', 'flow/repeat-input', { state }, { zone: 'inc' }),
        node('inc', 'math/add', { bias: 1 }, { zone: 'inc' }),
        node('o2', 'flow/repeat-output', { state }, { zone: 'inc' }),
        node('out', 'test/sink'),
      ],
      ['n.value->r1.count', 'init.value->r1.x', 'r1.x->dbl.a', 'dbl.result->o1.x', 'n.value->r2.count', 'o1.x->r2.x', 'r2.x->inc.a', 'inc.result->o2.x', 'o2.x->out.value'],
    );
    const result = await createEngine({ registry: t.registry }).run(g);
    expect(result.error).toBeUndefined();
    expect(result.outputs.out.value).toBe(8 + 3);
  });

  it('names the body node and iteration when the body fails', async () => {
    const t = makeTestNodes();
    const g = sumZoneGraph(3);
    g.nodes.find((n) => n.id === 'step')!.params.fail = true;
    const result = await createEngine({ registry: t.registry }).run(g);
    expect(result.error).toMatchObject({ node: 'step', code: 'node-failed', iteration: 0 });
    expect(result.error!.message).toContain('iteration 1');
    expect(result.nodes.step.status).toBe('error');
    expect(result.nodes.out.status).toBe('skipped');
  });

  it('stops within one iteration when cancelled', async () => {
    const t = makeTestNodes();
    const state = [{ name: 'x', type: 'FLOAT' }];
    const g = graph(
      [
        node('n', 'const/int', { value: 1000 }),
        node('init', 'const/float', { value: 0 }),
        node('rin', 'flow/repeat-input', { state }, { zone: 'z' }),
        node('stop', 'test/abort-at', { at: 2 }, { zone: 'z' }),
        node('after', 'test/probe', { offset: 1 }, { zone: 'z' }),
        node('rout', 'flow/repeat-output', { state }, { zone: 'z' }),
        node('out', 'test/sink'),
      ],
      ['n.value->rin.count', 'init.value->rin.x', 'rin.index->stop.index', 'rin.x->stop.x', 'stop.y->after.x', 'after.y->rout.x', 'rout.x->out.value'],
    );
    const controller = new AbortController();
    t.controllers.set('current', controller);
    const rec = recorder();
    const result = await createEngine({ registry: t.registry }).run(g, { signal: controller.signal, onEvent: rec.onEvent });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('cancelled');
    // Aborted during iteration index 2: that iteration's later node does not start, no 4th iteration.
    expect(t.ranCount('stop')).toBe(3);
    expect(t.ranCount('after')).toBe(2);
    expect(progressOf(rec.events)).toHaveLength(2);
    expect(t.ranCount('out')).toBe(0);
  });

  it('does not start when the signal is already aborted', async () => {
    const t = makeTestNodes();
    const controller = new AbortController();
    controller.abort();
    const result = await createEngine({ registry: t.registry }).run(sumZoneGraph(3), { signal: controller.signal });
    expect(result.error?.code).toBe('cancelled');
    expect(t.runs.size).toBe(0);
  });

  it('attaches a preview made from the carried state to each iteration, and survives a failing hook', async () => {
    const t = makeTestNodes();
    const rec = recorder();
    const result = await createEngine({ registry: t.registry }).run(sumZoneGraph(3), {
      onEvent: rec.onEvent,
      zonePreview: ({ iteration, state, types }) => ({ iteration, x: state.x, type: types.x }),
    });
    expect(result.ok).toBe(true);
    expect(progressOf(rec.events).map((p) => p.preview)).toEqual([
      { iteration: 1, x: 0, type: 'FLOAT' },
      { iteration: 2, x: 1, type: 'FLOAT' },
      { iteration: 3, x: 3, type: 'FLOAT' },
    ]);
    const broken = await createEngine({ registry: t.registry }).run(sumZoneGraph(2), {
      zonePreview: () => {
        throw new Error('preview failed');
      },
    });
    expect(broken.ok).toBe(true);
  });
});

describe('engine: cancelling a node that never returns', () => {
  it('ends the run as cancelled without waiting for the node', async () => {
    const { defineNode } = await import('../../nodes/define.ts');
    const { createRegistry } = await import('../../src/graph/registry.ts');
    const stuck = defineNode({
      type: 'test/stuck',
      version: 1,
      title: 'Stuck',
      category: 'test',
      description: 'Never settles and ignores its signal (like an uninterruptible model call).',
      isOutput: true,
      inputs: {},
      outputs: {},
      params: {},
      run: () => new Promise<Record<string, never>>(() => {}),
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const result = await createEngine({ registry: createRegistry([stuck]) }).run(graph([node('s', 'test/stuck')], []), { signal: controller.signal });
    expect(result.error).toMatchObject({ node: 's', code: 'cancelled' });
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
