/** Collapsed repeat zones: the box's ports, the edges drawn to it, and expanding in place. */
import { produce } from 'immer';
import { collapsedZoneBox, collapsedZones, edgesWithBoxes, resolveBoxPort, setZoneCollapsed } from '../../src/graph/zoneCollapse.ts';
import { zoneMembers } from '../../src/ui/analysis/graphAnalysis.ts';
import { edge } from './build.ts';
import { zoneGraph } from './build.ts';

function placed() {
  const doc = zoneGraph();
  const xs: Record<string, number> = { count: 0, init: 0, in: 300, double: 600, out: 900, after: 1200 };
  for (const n of doc.nodes) n.ui = { x: xs[n.id], y: n.id === 'init' ? 200 : 0 };
  doc.nodes.push({ id: 'again', type: 'math/add', version: 1, params: {}, ui: { x: 1200, y: 200 } });
  doc.edges.push(edge('out.x', 'again.a'), edge('init.value', 'double.b'));
  return doc;
}

describe('collapsed zones', () => {
  it('the box has one input per outside source and one output per inner source read outside', () => {
    const doc = placed();
    const members = zoneMembers(doc).get('z')!;
    expect(members.sort()).toEqual(['double', 'in', 'out']);
    const box = collapsedZoneBox(doc, 'z', members);
    expect(box).toMatchObject({ id: 'collapsed-zone:z', zone: 'z', progressNode: 'out', position: { x: 300, y: 0 } });
    expect(box.inputs.map((p) => [p.key, p.targets.map((t) => `${t.node}.${t.port}`)])).toEqual([
      ['count.value', ['in.count']],
      ['init.value', ['in.x', 'double.b']],
    ]);
    expect(box.outputs.map((p) => p.key)).toEqual(['out.x']);
    expect(resolveBoxPort(box, 'init.value', 'in')).toEqual([{ node: 'in', port: 'x' }, { node: 'double', port: 'b' }]);
    expect(resolveBoxPort(box, 'out.x', 'out')).toEqual([{ node: 'out', port: 'x' }]);
    expect(resolveBoxPort(box, 'nope', 'out')).toEqual([]);
  });

  it('a required inner input nothing feeds is a port of the box too, to be wired there', () => {
    const doc = placed();
    doc.edges = doc.edges.filter((e) => !(e.to.node === 'double' && e.to.port === 'a'));
    const required = (id: string) => (id === 'double' ? ['a'] : id === 'in' ? ['count'] : []);
    const box = collapsedZoneBox(doc, 'z', zoneMembers(doc).get('z')!, required);
    expect(box.inputs.map((p) => [p.key, p.label, p.source])).toEqual([
      ['count.value', 'value', { node: 'count', port: 'value' }],
      ['init.value', 'value 2', { node: 'init', port: 'value' }],
      ['open:double.a', 'a?', undefined],
    ]);
    expect(resolveBoxPort(box, 'open:double.a', 'in')).toEqual([{ node: 'double', port: 'a' }]);
  });

  it('edges inside the zone are hidden; crossing edges end on the box, once per port', () => {
    const doc = placed();
    const box = collapsedZoneBox(doc, 'z', zoneMembers(doc).get('z')!);
    expect(edgesWithBoxes(doc.edges, [box])).toEqual([
      edge('count.value', 'collapsed-zone:z.count.value'),
      edge('init.value', 'collapsed-zone:z.init.value'),
      edge('collapsed-zone:z.out.x', 'after.a'),
      edge('collapsed-zone:z.out.x', 'again.a'),
    ]);
  });

  it('collapsing marks the pair and pulls later nodes left; expanding restores every position', () => {
    const doc = placed();
    const members = zoneMembers(doc).get('z')!;
    expect(collapsedZones(doc, zoneMembers(doc))).toEqual([]);
    const collapsed = produce(doc, (d) => setZoneCollapsed(d, 'z', members, true));
    expect(collapsedZones(collapsed, zoneMembers(collapsed))).toEqual(['z']);
    const x = (d: typeof doc, id: string) => d.nodes.find((n) => n.id === id)!.ui!.x;
    // The zone spans 300..1160; its box 260 wide: what follows moves 600 to the left.
    expect(x(collapsed, 'after')).toBe(600);
    expect(x(collapsed, 'again')).toBe(600);
    expect(x(collapsed, 'count')).toBe(0);
    expect(x(collapsed, 'double')).toBe(600);
    const expanded = produce(collapsed, (d) => setZoneCollapsed(d, 'z', members, false));
    expect(expanded).toEqual(doc);
    expect(produce(expanded, (d) => setZoneCollapsed(d, 'z', members, false))).toBe(expanded);
  });

  it('refuses a zone without its pair, naming it', () => {
    const doc = placed();
    expect(() => produce(doc, (d) => setZoneCollapsed(d, 'nowhere', [], true))).toThrow('Repeat zone "nowhere" has no repeat-input/repeat-output pair');
  });
});
