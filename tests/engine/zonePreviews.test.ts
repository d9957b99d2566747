/** Asynchronous zone previews: one in flight, the newest iteration next, never failing the run. */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import type { EngineEvent } from '../../src/engine/events.ts';
import { makeTestNodes, recorder, sumZoneGraph } from './helpers.ts';

type Progress = Extract<EngineEvent, { type: 'node-progress' }>;
const previewsOf = (events: EngineEvent[]) =>
  events.filter((e): e is Progress => e.type === 'node-progress' && e.preview !== undefined);

describe('engine: asynchronous zone previews', () => {
  it('runs one preview at a time, previews the newest iteration next and the last one before the zone ends', async () => {
    const t = makeTestNodes();
    const rec = recorder();
    const asked: number[] = [];
    let inFlight = 0;
    let most = 0;
    const result = await createEngine({ registry: t.registry }).run(sumZoneGraph(6), {
      onEvent: rec.onEvent,
      zonePreview: async ({ iteration, state }) => {
        asked.push(iteration);
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 15));
        inFlight--;
        return { x: state.x };
      },
    });
    expect(result.ok).toBe(true);
    expect(most).toBe(1);
    expect(asked[0]).toBe(1);
    expect(asked.at(-1)).toBe(6);
    const previews = previewsOf(rec.events);
    expect(previews.map((p) => p.previewIteration)).toEqual(asked);
    expect(previews.at(-1)?.preview).toEqual({ x: 0 + 1 + 2 + 3 + 4 + 5 });
    // No preview comes after the repeat-output's finish.
    const finish = rec.events.findIndex((e) => e.type === 'node-finish' && e.node === 'rout');
    expect(rec.events.indexOf(previews.at(-1)!)).toBeLessThan(finish);
  });

  it('a rejected or throwing asynchronous preview does not fail the run', async () => {
    const t = makeTestNodes();
    const rec = recorder();
    let calls = 0;
    const result = await createEngine({ registry: t.registry }).run(sumZoneGraph(3), {
      onEvent: rec.onEvent,
      zonePreview: () => {
        calls++;
        return Promise.reject(new Error('decoder broke'));
      },
    });
    expect(result.ok).toBe(true);
    expect(result.outputs.out.value).toBe(3);
    expect(calls).toBeGreaterThan(0);
    expect(previewsOf(rec.events)).toEqual([]);
  });
});
