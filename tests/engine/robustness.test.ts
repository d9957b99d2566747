import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createEngine } from '../../src/engine/engine.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { resolvePorts } from '../../src/graph/nodeSpec.ts';
import { makeTestNodes } from './helpers.ts';

const fixture = makeTestNodes();

const TYPES = ['const/int', 'const/float', 'math/add', 'math/multiply', 'math/int-to-float', 'flow/repeat-input', 'flow/repeat-output', 'test/sink', 'test/probe', 'no/such'];
const PORTS = ['a', 'b', 'x', 'y', 'value', 'result', 'count', 'index', 's', 'out'];

/** The node's real port names (so edges mostly fit), or a made-up one for unknown types. */
function portName(type: string, params: Record<string, unknown>, side: 'inputs' | 'outputs', pick: number): string {
  const def = fixture.registry.get(type);
  if (!def) return PORTS[pick % PORTS.length];
  let names: string[] = [];
  try {
    names = Object.keys(resolvePorts(def, params)[side]);
  } catch {
    names = [];
  }
  return names.length > 0 ? names[pick % names.length] : PORTS[pick % PORTS.length];
}

/**
 * Random graphs: each node's inputs are wired from random earlier nodes (so many graphs are
 * acyclic and complete and really run), plus stray edges, half zones and odd params.
 */
const arbitraryGraph = fc
  .record({
    nodes: fc.array(
      fc.record({
        type: fc.oneof(
          { arbitrary: fc.constantFrom(...TYPES.filter((t) => !t.startsWith('flow/'))), weight: 12 },
          { arbitrary: fc.constantFrom('flow/repeat-input', 'flow/repeat-output'), weight: 1 },
        ),
        zone: fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: fc.constantFrom('z', 'w'), weight: 1 }),
        params: fc.dictionary(
          fc.constantFrom('value', 'factor', 'bias', 'mode', 'state', 'fail', 'offset'),
          fc.oneof(fc.integer({ min: -3, max: 5 }), fc.double(), fc.string(), fc.boolean(), fc.constant([{ name: 's', type: 'FLOAT' }])),
          { maxKeys: 2 },
        ),
        wiring: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
      }),
      { minLength: 1, maxLength: 9 },
    ),
    stray: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), { maxLength: 2 }),
    outputs: fc.option(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  })
  .map(({ nodes, stray, outputs }) => {
    const ids = nodes.map((_, i) => `n${i}`);
    const edges: GraphDocument['edges'] = [];
    nodes.forEach((n, i) => {
      const def = fixture.registry.get(n.type);
      if (!def || i === 0) return;
      const inputs = Object.keys(resolvePorts(def, n.params).inputs);
      inputs.forEach((port, k) => {
        const j = n.wiring[k % 4] % i;
        edges.push({ from: { node: ids[j], port: portName(nodes[j].type, nodes[j].params, 'outputs', n.wiring[(k + 1) % 4]) }, to: { node: ids[i], port } });
      });
    });
    for (const [a, ap, b, bp] of stray) {
      const [from, to] = [nodes[a % ids.length], nodes[b % ids.length]];
      edges.push({
        from: { node: ids[a % ids.length], port: portName(from.type, from.params, 'outputs', ap) },
        to: { node: ids[b % ids.length], port: portName(to.type, to.params, 'inputs', bp) },
      });
    }
    const doc: GraphDocument = {
      format: 'latentloom.graph',
      version: 1,
      meta: {},
      models: {},
      // Repeat nodes join zone "z" with one FLOAT state item, so a pair sometimes forms a real zone.
      nodes: nodes.map((n, i) =>
        n.type.startsWith('flow/')
          ? { id: ids[i], type: n.type, version: 1, params: { state: [{ name: 's', type: 'FLOAT' }] }, zone: 'z' }
          : { id: ids[i], type: n.type, version: 1, params: n.params, ...(n.zone ? { zone: n.zone } : {}) },
      ),
      edges,
    };
    return { doc, outputs: outputs?.map((i) => ids[i % ids.length]) };
  });

describe('engine robustness', () => {
  it('never throws on random graphs: it returns ok or an error with a code', async () => {
    const t = fixture;
    const engine = createEngine({ registry: t.registry });
    // Without validation the engine's own planning and execution meet the broken graphs.
    const unguarded = createEngine({ registry: t.registry, validate: () => [] });
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(arbitraryGraph, async ({ doc, outputs }) => {
        const events: string[] = [];
        const result = await engine.run(doc, { ...(outputs ? { outputs } : {}), onEvent: (e) => events.push(e.type) });
        expect(events[0]).toBe('run-start');
        expect(events.at(-1)).toBe('run-end');
        if (!result.ok) {
          expect(typeof result.error?.code).toBe('string');
          expect(result.error?.code).not.toBe('internal-error');
        }
        const raw = await unguarded.run(doc, outputs ? { outputs } : {});
        const key = raw.error?.issues?.[0]?.code ?? raw.error?.code ?? 'ok';
        codes.set(key, (codes.get(key) ?? 0) + 1);
        if (!raw.ok) expect([raw.error?.code, raw.error?.message]).not.toContain('internal-error');
      }),
      { numRuns: 300, seed: 20261121 },
    );
    // The generator reaches execution, not only validation.
    expect(codes.get('ok') ?? 0).toBeGreaterThan(5);
  });
});
