import { checkConnection } from '../../src/graph/connection.ts';
import type { GraphDocument, PortRef } from '../../src/graph/document.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { edge, graph, node, zoneGraph } from './build.ts';

const registry = defaultRegistry();
const ref = (s: string): PortRef => ({ node: s.split('.')[0], port: s.split('.')[1] });
const check = (doc: GraphDocument, from: string, to: string) => checkConnection(doc, registry, ref(from), ref(to));

function doc(): GraphDocument {
  return graph(
    [
      node('x', 'const/float', { value: 1 }),
      node('i', 'const/int', { value: 1 }),
      node('p', 'text/prompt', { text: 'hi' }),
      node('a', 'math/add'),
      node('b', 'math/add'),
    ],
    [edge('x.value', 'a.a'), edge('a.result', 'b.a')],
  );
}

describe('checkConnection', () => {
  it('accepts a free input of an assignable type', () => {
    expect(check(doc(), 'x.value', 'b.b')).toEqual({ isValid: true });
    expect(check(doc(), 'i.value', 'a.b')).toEqual({ isValid: true }); // INT widens to FLOAT
  });

  it('reports the edge it would replace', () => {
    expect(check(doc(), 'i.value', 'a.a')).toEqual({ isValid: true, replaces: edge('x.value', 'a.a') });
  });

  it('refuses a type mismatch with the types named', () => {
    const result = check(doc(), 'p.text', 'a.b');
    expect(result).toMatchObject({ isValid: false, code: 'type-mismatch' });
    if (!result.isValid) expect(result.reason).toContain('TEXT');
  });

  it('refuses cycles and self-connections', () => {
    expect(check(doc(), 'b.result', 'a.b')).toMatchObject({ isValid: false, code: 'cycle' });
    expect(check(doc(), 'a.result', 'a.b')).toMatchObject({ isValid: false, code: 'cycle' });
  });

  it('refuses unknown ports, missing nodes and unknown types', () => {
    expect(check(doc(), 'x.nope', 'b.b')).toMatchObject({ isValid: false, code: 'unknown-port' });
    expect(check(doc(), 'x.value', 'b.nope')).toMatchObject({ isValid: false, code: 'unknown-port' });
    expect(check(doc(), 'a.a', 'b.b')).toMatchObject({ isValid: false, code: 'unknown-port' }); // an input is not an output
    expect(check(doc(), 'ghost.value', 'b.b')).toMatchObject({ isValid: false, code: 'dangling-edge' });
    const odd = doc();
    odd.nodes.push(node('u', 'nope/unknown'));
    expect(check(odd, 'u.out', 'b.b')).toMatchObject({ isValid: false, code: 'dangling-edge' });
  });

  it('refuses an exact duplicate edge', () => {
    expect(check(doc(), 'x.value', 'a.a')).toMatchObject({ isValid: false, code: 'input-has-two-edges' });
  });

  it('knows params turned into inputs and dynamic ports', () => {
    const d = doc();
    expect(check(d, 'x.value', 'b.bias')).toMatchObject({ isValid: false, code: 'unknown-port' });
    d.nodes[4].paramInputs = ['bias'];
    expect(check(d, 'x.value', 'b.bias')).toEqual({ isValid: true });
    expect(check(zoneGraph(), 'count.value', 'after.b')).toEqual({ isValid: true });
    expect(check(zoneGraph(), 'init.value', 'out.x')).toMatchObject({ isValid: true, replaces: edge('double.result', 'out.x') });
  });

  it('refuses an edge that leaves a zone body other than through its repeat-output', () => {
    const result = check(zoneGraph(), 'double.result', 'after.b');
    expect(result).toMatchObject({ isValid: false, code: 'zone-crossing' });
    expect(check(zoneGraph(), 'out.x', 'after.b')).toEqual({ isValid: true });
    expect(check(zoneGraph(), 'init.value', 'double.b')).toEqual({ isValid: true }); // invariant input enters freely
  });

  it('never throws on a broken document', () => {
    const broken = { nodes: [null], edges: 'x' } as unknown as GraphDocument;
    expect(checkConnection(broken, registry, ref('a.b'), ref('c.d'))).toMatchObject({ isValid: false });
  });
});
