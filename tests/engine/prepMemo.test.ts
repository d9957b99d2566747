/**
 * Memoised preparation (src/engine/prepMemo.ts, src/graph/validateMemo.ts, the signature memo):
 * unchanged frozen documents are not validated, planned or signed again; any param or edge change
 * is seen; and every result equals the un-memoised path's.
 */
import { describe, expect, it } from 'vitest';
import { freeze, produce, type Draft } from 'immer';
import { readFileSync } from 'node:fs';
import { createEngine } from '../../src/engine/engine.ts';
import { PrepMemo } from '../../src/engine/prepMemo.ts';
import { isDeepFrozen } from '../../src/graph/frozen.ts';
import { planRun } from '../../src/engine/plan.ts';
import { computeSignatures } from '../../src/engine/signatures.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import { ValidationMemo } from '../../src/graph/validateMemo.ts';
import { edge, graph, makeTestNodes, node, sumZoneGraph } from './helpers.ts';

const { registry, ranCount } = makeTestNodes();

/** probe chain a → b → c → sink, plus an unused probe. */
function chain(): GraphDocument {
  return freeze(
    graph(
      [node('a', 'test/probe', { offset: 1 }), node('b', 'test/probe', { offset: 2 }), node('c', 'test/probe', { offset: 3 }), node('out', 'test/sink'), node('spare', 'test/probe')],
      ['a.y->b.x', 'b.y->c.x', 'c.y->out.value'],
    ),
    true,
  );
}

type Edit = (d: Draft<GraphDocument>) => void;
const param = (id: string, name: string, value: unknown): Edit => (d) => {
  d.nodes.find((n) => n.id === id)!.params[name] = value;
};

/** Edits of every kind, applied in sequence: params (valid and not), edges, nodes, zones, models. */
const EDITS: Array<[string, Edit]> = [
  ['param of the last node', param('c', 'offset', 30)],
  ['param of the first node', param('a', 'offset', 10)],
  ['param out of its kind', param('b', 'offset', 'not a number')],
  ['param back to valid', param('b', 'offset', 20)],
  ['param of a node no output needs', param('spare', 'offset', 5)],
  ['ui position only', (d) => void (d.nodes[0].ui = { x: 5, y: 6 })],
  ['edge removed', (d) => void d.edges.splice(1, 1)],
  ['edge restored', (d) => void d.edges.push(edge('b.y->c.x'))],
  ['edge to a missing port', (d) => void d.edges.push(edge('a.y->c.nope'))],
  ['bad edge removed', (d) => void d.edges.pop()],
  ['node type changed', (d) => void (d.nodes[4].type = 'test/unknown')],
  ['node type restored', (d) => void (d.nodes[4].type = 'test/probe')],
  ['node added', (d) => void d.nodes.push(node('late', 'test/probe', { offset: 7 }))],
  ['duplicate id', (d) => void d.nodes.push(node('late', 'test/probe'))],
  ['duplicate removed', (d) => void d.nodes.pop()],
  ['param turned into an input', (d) => void (d.nodes[1].paramInputs = ['offset'])],
  ['param input removed', (d) => void delete d.nodes[1].paramInputs],
  ['model table changed', (d) => void (d.models = { toy: { source: 'builtin:toy-shapes' } })],
];

describe('isDeepFrozen', () => {
  it('answers for the whole tree, and an earlier version speeds nothing up wrongly', () => {
    const doc = chain();
    expect(isDeepFrozen(doc)).toBe(true);
    expect(isDeepFrozen(graph([node('a', 'test/probe')], []))).toBe(false);
    const partly = { ...doc, nodes: [...doc.nodes, { id: 'x', type: 'test/probe', version: 1, params: {} }] };
    expect(isDeepFrozen(Object.freeze(partly), doc)).toBe(false);
    const next = produce(doc, param('a', 'offset', 4));
    expect(isDeepFrozen(next, doc)).toBe(true);
  });
});

describe('ValidationMemo', () => {
  it('gives the issues validateGraph gives, edit after edit', () => {
    const memo = new ValidationMemo(registry);
    let doc = chain();
    expect(memo.validate(doc)).toEqual(validateGraph(doc, registry));
    for (const [what, edit] of EDITS) {
      doc = produce(doc, edit);
      expect(memo.validate(doc), what).toEqual(validateGraph(doc, registry));
    }
  });

  it('matches validateGraph on repeat zones when the zone state changes', () => {
    const memo = new ValidationMemo(registry);
    let doc = freeze(sumZoneGraph(3), true);
    expect(memo.validate(doc)).toEqual(validateGraph(doc, registry));
    doc = produce(doc, (d) => void (d.nodes[2].params.state = [{ name: 'x', type: 'FLOAT' }, { name: 'y', type: 'FLOAT' }]));
    const issues = memo.validate(doc);
    expect(issues).toEqual(validateGraph(doc, registry));
    expect(issues.some((i) => i.node === 'rout' || i.node === 'rin')).toBe(true);
  });
});

describe('PrepMemo', () => {
  it('returns the same issues and plan for the same frozen document', () => {
    const prep = new PrepMemo(registry, validateGraph, true);
    const doc = chain();
    expect(prep.validate(doc)).toBe(prep.validate(doc));
    const plan = prep.plan(doc);
    expect(prep.plan(doc)).toBe(plan);
    expect(prep.plan(doc, ['b'])).not.toBe(plan);
  });

  it('re-plans only the node whose param changed, with the plan planRun would make', () => {
    const prep = new PrepMemo(registry, validateGraph, true);
    const doc = chain();
    const first = prep.plan(doc);
    const next = produce(doc, param('b', 'offset', 9));
    const second = prep.plan(next);
    if (!first.ok || !second.ok) throw new Error('plans failed');
    expect(second.plan.nodes.get('a')).toBe(first.plan.nodes.get('a'));
    expect(second.plan.nodes.get('b')).not.toBe(first.plan.nodes.get('b'));
    expect(second.plan.nodes.get('b')!.params.offset).toBe(9);
    const fresh = planRun(next, registry);
    if (!fresh.ok) throw new Error('planRun failed');
    expect(second.plan.order).toEqual(fresh.plan.order);
    expect(second.plan.targets).toEqual(fresh.plan.targets);
    for (const [id, planned] of fresh.plan.nodes) {
      const got = second.plan.nodes.get(id)!;
      expect({ params: got.params, node: got.node, sources: got.sources }, id).toEqual({ params: planned.params, node: planned.node, sources: planned.sources });
    }
  });

  it('gives the signatures the un-memoised computation gives, edit after edit', async () => {
    const prep = new PrepMemo(registry, validateGraph, true);
    let doc = chain();
    for (const [what, edit] of [['start', () => {}] as [string, Edit], ...EDITS]) {
      doc = produce(doc, edit);
      if (prep.validate(doc).some((i) => i.severity !== 'warning')) continue;
      const planned = prep.plan(doc);
      const fresh = planRun(doc, registry);
      if (!planned.ok || !fresh.ok) throw new Error(`${what}: plan failed`);
      const memoised = await computeSignatures(planned.plan, doc, 'run', undefined, prep.signatures);
      const again = await computeSignatures(planned.plan, doc, 'run', undefined, prep.signatures);
      const plain = await computeSignatures(fresh.plan, doc, 'run');
      expect(Object.fromEntries(memoised.signature), what).toEqual(Object.fromEntries(plain.signature));
      expect(again).toBe(memoised);
    }
  });
});

describe('engine with memoised preparation', () => {
  it('reruns an unchanged frozen document from the cache and reruns what a change touches', async () => {
    const engine = createEngine({ registry });
    let doc = chain();
    const first = await engine.run(doc);
    expect(first.ok).toBe(true);
    expect(first.outputs.out.value).toBe(6);
    const before = ranCount('a');
    const again = await engine.run(doc);
    expect(again.stats.executed).toBe(0);
    expect(ranCount('a')).toBe(before);

    doc = produce(doc, param('c', 'offset', 13));
    const changed = await engine.run(doc);
    expect(changed.outputs.out.value).toBe(16);
    expect(changed.nodes.c.status).toBe('executed');
    expect(changed.nodes.out.status).toBe('executed');
    expect(changed.nodes.b.status).toBe('cached');

    doc = produce(doc, (d) => void d.edges.splice(1, 1, edge('a.y->c.x')));
    const rewired = await engine.run(doc);
    expect(rewired.outputs.out.value).toBe(14);

    doc = produce(doc, param('a', 'offset', 'x'));
    const broken = await engine.run(doc);
    expect(broken.ok).toBe(false);
    expect(broken.error?.issues?.some((i) => i.node === 'a')).toBe(true);
  });

  it('calls a validator the host gives on every run, frozen document or not', async () => {
    let calls = 0;
    const engine = createEngine({ registry, validate: (g, r) => (calls++, validateGraph(g, r)) });
    const doc = chain();
    await engine.run(doc);
    await engine.run(doc);
    expect(calls).toBe(2);
  });

  it('sees in-place changes of a document that is not frozen (no memo for those)', async () => {
    const engine = createEngine({ registry });
    const doc = graph([node('a', 'test/probe', { offset: 1 }), node('out', 'test/sink')], ['a.y->out.value']);
    expect((await engine.run(doc)).outputs.out.value).toBe(1);
    doc.nodes[0].params.offset = 5;
    expect((await engine.run(doc)).outputs.out.value).toBe(5);
    doc.edges.length = 0;
    expect((await engine.run(doc)).ok).toBe(false);
  });

  it('runs a shipped graph to the same outputs memoised or not', async () => {
    const raw = JSON.parse(readFileSync(new URL('../../graphs/math-demo.json', import.meta.url), 'utf8')) as GraphDocument;
    const frozen = freeze(structuredClone(raw), true);
    const memoised = createEngine({ registry });
    const outputs = ['finish'];
    expect((await memoised.run(frozen, { outputs })).error).toBeUndefined();
    let doc = frozen;
    for (const factor of [3, 4]) {
      doc = produce(doc, param('double', 'factor', factor));
      const got = await memoised.run(doc, { outputs });
      const plain = await createEngine({ registry }).run(structuredClone(doc) as GraphDocument, { outputs });
      expect(got.error).toBeUndefined();
      expect(got.nodes.double.status).toBe('executed');
      expect(got.outputs).toEqual(plain.outputs);
    }
  });
});
