/**
 * Asynchronous nodes in a repeat zone: one abort listener per run (none left behind on a caller's
 * long-lived signal), cancellation of a node stuck mid-loop, late failures dropped, and one
 * RunContext per node per run.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import { defineNode } from '../../nodes/define.ts';
import { ALL_NODES } from '../../nodes/index.ts';
import { createRegistry } from '../../src/graph/registry.ts';
import type { RunContext } from '../../src/graph/nodeSpec.ts';
import { graph, node } from './helpers.ts';

function makeNodes() {
  const contexts = new Set<RunContext>();
  /** x + 1 after a macrotask (like a model call); never settles at iteration `stuck_at`. */
  const asyncStep = defineNode({
    type: 'test/async-step',
    version: 1,
    title: 'Async step',
    category: 'test',
    description: 'Adds 1 asynchronously; hangs at one iteration when told to.',
    inputs: { x: { type: 'FLOAT' }, index: { type: 'INT' } },
    outputs: { y: { type: 'FLOAT' } },
    params: { stuck_at: { kind: 'int', default: -1 }, late_failure: { kind: 'boolean', default: false } },
    async run(ctx, inputs, params) {
      contexts.add(ctx);
      if (inputs.index === params.stuck_at) {
        // Never settles on its own; with late_failure it rejects long after the run was cancelled.
        return new Promise<{ y: number }>((_, reject) => {
          if (params.late_failure) setTimeout(() => reject(new Error('late failure')), 200);
        });
      }
      await new Promise((resolve) => setImmediate(resolve));
      return { y: inputs.x + 1 };
    },
  });
  const registry = createRegistry([...ALL_NODES, asyncStep]);
  return { registry, contexts };
}

function loopGraph(count: number, stepParams: Record<string, unknown> = {}) {
  const state = [{ name: 'x', type: 'FLOAT' }];
  return graph(
    [
      node('count', 'const/int', { value: count }),
      node('init', 'const/float', { value: 0 }),
      node('rin', 'flow/repeat-input', { state }, { zone: 'loop' }),
      node('step', 'test/async-step', stepParams, { zone: 'loop' }),
      node('rout', 'flow/repeat-output', { state }, { zone: 'loop' }),
    ],
    ['count.value->rin.count', 'init.value->rin.x', 'rin.x->step.x', 'rin.index->step.index', 'step.y->rout.x'],
  );
}

describe('engine: asynchronous nodes in a repeat zone', () => {
  it('leaves no abort listener on the caller’s signal, however many iterations ran', async () => {
    const { registry, contexts } = makeNodes();
    const engine = createEngine({ registry, cacheBytes: 0 });
    const controller = new AbortController();
    for (const count of [3, 40]) {
      const result = await engine.run(loopGraph(count), { signal: controller.signal, outputs: ['rout'] });
      expect(result.error).toBeUndefined();
      expect(result.outputs.rout.x).toBe(count);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    }
    // One context per node per run, reused by every iteration.
    expect(contexts.size).toBe(2);
  });

  it('cancels a node stuck in a later iteration promptly, naming the node and iteration', async () => {
    const { registry } = makeNodes();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const result = await createEngine({ registry }).run(loopGraph(10, { stuck_at: 3 }), { signal: controller.signal, outputs: ['rout'] });
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({ node: 'step', code: 'cancelled', iteration: 3 });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('drops a failure that arrives after cancellation', async () => {
    const { registry } = makeNodes();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      const result = await createEngine({ registry }).run(loopGraph(5, { stuck_at: 1, late_failure: true }), { signal: controller.signal, outputs: ['rout'] });
      expect(result.error).toMatchObject({ node: 'step', code: 'cancelled' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('still reports a node failure (not cancellation) when nothing was aborted', async () => {
    const { registry } = makeNodes();
    const failing = defineNode({
      type: 'test/async-fail',
      version: 1,
      title: 'Async fail',
      category: 'test',
      description: 'Rejects.',
      isOutput: true,
      inputs: {},
      outputs: {},
      params: {},
      run: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        throw Object.assign(new Error('model exploded'), { code: 'run-failed' });
      },
    });
    const result = await createEngine({ registry: createRegistry([...registry.list(), failing]) }).run(graph([node('f', 'test/async-fail')], []));
    expect(result.error).toMatchObject({ node: 'f', code: 'run-failed' });
    expect(result.error?.message).toContain('model exploded');
  });

  it('awaits a node that returns a thenable that is not a Promise, and names a synchronous throw in an iteration', async () => {
    const { registry } = makeNodes();
    const thenable = defineNode({
      type: 'test/thenable',
      version: 1,
      title: 'Thenable',
      category: 'test',
      description: 'x + 1 through a hand-made thenable; throws synchronously at `throw_at`.',
      inputs: { x: { type: 'FLOAT' }, index: { type: 'INT' } },
      outputs: { y: { type: 'FLOAT' } },
      params: { throw_at: { kind: 'int', default: -1 } },
      run(_ctx, inputs, params) {
        if (inputs.index === params.throw_at) throw new Error('bad iteration');
        return { then: (resolve: (v: { y: number }) => void) => resolve({ y: inputs.x + 1 }) } as unknown as { y: number };
      },
    });
    const reg = createRegistry([...registry.list(), thenable]);
    const g = (throwAt: number) => {
      const doc = loopGraph(4);
      doc.nodes.find((n) => n.id === 'step')!.type = 'test/thenable';
      doc.nodes.find((n) => n.id === 'step')!.params = { throw_at: throwAt };
      return doc;
    };
    const ok = await createEngine({ registry: reg }).run(g(-1), { outputs: ['rout'] });
    expect(ok.error).toBeUndefined();
    expect(ok.outputs.rout.x).toBe(4);
    const failed = await createEngine({ registry: reg }).run(g(2), { outputs: ['rout'] });
    expect(failed.error).toMatchObject({ node: 'step', code: 'node-failed', iteration: 2 });
    expect(failed.error?.message).toContain('in iteration 3: bad iteration');
  });
});
