import { applyPatches, enablePatches, produce, produceWithPatches } from 'immer';
import type { GraphDocument } from '../../src/graph/document.ts';
import {
  addNode,
  connect,
  disconnect,
  freshId,
  inputToParam,
  moveNode,
  moveNodes,
  paramToInput,
  removeNode,
  removeNodes,
  renameNode,
  setParam,
  setTitle,
} from '../../src/graph/edits.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { edge, graph, node } from './build.ts';

enablePatches();
const registry = defaultRegistry();

function chain(): GraphDocument {
  return graph(
    [node('x', 'const/float', { value: 2 }, { ui: { x: 0, y: 0 } }), node('sum', 'math/add', {}, { ui: { x: 200, y: 0 } }), node('y', 'const/float', { value: 3 })],
    [edge('x.value', 'sum.a')],
  );
}

/** Applies a recipe with patches and checks that the inverse patches restore the original. */
function edit(doc: GraphDocument, recipe: (d: GraphDocument) => void): GraphDocument {
  const [next, , inverse] = produceWithPatches(doc, recipe);
  expect(applyPatches(next, inverse)).toEqual(doc);
  return next;
}

describe('edit operations (immer recipes)', () => {
  it('addNode adds a copy and refuses a taken id', () => {
    const n = node('m', 'math/multiply', { factor: 2 });
    const next = edit(chain(), (d) => addNode(d, n));
    expect(next.nodes.map((x) => x.id)).toEqual(['x', 'sum', 'y', 'm']);
    expect(next.nodes[3]).not.toBe(n);
    expect(() => produce(chain(), (d) => addNode(d, node('x', 'math/add')))).toThrow(/already exists/);
  });

  it('removeNode removes the node and its edges', () => {
    const next = edit(chain(), (d) => removeNode(d, 'x'));
    expect(next.nodes.map((x) => x.id)).toEqual(['sum', 'y']);
    expect(next.edges).toEqual([]);
    const both = edit(chain(), (d) => removeNodes(d, ['x', 'sum', 'ghost']));
    expect(both.nodes.map((x) => x.id)).toEqual(['y']);
  });

  it('connect adds an edge, replaces the one already in that input, and is idempotent', () => {
    const base = chain();
    const replaced = edit(base, (d) => connect(d, edge('y.value', 'sum.a')));
    expect(replaced.edges).toEqual([edge('y.value', 'sum.a')]);
    const added = edit(base, (d) => connect(d, edge('y.value', 'sum.b')));
    expect(added.edges).toEqual([edge('x.value', 'sum.a'), edge('y.value', 'sum.b')]);
    expect(produce(base, (d) => connect(d, edge('x.value', 'sum.a')))).toBe(base);
    expect(() => produce(base, (d) => connect(d, edge('ghost.value', 'sum.b')))).toThrow(/No node "ghost"/);
  });

  it('disconnect removes the edge into an input (only from the given source when named)', () => {
    const base = chain();
    expect(edit(base, (d) => disconnect(d, { node: 'sum', port: 'a' })).edges).toEqual([]);
    expect(produce(base, (d) => disconnect(d, { node: 'sum', port: 'a' }, { node: 'y', port: 'value' }))).toBe(base);
  });

  it('setParam sets a value and undefined restores the default', () => {
    const base = chain();
    const set = edit(base, (d) => setParam(d, 'sum', 'bias', 5));
    expect(set.nodes[1].params).toEqual({ bias: 5 });
    expect(edit(set, (d) => setParam(d, 'sum', 'bias', undefined)).nodes[1].params).toEqual({});
    const list = [{ name: 'latent', type: 'LATENT' }];
    const withList = produce(base, (d) => setParam(d, 'sum', 'list', list));
    list[0].name = 'changed';
    expect(withList.nodes[1].params.list).toEqual([{ name: 'latent', type: 'LATENT' }]);
  });

  it('moveNode / moveNodes set positions, creating ui when absent', () => {
    const moved = edit(chain(), (d) => moveNode(d, 'x', 10, 20));
    expect(moved.nodes[0].ui).toEqual({ x: 10, y: 20 });
    const many = edit(chain(), (d) => moveNodes(d, { sum: { x: 1, y: 2 }, y: { x: 3, y: 4 } }));
    expect(many.nodes.map((n) => n.ui)).toEqual([{ x: 0, y: 0 }, { x: 1, y: 2 }, { x: 3, y: 4 }]);
    expect(() => produce(chain(), (d) => moveNode(d, 'x', Number.NaN, 0))).toThrow(/finite/);
  });

  it('setTitle sets and clears the title', () => {
    const titled = edit(chain(), (d) => setTitle(d, 'sum', 'Total'));
    expect(titled.nodes[1].title).toBe('Total');
    expect('title' in edit(titled, (d) => setTitle(d, 'sum', '')).nodes[1]).toBe(false);
  });

  it('renameNode renames the node and rewrites its edges', () => {
    const renamed = edit(chain(), (d) => renameNode(d, 'sum', 'total'));
    expect(renamed.nodes[1].id).toBe('total');
    expect(renamed.edges).toEqual([edge('x.value', 'total.a')]);
    expect(() => produce(chain(), (d) => renameNode(d, 'sum', 'x'))).toThrow(/taken/);
  });

  it('paramToInput / inputToParam convert a widget to a socket and back', () => {
    const asInput = edit(chain(), (d) => paramToInput(d, 'sum', 'bias'));
    expect(asInput.nodes[1].paramInputs).toEqual(['bias']);
    const wired = edit(asInput, (d) => connect(d, edge('y.value', 'sum.bias')));
    expect(validateGraph(wired, registry).filter((i) => i.severity !== 'warning')).toEqual([]);
    const back = edit(wired, (d) => inputToParam(d, 'sum', 'bias'));
    expect(back.nodes[1].paramInputs).toBeUndefined();
    expect(back.edges).toEqual([edge('x.value', 'sum.a')]);
  });

  it('freshId finds an unused id', () => {
    expect(freshId(chain(), 'sum')).toBe('sum_2');
    expect(freshId(chain(), 'new')).toBe('new');
  });
});
