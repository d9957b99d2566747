/**
 * The editor's subgraph view and collapsed-zone plumbing, without a browser: edits made in an
 * open subgraph land inside it (one undo history), a subgraph's status sums up its inner nodes,
 * and wire ends on a collapsed zone's box map to the inner ports behind it.
 */
import { produce } from 'immer';
import { subgraphDocument, editInside } from '../../src/ui/app/useSubgraphView.ts';
import { createEditorStore } from '../../src/ui/store/editorStore.ts';
import { aggregateStatus, memoAggregate, membersStatus } from '../../src/ui/run/subgraphStatus.ts';
import { collapsedView, graphRefs } from '../../src/ui/canvas/collapsedView.ts';
import { setZoneCollapsed } from '../../src/graph/zoneCollapse.ts';
import { zoneMembers } from '../../src/ui/analysis/graphAnalysis.ts';
import * as edits from '../../src/ui/store/docEdits.ts';
import { subgraphMathGraph } from '../graph/subgraphFixtures.ts';
import { zoneGraph } from '../graph/build.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import { defaultRegistry } from '../../nodes/index.ts';

describe('subgraph view', () => {
  it('shows the inside as a document, and edits made there land inside the subgraph, undoably', () => {
    const store = createEditorStore(subgraphMathGraph());
    const inside = subgraphDocument(store.getSnapshot().doc, ['sg'])!;
    expect(inside.nodes.map((n) => n.id)).toEqual(['double', 'plus']);
    expect(subgraphDocument(store.getSnapshot().doc, ['x'])).toBeUndefined();
    store.edit('Set bias', (d) => editInside(d, ['sg'], (view) => edits.setParam(view, 'plus', 'bias', 7)));
    store.edit('Remove double', (d) => editInside(d, ['sg'], (view) => edits.removeNodes(view, ['double'])));
    const body = store.getSnapshot().doc.nodes[1].subgraph!;
    expect(body.nodes.map((n) => [n.id, n.params.bias])).toEqual([['plus', 7]]);
    expect(body.edges).toEqual([]);
    // The top level is untouched.
    expect(store.getSnapshot().doc.nodes.map((n) => n.id)).toEqual(['x', 'sg', 'after']);
    store.undo();
    store.undo();
    expect(store.getSnapshot().doc).toEqual(subgraphMathGraph());
    expect(() => produce(subgraphMathGraph(), (d) => editInside(d, ['gone'], () => {}))).toThrow('Subgraph "gone" is gone');
  });

  it('keeps the exposed ports true to the inside: a wire made inside replaces the port\'s, a removed node takes its output and the wires from it', () => {
    const store = createEditorStore(subgraphMathGraph());
    store.edit('Add const', (d) => editInside(d, ['sg'], (view) => edits.addNodes(view, [{ id: 'k', type: 'const/float', version: 1, params: { value: 5 } }])));
    store.edit('Wire k', (d) => editInside(d, ['sg'], (view) => edits.connect(view, { from: { node: 'k', port: 'value' }, to: { node: 'double', port: 'a' } })));
    let body = store.getSnapshot().doc.nodes[1].subgraph!;
    expect(body.inputs[0].to).toEqual([]);
    store.edit('Remove plus', (d) => editInside(d, ['sg'], (view) => edits.removeNodes(view, ['plus'])));
    body = store.getSnapshot().doc.nodes[1].subgraph!;
    expect(body.outputs).toEqual([]);
    expect(store.getSnapshot().doc.edges).toEqual([{ from: { node: 'x', port: 'value' }, to: { node: 'sg', port: 'in' } }]);
    expect(validateGraph(store.getSnapshot().doc, defaultRegistry()).filter((i) => i.code === 'subgraph-invalid' || i.code === 'input-has-two-edges')).toEqual([]);
  });

  it('sums up inner statuses: running with its progress, error wins, done or cached at the end', () => {
    expect(aggregateStatus({ x: { state: 'done' } }, 'sg/')).toBeUndefined();
    expect(aggregateStatus({ 'sg/a': { state: 'done', ms: 2 }, 'sg/b': { state: 'running', progress: { value: 1, max: 4 } } }, 'sg/'))
      .toEqual({ state: 'running', progress: { value: 1, max: 4 } });
    expect(aggregateStatus({ 'sg/a': { state: 'error', error: { code: 'x', message: 'bad' } }, 'sg/b': { state: 'running' } }, 'sg/'))
      .toEqual({ state: 'error', error: { code: 'x', message: 'bad' } });
    expect(aggregateStatus({ 'sg/a': { state: 'cached', ms: 1 }, 'sg/b': { state: 'done', ms: 2, previewUrl: 'blob:p' } }, 'sg/'))
      .toEqual({ state: 'done', ms: 3, previewUrl: 'blob:p' });
    // A collapsed zone: the loop's steps once it runs, a member's download before.
    const download = { state: 'running' as const, progress: { value: 10, max: 99, unit: 'bytes' as const } };
    expect(membersStatus({ out: { state: 'pending' }, denoise: download }, ['out', 'denoise'])).toEqual(download);
    expect(membersStatus({ out: { state: 'running', progress: { value: 3, max: 20 } }, denoise: { state: 'done' } }, ['out', 'denoise']))
      .toEqual({ state: 'running', progress: { value: 3, max: 20 } });
    const memo = memoAggregate();
    const first = memo({ 'sg/a': { state: 'done', ms: 1 } }, 'sg/');
    expect(memo({ 'sg/a': { state: 'done', ms: 1 } }, 'sg/')).toBe(first);
  });
});

describe('collapsed zone boxes on the canvas', () => {
  it('a wire end on a box is the inner port(s) behind it', () => {
    const doc = zoneGraph();
    doc.nodes.forEach((n, i) => (n.ui = { x: i * 260, y: 0 }));
    const members = zoneMembers(doc);
    const collapsed = produce(doc, (d) => setZoneCollapsed(d, 'z', members.get('z')!, true));
    const view = collapsedView(collapsed, zoneMembers(collapsed));
    expect([...view.hidden].sort()).toEqual(['double', 'in', 'out']);
    expect(graphRefs(view, { node: 'collapsed-zone:z', port: 'init.value' }, 'in')).toEqual([{ node: 'in', port: 'x' }]);
    expect(graphRefs(view, { node: 'collapsed-zone:z', port: 'out.x' }, 'out')).toEqual([{ node: 'out', port: 'x' }]);
    expect(graphRefs(view, { node: 'after', port: 'a' }, 'in')).toEqual([{ node: 'after', port: 'a' }]);
    expect(collapsedView(doc, members).boxes).toEqual([]);
  });
});
