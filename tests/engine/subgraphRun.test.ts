/**
 * A graph with a subgraph runs as the same graph drawn flat: same outputs, inner nodes run and
 * cached by their flat ids, and a rerun is fully cached.
 */
import { createEngine } from '../../src/engine/index.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import type { EngineEvent } from '../../src/engine/events.ts';
import { flatMathGraph, subgraphMathGraph } from '../graph/subgraphFixtures.ts';

const registry = defaultRegistry();

describe('running subgraphs', () => {
  it('gives the flat graph’s result, reports inner nodes by flat id, and reruns from the cache', async () => {
    const flat = await createEngine({ registry }).run(flatMathGraph(), { outputs: ['after'] });
    expect(flat.ok).toBe(true);
    expect(flat.outputs.after.result).toBe(1.5 * 2 + 1 + 0.5);

    const engine = createEngine({ registry });
    const events: EngineEvent[] = [];
    const first = await engine.run(subgraphMathGraph(), { outputs: ['after'], onEvent: (e) => events.push(e) });
    expect(first.ok, first.error?.message).toBe(true);
    expect(first.outputs.after).toEqual(flat.outputs.after);
    expect(Object.keys(first.nodes).sort()).toEqual(['after', 'sg/double', 'sg/plus', 'x']);
    expect(events.filter((e) => e.type === 'node-finish').map((e) => (e as { node: string }).node)).toEqual(['x', 'sg/double', 'sg/plus', 'after']);

    const second = await engine.run(subgraphMathGraph(), { outputs: ['after'] });
    expect(second.outputs.after).toEqual(flat.outputs.after);
    expect(Object.values(second.nodes).map((n) => n.status)).toEqual(['cached', 'cached', 'cached', 'cached']);
    expect(second.stats.executed).toBe(0);
  });

  it('a param change inside the subgraph reruns that node and what follows only', async () => {
    const engine = createEngine({ registry });
    await engine.run(subgraphMathGraph(), { outputs: ['after'] });
    const changed = subgraphMathGraph();
    changed.nodes[1].subgraph!.nodes[1].params.bias = 10;
    const result = await engine.run(changed, { outputs: ['after'] });
    expect(result.outputs.after.result).toBe(1.5 * 2 + 10 + 0.5);
    expect(result.nodes['sg/double'].status).toBe('cached');
    expect(result.nodes['sg/plus'].status).toBe('executed');
    expect(result.nodes.after.status).toBe('executed');
  });

  it('requesting the subgraph node runs its inside; a broken subgraph fails naming it', async () => {
    const engine = createEngine({ registry });
    const inside = await engine.run(subgraphMathGraph(), { outputs: ['sg'] });
    expect(inside.ok).toBe(true);
    expect(inside.outputs['sg/plus'].result).toBe(4);
    const broken = subgraphMathGraph();
    broken.nodes[1].subgraph!.outputs[0].from = { node: 'missing', port: 'result' };
    const result = await engine.run(broken, { outputs: ['after'] });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('invalid-graph');
    expect(result.error?.message).toContain('Subgraph "sg": exposed output "out" reads inner port missing.result');
  });
});
