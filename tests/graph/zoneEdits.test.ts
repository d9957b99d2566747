import { applyPatches, enablePatches, produce, produceWithPatches } from 'immer';
import type { GraphDocument } from '../../src/graph/document.ts';
import { groupIds, groupIntoZone, ungroupZone } from '../../src/graph/zoneEdits.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import { analyzeZones } from '../../src/graph/zones.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { edge, graph, node, zoneGraph } from './build.ts';

enablePatches();
const registry = defaultRegistry();
const errorCodes = (doc: GraphDocument) => validateGraph(doc, registry).filter((i) => i.severity !== 'warning').map((i) => i.code);

function line(): GraphDocument {
  return graph(
    [
      node('x', 'const/float', { value: 2 }, { ui: { x: 0, y: 0 } }),
      node('double', 'math/multiply', { factor: 2 }, { ui: { x: 200, y: 0 } }),
      node('inc', 'math/add', { bias: 1 }, { ui: { x: 400, y: 100 } }),
      node('end', 'math/add', {}, { ui: { x: 600, y: 0 } }),
    ],
    [edge('x.value', 'double.a'), edge('double.result', 'inc.a'), edge('inc.result', 'end.a')],
  );
}

describe('groupIntoZone / ungroupZone', () => {
  it('groups nodes into a zone whose leaving values go through the repeat-output', () => {
    const base = line();
    const [next, , inverse] = produceWithPatches(base, (d) => groupIntoZone(d, ['double', 'inc'], { registry }));
    expect(applyPatches(next, inverse)).toEqual(base);
    const ids = groupIds(base);
    expect(ids).toEqual({ zoneId: 'zone', inputId: 'zone_input', outputId: 'zone_output' });
    const input = next.nodes.find((n) => n.id === 'zone_input')!;
    const output = next.nodes.find((n) => n.id === 'zone_output')!;
    expect(input).toMatchObject({ type: 'flow/repeat-input', zone: 'zone', params: { state: [{ name: 'result', type: 'FLOAT' }] }, ui: { x: -40, y: 50 } });
    expect(output).toMatchObject({ type: 'flow/repeat-output', zone: 'zone', ui: { x: 640, y: 50 } });
    expect(next.nodes.filter((n) => n.zone === 'zone').map((n) => n.id)).toEqual(['double', 'inc', 'zone_input', 'zone_output']);
    expect(next.edges).toEqual([
      edge('x.value', 'double.a'),
      edge('double.result', 'inc.a'),
      edge('inc.result', 'zone_output.result'),
      edge('zone_output.result', 'end.a'),
    ]);
    // No crossing now; what is left for the user is to wire the count and the initial state.
    expect(errorCodes(next).sort()).toEqual(['missing-input', 'missing-input']);
    expect(analyzeZones(next).zones).toHaveLength(1);
  });

  it('refuses repeat nodes, nodes already in a zone, unknown ids and empty selections', () => {
    expect(() => produce(zoneGraph(), (d) => groupIntoZone(d, ['in']))).toThrow(/repeat node/);
    expect(() => produce(zoneGraph(), (d) => groupIntoZone(d, ['double']))).toThrow(/already in zone "z"/);
    expect(() => produce(line(), (d) => groupIntoZone(d, ['nope']))).toThrow(/No node "nope"/);
    expect(() => produce(line(), (d) => groupIntoZone(d, []))).toThrow(/at least one/);
  });

  it('picks fresh zone and node ids when the defaults are taken', () => {
    const once = produce(line(), (d) => groupIntoZone(d, ['double']));
    expect(groupIds(once)).toEqual({ zoneId: 'zone_2', inputId: 'zone_2_input', outputId: 'zone_2_output' });
    const twice = produce(once, (d) => groupIntoZone(d, ['end']));
    expect(twice.nodes.filter((n) => n.zone === 'zone_2').map((n) => n.id)).toEqual(['end', 'zone_2_input', 'zone_2_output']);
  });

  it('ungroup removes the pair and wires around it', () => {
    const base = zoneGraph();
    const [next, , inverse] = produceWithPatches(base, (d) => ungroupZone(d, 'z'));
    expect(applyPatches(next, inverse)).toEqual(base);
    expect(next.nodes.map((n) => n.id)).toEqual(['count', 'init', 'double', 'after']);
    expect(next.nodes.some((n) => n.zone !== undefined)).toBe(false);
    expect(next.edges).toEqual([edge('init.value', 'double.a'), edge('double.result', 'after.a')]);
    expect(errorCodes(next)).toEqual([]);
    expect(() => produce(base, (d) => ungroupZone(d, 'nope'))).toThrow(/found 0 and 0/);
  });

  it('group then ungroup gives back the original wiring', () => {
    const grouped = produce(line(), (d) => groupIntoZone(d, ['double', 'inc'], { registry }));
    const back = produce(grouped, (d) => ungroupZone(d, 'zone'));
    expect(back.edges).toEqual(line().edges);
    expect(back.nodes).toEqual(line().nodes);
  });
});
