/**
 * Zone analysis is linear in the graph: thousands of repeat zones chained one after another
 * (each zone's result seeds the next) validate and plan in a few seconds, not minutes, and run
 * without deep recursion. ZONES=<n> sets the chain length (default 9,990).
 */
import { describe, expect, it } from 'vitest';
import type { GraphDocument, GraphEdge, GraphNode } from '../../src/graph/document.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import { planRun } from '../../src/engine/plan.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { edge, graph, node } from './build.ts';

function chainedZones(count: number): GraphDocument {
  const state = [{ name: 'x', type: 'FLOAT' }];
  const nodes: GraphNode[] = [node('count', 'const/int', { value: 2 }), node('init', 'const/float', { value: 1 })];
  const edges: GraphEdge[] = [];
  let prev = 'init.value';
  for (let k = 0; k < count; k++) {
    nodes.push(node(`in${k}`, 'flow/repeat-input', { state }, { zone: `z${k}` }), node(`out${k}`, 'flow/repeat-output', { state }, { zone: `z${k}` }));
    edges.push(edge('count.value', `in${k}.count`), edge(prev, `in${k}.x`), edge(`in${k}.x`, `out${k}.x`));
    prev = `out${k}.x`;
  }
  nodes.push(node('after', 'math/add', {}));
  edges.push(edge(prev, 'after.a'));
  return graph(nodes, edges);
}

describe('many chained repeat zones', () => {
  const registry = defaultRegistry();
  const zones = Number(process.env.ZONES ?? 9990);
  it('9,990 zones (19,983 nodes) validate and plan in a few seconds', () => {
    const doc = chainedZones(zones);
    const t0 = performance.now();
    const issues = validateGraph(doc, registry).filter((i) => i.severity !== 'warning');
    const t1 = performance.now();
    const plan = planRun(doc, registry, ['after']);
    const t2 = performance.now();
    console.log(`${zones} zones: validate ${(t1 - t0).toFixed(0)} ms, plan ${(t2 - t1).toFixed(0)} ms`);
    expect(issues).toEqual([]);
    expect(plan.ok).toBe(true);
    expect(t1 - t0).toBeLessThan(5000);
    expect(t2 - t1).toBeLessThan(5000);
  }, 60_000);

  it('run one after another without overflowing the stack, and rerun from the cache', async () => {
    const doc = chainedZones(zones);
    const engine = createEngine({ registry });
    const t0 = performance.now();
    const first = await engine.run(doc, { outputs: ['after'] });
    const t1 = performance.now();
    const again = await engine.run(doc, { outputs: ['after'] });
    const t2 = performance.now();
    console.log(`${zones} zones: run ${(t1 - t0).toFixed(0)} ms, cached rerun ${(t2 - t1).toFixed(0)} ms`);
    expect(first.error).toBeUndefined();
    expect(first.outputs.after.result).toBe(1); // each zone passes x through unchanged
    expect(again.ok).toBe(true);
    expect(again.stats.executed).toBe(0);
    expect(t1 - t0).toBeLessThan(10_000);
  }, 60_000);
});
