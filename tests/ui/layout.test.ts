import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GraphDocument, GraphNode } from '../../src/graph/document.ts';
import { ALL_NODES } from '../../nodes/index.ts';
import { NodeCatalog, toNodeTypeInfo } from '../../src/ui/catalog.ts';
import { zoneMembers } from '../../src/ui/analysis/graphAnalysis.ts';
import { cardSize } from '../../src/ui/layout/cardSize.ts';
import { layoutGraph } from '../../src/ui/layout/autoLayout.ts';
import { cardBoxes, overlaps } from '../../src/ui/layout/boxes.ts';

const catalog = new NodeCatalog(ALL_NODES.map(toNodeTypeInfo));
const sizeOf = (n: GraphNode) => cardSize(n, catalog.get(n.type), catalog.portsOf(n));
const GRAPHS = resolve(import.meta.dirname, '../../graphs');
const shipped = readdirSync(GRAPHS).filter((f) => f.endsWith('.json')).sort();
const load = (file: string) => JSON.parse(readFileSync(join(GRAPHS, file), 'utf8')) as GraphDocument;
const withPositions = (doc: GraphDocument, at: Map<string, { x: number; y: number }>): GraphDocument =>
  ({ ...doc, nodes: doc.nodes.map((n) => ({ ...n, ui: { ...n.ui, ...at.get(n.id)! } })) });

describe('shipped graphs are stored without overlapping cards', () => {
  it('finds every shipped graph', () => expect(shipped.length).toBeGreaterThanOrEqual(10));
  it.each(shipped)('%s: no card on another, no stranger inside a zone frame', (file) => {
    const doc = load(file);
    expect(overlaps(cardBoxes(doc, sizeOf), zoneMembers(doc))).toEqual([]);
  });
});

describe('tidy up (dagre layout)', () => {
  it.each(shipped)('%s: laid out without overlaps, wires left to right', (file) => {
    const doc = load(file);
    const members = zoneMembers(doc);
    const laid = withPositions(doc, layoutGraph(doc, sizeOf, members));
    expect(overlaps(cardBoxes(laid, sizeOf), members)).toEqual([]);
    const x = new Map(laid.nodes.map((n) => [n.id, n.ui!.x]));
    for (const e of doc.edges) expect(x.get(e.to.node)!, `${e.from.node} → ${e.to.node}`).toBeGreaterThan(x.get(e.from.node)!);
  });

  it('lays out a graph whose nodes have no positions (all at 0,0)', () => {
    const doc = load('toy-img2img.json');
    const bare = { ...doc, nodes: doc.nodes.map(({ ui: _ui, ...n }) => n) };
    expect(overlaps(cardBoxes(bare, sizeOf), zoneMembers(bare)).length).toBeGreaterThan(10);
    const laid = withPositions(bare, layoutGraph(bare, sizeOf, zoneMembers(bare)));
    expect(overlaps(cardBoxes(laid, sizeOf), zoneMembers(bare))).toEqual([]);
  });

  it('detects a card placed on another and a stranger inside a zone frame', () => {
    const doc = load('toy-txt2img.json');
    const members = zoneMembers(doc);
    const [zone, ids] = [...members][0];
    const inside = doc.nodes.find((n) => n.id === ids.find((id) => !doc.nodes.find((m) => m.id === id)!.type.startsWith('flow/')))!;
    const stranger = doc.nodes.find((n) => !ids.includes(n.id))!;
    const moved = { ...doc, nodes: doc.nodes.map((n) => (n.id === stranger.id ? { ...n, ui: { x: inside.ui!.x + 30, y: inside.ui!.y + 30 } } : n)) };
    const found = overlaps(cardBoxes(moved, sizeOf), members);
    expect(found).toContain(`zone:${zone} × ${stranger.id}`);
    expect(found.some((f) => f.includes(inside.id) && f.includes(stranger.id))).toBe(true);
  });
});
