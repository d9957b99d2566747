import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import { graph, makeTestNodes, node, recorder } from './helpers.ts';

describe('engine: planning and order', () => {
  it('runs producers before consumers and only what the outputs need', async () => {
    const t = makeTestNodes();
    const g = graph(
      [
        node('sum', 'math/add'),
        node('out', 'test/sink'),
        node('a', 'test/probe', { offset: 2 }),
        node('b', 'test/probe', { offset: 3 }),
        node('unused', 'test/probe'),
      ],
      ['a.y->sum.a', 'b.y->sum.b', 'sum.result->out.value'],
    );
    const rec = recorder();
    const result = await createEngine({ registry: t.registry }).run(g, { onEvent: rec.onEvent });
    expect(result.ok).toBe(true);
    expect(result.outputs.out.value).toBe(5);
    const order = rec.started();
    expect(order.indexOf('a')).toBeLessThan(order.indexOf('sum'));
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('sum'));
    expect(order.indexOf('sum')).toBeLessThan(order.indexOf('out'));
    expect(order).not.toContain('unused');
    expect(t.ranCount('unused')).toBe(0);
    expect(Object.keys(result.nodes).sort()).toEqual(['a', 'b', 'out', 'sum']);
  });

  it('runs a chosen subset of nodes when outputs are given', async () => {
    const t = makeTestNodes();
    const g = graph([node('a', 'test/probe', { offset: 1 }), node('b', 'test/probe', { offset: 7 }), node('out', 'test/sink')], ['a.y->out.value']);
    const result = await createEngine({ registry: t.registry }).run(g, { outputs: ['b'] });
    expect(result.ok).toBe(true);
    expect(result.outputs).toEqual({ b: { y: 7 } });
    expect(t.ranCount('a')).toBe(0);
  });

  it('emits a well-formed event stream with per-node timing', async () => {
    const t = makeTestNodes();
    const g = graph([node('a', 'test/probe'), node('out', 'test/sink')], ['a.y->out.value']);
    const rec = recorder();
    await createEngine({ registry: t.registry }).run(g, { onEvent: rec.onEvent });
    const types = rec.events.map((e) => e.type);
    expect(types).toEqual(['run-start', 'node-start', 'node-finish', 'node-start', 'node-finish', 'run-end']);
    const end = rec.events.at(-1)!;
    expect(end.type === 'run-end' && end.ok).toBe(true);
    if (end.type === 'run-end') expect(end.nodes.a).toMatchObject({ status: 'executed', type: 'test/probe' });
    const finish = rec.events.find((e) => e.type === 'node-finish')!;
    expect(finish.type === 'node-finish' && finish.ms >= 0 && finish.cached === false).toBe(true);
  });

  it('fills param defaults and lets a param turned into an input take the edge value', async () => {
    const t = makeTestNodes();
    const g = graph(
      [
        node('k', 'const/float', { value: 0.5 }),
        node('x', 'const/float', { value: 4 }),
        node('m', 'math/multiply', {}, { paramInputs: ['factor'] }),
        node('d', 'math/multiply', {}),
        node('o1', 'test/sink'),
        node('o2', 'test/sink'),
      ],
      ['x.value->m.a', 'k.value->m.factor', 'x.value->d.a', 'm.result->o1.value', 'd.result->o2.value'],
    );
    const result = await createEngine({ registry: t.registry }).run(g);
    expect(result.error).toBeUndefined();
    expect(result.outputs.o1.value).toBe(2); // factor from the edge
    expect(result.outputs.o2.value).toBe(4); // factor defaulted to 1
  });
});

describe('engine: errors', () => {
  it('stops at a failing node and names it', async () => {
    const t = makeTestNodes();
    const g = graph(
      [node('a', 'test/probe'), node('bad', 'test/probe', { fail: true }), node('after', 'test/probe'), node('out', 'test/sink')],
      ['a.y->bad.x', 'bad.y->after.x', 'after.y->out.value'],
    );
    const rec = recorder();
    const result = await createEngine({ registry: t.registry }).run(g, { onEvent: rec.onEvent });
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({ node: 'bad', code: 'node-failed' });
    expect(result.error!.message).toContain('"bad"');
    expect(result.error!.message).toContain('test/probe');
    expect(result.error!.message).toContain('probe was told to fail');
    expect(result.nodes.a.status).toBe('executed');
    expect(result.nodes.bad.status).toBe('error');
    expect(result.nodes.after.status).toBe('skipped');
    expect(t.ranCount('after')).toBe(0);
    expect(rec.events).toContainEqual(expect.objectContaining({ type: 'node-error', node: 'bad', code: 'node-failed' }));
  });

  it('keeps a node error code of its own', async () => {
    const t = makeTestNodes();
    const g = graph([node('c', 'const/int', { value: -3 }), node('rin', 'flow/repeat-input', {}, { zone: 'z' }), node('rout', 'flow/repeat-output', {}, { zone: 'z' }), node('out', 'test/sink')], [
      'c.value->rin.count',
      'rin.index->out.value',
    ]);
    // index leaving the zone is a crossing: the graph is refused before anything runs
    const invalid = await createEngine({ registry: t.registry }).run(g);
    expect(invalid.error?.code).toBe('invalid-graph');
    expect(invalid.error?.issues?.some((i) => i.code === 'zone-crossing')).toBe(true);
    g.edges.pop();
    g.nodes.pop();
    const result = await createEngine({ registry: t.registry }).run(g, { outputs: ['rout'] });
    expect(result.error).toMatchObject({ node: 'rin', code: 'invalid-count' });
  });

  it('refuses an invalid graph with the issue list and runs nothing', async () => {
    const t = makeTestNodes();
    const g = graph([node('a', 'test/probe'), node('ghost', 'no/such-type'), node('out', 'test/sink')], ['a.y->out.value']);
    const result = await createEngine({ registry: t.registry }).run(g);
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('invalid-graph');
    expect(result.error?.issues).toContainEqual(expect.objectContaining({ node: 'ghost', code: 'unknown-node-type' }));
    expect(t.ranCount('a')).toBe(0);
  });

  it('reports a cycle as an invalid graph', async () => {
    const t = makeTestNodes();
    const g = graph([node('a', 'test/probe'), node('b', 'test/probe'), node('out', 'test/sink')], ['a.y->b.x', 'b.y->a.x', 'b.y->out.value']);
    const result = await createEngine({ registry: t.registry }).run(g);
    expect(result.error?.code).toBe('invalid-graph');
    expect(result.error?.issues?.some((i) => i.code === 'cycle')).toBe(true);
  });

  it('says so when there is nothing to run', async () => {
    const t = makeTestNodes();
    const result = await createEngine({ registry: t.registry }).run(graph([node('a', 'test/probe')], []));
    expect(result.error?.code).toBe('no-outputs');
    const unknown = await createEngine({ registry: t.registry }).run(graph([node('a', 'test/probe')], []), { outputs: ['nope'] });
    expect(unknown.error).toMatchObject({ code: 'unknown-output', node: 'nope' });
  });

  it('runs requested outputs despite problems in branches they do not need', async () => {
    const t = makeTestNodes();
    const g = graph(
      [node('a', 'test/probe', { offset: 4 }), node('done', 'test/sink'), node('half', 'math/add'), node('ghost', 'no/such-type')],
      ['a.y->done.value'],
    );
    const picked = await createEngine({ registry: t.registry }).run(g, { outputs: ['done'] });
    expect(picked.error).toBeUndefined();
    expect(picked.outputs.done.value).toBe(4);
    // Without a choice every output node counts, so the whole graph must be valid.
    const all = await createEngine({ registry: t.registry }).run(g);
    expect(all.error?.code).toBe('invalid-graph');
    // A problem inside what the outputs need still stops the run.
    const needsHalf = await createEngine({ registry: t.registry }).run(g, { outputs: ['half'] });
    expect(needsHalf.error?.code).toBe('invalid-graph');
    expect(needsHalf.error?.issues?.every((i) => i.node === 'half')).toBe(true);
  });
});
