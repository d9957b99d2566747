/**
 * Format version 2: old version-1 files (every shipped graph among them) load silently as
 * version 2, saving writes version 2, and subgraph nodes and the app view round-trip
 * load → save → load unchanged; a malformed subgraph is refused naming where it is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRAPH_FORMAT_VERSION } from '../../src/graph/document.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { saveGraph, saveGraphText } from '../../src/persistence/save.ts';
import { subgraphMathGraph } from '../graph/subgraphFixtures.ts';

const dir = join(import.meta.dirname, '../../graphs');
const shipped = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

function mustLoad(input: unknown) {
  const result = loadGraph(input);
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.path ?? ''} ${i.message}`).join('; '));
  return result;
}

describe('graph format version 2', () => {
  it('is the current version', () => {
    expect(GRAPH_FORMAT_VERSION).toBe(2);
  });

  it('a version-1 file loads as version 2 without a warning and saves as version 2', () => {
    const v1 = {
      format: 'latentloom.graph',
      version: 1,
      nodes: [{ id: 'x', type: 'const/float', params: { value: 2 }, ui: { x: 1, y: 2, collapsed: true } }],
    };
    const result = mustLoad(v1);
    expect(result.warnings).toEqual([]);
    expect(result.graph.version).toBe(2);
    expect(result.graph.nodes[0]).toEqual({ id: 'x', type: 'const/float', version: 1, params: { value: 2 }, ui: { x: 1, y: 2, collapsed: true } });
    expect(saveGraph(result.graph).version).toBe(2);
  });

  it('a version-1 file is still checked against the version-1 schema', () => {
    const result = loadGraph({ format: 'latentloom.graph', version: 1, nodes: [{ id: '', type: 'const/float' }] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].message).toContain('As format version 1');
  });

  it.each(shipped)('shipped %s loads, and load → save → load round-trips', (file) => {
    const first = mustLoad(readFileSync(join(dir, file), 'utf8'));
    expect(first.warnings.filter((w) => w.code === 'migrated')).toEqual([]);
    const text = saveGraphText(first.graph);
    expect(JSON.parse(text).version).toBe(2);
    const second = mustLoad(text);
    expect(second.graph).toEqual(first.graph);
    expect(saveGraphText(second.graph)).toBe(text);
  });

  it('a subgraph node keeps its inside, exposed ports and nested subgraphs through a round trip', () => {
    const doc = subgraphMathGraph();
    const sg = doc.nodes[1];
    sg.subgraph!.nodes.push({
      id: 'nested', type: 'graph/subgraph', version: 1, params: {}, ui: { x: 5, y: 5 },
      subgraph: { nodes: [{ id: 'k', type: 'const/float', version: 1, params: { value: 3 } }], edges: [], inputs: [], outputs: [{ name: 'k', type: 'FLOAT', from: { node: 'k', port: 'value' } }] },
    });
    const first = mustLoad(saveGraphText(doc));
    expect(first.warnings).toEqual([]);
    expect(first.graph.nodes[1].subgraph).toEqual(sg.subgraph);
    const second = mustLoad(saveGraph(first.graph));
    expect(second.graph).toEqual(first.graph);
  });

  it('app.exposed round-trips; unknown fields inside it are dropped with a warning', () => {
    const doc = { ...subgraphMathGraph(), app: { exposed: [{ node: 'x', param: 'value', label: 'Start' }, { node: 'after', param: 'bias' }] } };
    const first = mustLoad(saveGraph(doc));
    expect(first.graph.app).toEqual(doc.app);
    expect(mustLoad(saveGraphText(first.graph)).graph).toEqual(first.graph);
    const odd = mustLoad({ ...saveGraph(doc), app: { exposed: [{ node: 'x', param: 'value', colour: 'red' }] } });
    expect(odd.graph.app).toEqual({ exposed: [{ node: 'x', param: 'value' }] });
    expect(odd.warnings.map((w) => w.path)).toEqual(['app.exposed[0].colour']);
  });

  it('a malformed subgraph is refused with the path of the bad field', () => {
    const saved = saveGraph(subgraphMathGraph()) as { nodes: Array<Record<string, unknown>> };
    (saved.nodes[1].subgraph as { outputs: unknown[] }).outputs = [{ name: 'out', type: 'FLOAT', from: { node: 'plus' } }];
    const result = loadGraph(saved);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toEqual(['nodes[1].subgraph.outputs[0].from.port']);
  });

  it('the node limit counts the nodes inside subgraphs', () => {
    const doc = subgraphMathGraph();
    expect(loadGraph(saveGraph(doc), { limits: { maxNodes: 5 } }).ok).toBe(true);
    const result = loadGraph(saveGraph(doc), { limits: { maxNodes: 4 } });
    expect(result.ok ? [] : result.issues.map((i) => [i.code, i.message])).toEqual([['too-large', 'Graph has 5 nodes counting those inside subgraphs; the limit is 4']]);
  });

  it('an inner node with an unknown field warns at its nested path', () => {
    const saved = saveGraph(subgraphMathGraph()) as { nodes: Array<Record<string, unknown>> };
    const inner = (saved.nodes[1].subgraph as { edges: Array<Record<string, unknown>> }).edges[0];
    inner.colour = 'red';
    const result = mustLoad(saved);
    expect(result.warnings.map((w) => w.path)).toEqual(['nodes[1].subgraph.edges[0].colour']);
  });
});
