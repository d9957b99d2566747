/** Making a subgraph from a selection and unpacking it back (src/graph/subgraphEdits.ts). */
import { produce } from 'immer';
import { makeSubgraph, unpackSubgraph } from '../../src/graph/subgraphEdits.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import { createEngine } from '../../src/engine/index.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { edge, node, zoneGraph } from './build.ts';
import { flatMathGraph } from './subgraphFixtures.ts';

const registry = defaultRegistry();
const floatType = () => 'FLOAT';

describe('makeSubgraph / unpackSubgraph', () => {
  it('boundary edges become exposed ports, the result validates and computes the same', async () => {
    const doc = flatMathGraph();
    doc.nodes.push(node('tap', 'math/add', {}, { ui: { x: 600, y: 200 } }));
    doc.edges.push(edge('x.value', 'plus.b'), edge('double.result', 'tap.a'));
    let id = '';
    const packed = produce(doc, (d) => void (id = makeSubgraph(d, ['double', 'plus'], { portType: floatType, title: 'Math' })));
    expect(id).toBe('subgraph');
    expect(packed.nodes.map((n) => n.id)).toEqual(['x', 'subgraph', 'after', 'tap']);
    const sg = packed.nodes[1];
    expect(sg).toMatchObject({ type: 'graph/subgraph', title: 'Math', ui: { x: 200, y: 0 } });
    expect(sg.subgraph!.inputs).toEqual([{ name: 'a', type: 'FLOAT', to: [{ node: 'double', port: 'a' }, { node: 'plus', port: 'b' }] }]);
    expect(sg.subgraph!.outputs.map((p) => [p.name, `${p.from.node}.${p.from.port}`])).toEqual([['result', 'plus.result'], ['result_2', 'double.result']]);
    expect(packed.edges).toEqual([
      edge('x.value', 'subgraph.a'),
      edge('subgraph.result', 'after.a'),
      edge('subgraph.result_2', 'tap.a'),
    ]);
    expect(validateGraph(packed, registry).filter((i) => i.severity !== 'warning')).toEqual([]);
    const engine = createEngine({ registry });
    const a = await engine.run(doc, { outputs: ['after', 'tap'] });
    const b = await createEngine({ registry }).run(packed, { outputs: ['after', 'tap'] });
    expect(b.outputs).toEqual(a.outputs);
  });

  it('unpacking restores ids, edges and positions (moved with the subgraph node)', () => {
    const doc = flatMathGraph();
    const packed = produce(doc, (d) => void makeSubgraph(d, ['double', 'plus'], { portType: floatType }));
    const back = produce(packed, (d) => void unpackSubgraph(d, 'subgraph'));
    expect(back.nodes).toEqual(doc.nodes);
    expect(new Set(back.edges.map((e) => JSON.stringify(e)))).toEqual(new Set(doc.edges.map((e) => JSON.stringify(e))));
    const moved = produce(packed, (d) => void (d.nodes[1].ui = { x: 250, y: 40 }));
    const placed = produce(moved, (d) => void unpackSubgraph(d, 'subgraph'));
    expect(placed.nodes.find((n) => n.id === 'plus')!.ui).toEqual({ x: 450, y: 40 });
  });

  it('unpacking with makeRoom moves what lies from the subgraph rightwards by the inside\'s width', () => {
    const packed = produce(flatMathGraph(), (d) => void makeSubgraph(d, ['double', 'plus'], { portType: floatType }));
    // Compact: the subgraph as one card right next to "after".
    const compact = produce(packed, (d) => void (d.nodes.find((n) => n.id === 'after')!.ui = { x: 460, y: 0 }));
    const opened = produce(compact, (d) => void unpackSubgraph(d, 'subgraph', { makeRoom: true }));
    const x = (id: string) => opened.nodes.find((n) => n.id === id)!.ui!.x;
    expect([x('x'), x('double'), x('plus'), x('after')]).toEqual([0, 200, 400, 460 + 460]);
  });

  it('an inner id the graph now uses again is renamed on unpacking', () => {
    const packed = produce(flatMathGraph(), (d) => void makeSubgraph(d, ['double'], { portType: floatType }));
    const clash = produce(packed, (d) => void d.nodes.push(node('double', 'const/float', { value: 0 })));
    let ids: string[] = [];
    const back = produce(clash, (d) => void (ids = unpackSubgraph(d, 'subgraph')));
    expect(ids).toEqual(['double_2']);
    expect(back.edges).toContainEqual(edge('x.value', 'double_2.a'));
    expect(validateGraph(back, registry).filter((i) => i.severity !== 'warning')).toEqual([]);
  });

  it('a whole repeat zone can go into a subgraph; half a zone cannot', () => {
    const doc = zoneGraph();
    const packed = produce(doc, (d) => void makeSubgraph(d, ['in', 'double', 'out'], { portType: floatType }));
    expect(validateGraph(packed, registry).filter((i) => i.severity !== 'warning')).toEqual([]);
    expect(() => produce(doc, (d) => void makeSubgraph(d, ['in', 'double']))).toThrow('The selection takes part of repeat zone "z"');
    expect(() => produce(doc, (d) => void makeSubgraph(d, []))).toThrow('Select at least one node');
    expect(() => produce(doc, (d) => void unpackSubgraph(d, 'count'))).toThrow('Node "count" is not a subgraph');
  });
});
