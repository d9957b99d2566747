/**
 * Random sequences of edit operations on random valid graphs: each step either applies or throws
 * a clear Error (leaving the document unchanged), keeps the document's invariants, and its
 * inverse patches restore the previous document exactly (what the editor's undo relies on).
 */
import fc from 'fast-check';
import { applyPatches, enablePatches, produceWithPatches, type Patch } from 'immer';
import type { GraphDocument } from '../../src/graph/document.ts';
import * as edits from '../../src/graph/editOps.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { validGraph } from './arbitraries.ts';
import { zoneGraph } from './build.ts';

enablePatches();
fc.configureGlobal({ seed: Number(process.env.PROPERTY_SEED ?? 20261121) });
const registry = defaultRegistry();

type Op = { kind: number; a: number; b: number; value: number; name: string };
const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.nat({ max: 12 }),
  a: fc.nat(),
  b: fc.nat(),
  value: fc.integer({ min: -100, max: 100 }),
  name: fc.constantFrom('a', 'b', 'bias', 'factor', 'value', 'result', 'count', 'nope'),
});

function recipe(doc: GraphDocument, o: Op): (d: GraphDocument) => void {
  const ids = doc.nodes.map((n) => n.id);
  const pick = (k: number) => ids[k % Math.max(1, ids.length)] ?? 'none';
  const free = doc.nodes.filter((n) => n.zone === undefined && !n.type.startsWith('flow/')).map((n) => n.id);
  const zones = [...new Set(doc.nodes.map((n) => n.zone).filter((z) => z !== undefined))];
  switch (o.kind) {
    case 0: return (d) => edits.addNode(d, { id: edits.freshId(d, 'added'), type: 'math/add', version: 1, params: {} });
    case 1: return (d) => edits.removeNode(d, pick(o.a));
    case 2: return (d) => edits.connect(d, { from: { node: pick(o.a), port: o.name }, to: { node: pick(o.b), port: o.name } });
    case 3: return (d) => edits.disconnect(d, { node: pick(o.b), port: o.name });
    case 4: return (d) => edits.setParam(d, pick(o.a), o.name, o.value);
    case 5: return (d) => edits.moveNode(d, pick(o.a), o.value, o.b % 1000);
    case 6: return (d) => edits.renameNode(d, pick(o.a), `r${o.b % 5}`);
    case 7: return (d) => edits.paramToInput(d, pick(o.a), o.name);
    case 8: return (d) => edits.inputToParam(d, pick(o.a), o.name);
    case 9: return (d) => edits.setTitle(d, pick(o.a), o.value > 0 ? `T${o.value}` : undefined);
    case 10: return (d) => edits.groupIntoZone(d, free.filter((_, i) => (o.a >> i) & 1), { registry });
    case 11: return (d) => edits.ungroupZone(d, zones[o.a % Math.max(1, zones.length)] ?? 'none');
    default: return (d) => edits.removeNodes(d, [pick(o.a), pick(o.b)]);
  }
}

function checkInvariants(doc: GraphDocument): void {
  const ids = doc.nodes.map((n) => n.id);
  expect(new Set(ids).size).toBe(ids.length);
  const known = new Set(ids);
  const inputs = new Set<string>();
  for (const e of doc.edges) {
    expect(known.has(e.from.node) && known.has(e.to.node)).toBe(true);
    const key = `${e.to.node}.${e.to.port}`;
    expect(inputs.has(key)).toBe(false);
    inputs.add(key);
  }
}

describe('edit operations on random graphs', () => {
  it('keep invariants and undo exactly', () => {
    fc.assert(
      fc.property(fc.oneof(validGraph(registry), fc.constant(zoneGraph())), fc.array(op, { maxLength: 15 }), (start, ops) => {
        let doc = start;
        for (const o of ops) {
          let next: GraphDocument;
          let inverse: Patch[];
          try {
            [next, , inverse] = produceWithPatches(doc, recipe(doc, o));
          } catch (error) {
            expect(error).toBeInstanceOf(Error);
            expect((error as Error).message.length).toBeGreaterThan(5);
            continue;
          }
          checkInvariants(next);
          expect(applyPatches(next, inverse)).toEqual(doc);
          doc = next;
        }
      }),
      { numRuns: 300 },
    );
  });
});
