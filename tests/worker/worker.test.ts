import { afterEach, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { createEngine } from '../../src/engine/engine.ts';
import type { EngineEvent } from '../../src/engine/events.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { createEngineClient, type EngineClient } from '../../src/worker/client.ts';
import { nodeWorker } from '../../src/worker/nodeWorker.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { graph, node } from '../engine/helpers.ts';

/** x ← x · 1.5 + index, `count` times, from shipped nodes only (the worker has no test nodes). */
function zoneGraph(count: number): GraphDocument {
  const state = [{ name: 'x', type: 'FLOAT' }];
  return graph(
    [
      node('n', 'const/int', { value: count }),
      node('init', 'const/float', { value: 2 }),
      node('rin', 'flow/repeat-input', { state }, { zone: 'z' }),
      node('scale', 'math/multiply', { factor: 1.5 }, { zone: 'z' }),
      node('idx', 'math/int-to-float', {}, { zone: 'z' }),
      node('add', 'math/add', {}, { zone: 'z' }),
      node('rout', 'flow/repeat-output', { state }, { zone: 'z' }),
      node('round', 'math/float-to-int', { mode: 'floor' }),
    ],
    ['n.value->rin.count', 'init.value->rin.x', 'rin.x->scale.a', 'rin.index->idx.value', 'scale.result->add.a', 'idx.value->add.b', 'add.result->rout.x', 'rout.x->round.value'],
  );
}

/** Events without run ids and timings, which differ between any two runs. */
const shape = (events: EngineEvent[]) =>
  events.map((e) => {
    const { runId: _r, ...rest } = e as EngineEvent & { ms?: number };
    if ('ms' in rest) delete rest.ms;
    if (rest.type === 'run-end') return { type: rest.type, ok: rest.ok, statuses: Object.entries(rest.nodes).map(([id, s]) => [id, s.status]) };
    return rest;
  });

let client: EngineClient | undefined;
afterEach(() => {
  client?.dispose();
  client = undefined;
});

describe('engine in a worker (comlink, worker_threads)', () => {
  it('gives the same result and events as the engine run directly', async () => {
    const direct: EngineEvent[] = [];
    const expected = await createEngine({ registry: defaultRegistry() }).run(zoneGraph(6), { outputs: ['round'], onEvent: (e) => direct.push(e) });
    expect(expected.ok).toBe(true);

    client = createEngineClient({ spawn: () => nodeWorker() });
    const viaWorker: EngineEvent[] = [];
    // progressIntervalMs 0: every event, to compare with the engine's own stream.
    const result = await client.run(zoneGraph(6), { outputs: ['round'], progressIntervalMs: 0, onEvent: (e) => viaWorker.push(e) });
    expect(result.ok).toBe(true);
    expect(result.outputs).toEqual(expected.outputs);
    expect(shape(viaWorker)).toEqual(shape(direct));
    expect(viaWorker.filter((e) => e.type === 'node-progress')).toHaveLength(6);

    // The worker's engine keeps its cache between runs.
    const again = await client.run(zoneGraph(6), { outputs: ['round'] });
    expect(again.stats.executed).toBe(0);
    const descriptions = await client.describeNodes();
    expect(descriptions.find((d) => d.type === 'flow/repeat-input')).toMatchObject({ hasDynamicPorts: true, category: 'flow' });
  }, 60_000);

  it('cancels a run through the AbortSignal', async () => {
    client = createEngineClient({ spawn: () => nodeWorker() });
    const controller = new AbortController();
    const seen: number[] = [];
    const result = await client.run(zoneGraph(900_000), {
      outputs: ['round'],
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'node-progress' && e.iteration !== undefined) {
          seen.push(e.iteration);
          if (seen.length === 1) controller.abort();
        }
      },
    });
    expect(result.error?.code).toBe('cancelled');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(900_000);
  }, 60_000);

  it('reports a crashed worker, fails the run in flight, and recovers', async () => {
    const crashes: string[] = [];
    let first = true;
    client = createEngineClient({
      spawn: () => {
        const handle = nodeWorker();
        if (first) {
          first = false;
          // Kill this worker from inside shortly after it starts (see nodeWorkerEntry's test hook).
          const raw = Comlink.wrap<{ crashForTest(): void }>(handle.endpoint);
          setTimeout(() => raw.crashForTest().catch(() => {}), 300);
        }
        return handle;
      },
      onCrash: (reason) => crashes.push(reason),
    });
    const doomed = await client.run(zoneGraph(900_000), { outputs: ['round'] });
    expect(doomed.ok).toBe(false);
    expect(doomed.error?.code).toBe('worker-crashed');
    expect(crashes).toHaveLength(1);
    expect(crashes[0]).toContain('code 3');
    expect(client.crashes).toBe(1);
    const next = await client.run(zoneGraph(3), { outputs: ['round'] });
    expect(next.ok).toBe(true);
  }, 60_000);
});
