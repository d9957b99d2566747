import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GraphDocument, GraphNode } from '../../src/graph/document.ts';
import { ALL_NODES } from '../../nodes/index.ts';
import { NodeCatalog, toNodeTypeInfo } from '../../src/ui/catalog.ts';
import { zoneMembers } from '../../src/ui/analysis/graphAnalysis.ts';
import { cardSize } from '../../src/ui/layout/cardSize.ts';
import { cardBoxes, overlaps } from '../../src/ui/layout/boxes.ts';
import { drawnBoxes, drawnGraph, tidyPositions } from '../../src/ui/layout/tidy.ts';

const catalog = new NodeCatalog(ALL_NODES.map(toNodeTypeInfo));
const sizeOf = (n: GraphNode) => cardSize(n, catalog.get(n.type), catalog.portsOf(n));
const GRAPHS = resolve(import.meta.dirname, '../../graphs');
const shipped = readdirSync(GRAPHS).filter((f) => f.endsWith('.json')).sort();
const load = (file: string) => JSON.parse(readFileSync(join(GRAPHS, file), 'utf8')) as GraphDocument;
const withPositions = (doc: GraphDocument, at: Record<string, { x: number; y: number }>): GraphDocument =>
  ({ ...doc, nodes: doc.nodes.map((n) => ({ ...n, ui: { ...n.ui, ...at[n.id] } })) });
/** Overlaps as the canvas draws the graph (a collapsed zone is one box). */
const drawnOverlaps = (doc: GraphDocument) => {
  const drawn = drawnGraph(doc, sizeOf);
  return overlaps(drawnBoxes(drawn), drawn.members);
};

describe('shipped graphs are stored without overlapping cards', () => {
  it('finds every shipped graph', () => expect(shipped.length).toBeGreaterThanOrEqual(10));
  it.each(shipped)('%s: no card on another, no stranger inside a zone frame', (file) => {
    expect(drawnOverlaps(load(file))).toEqual([]);
  });
});

describe('tidy up (dagre layout)', () => {
  it.each(shipped)('%s: laid out without overlaps, wires left to right', (file) => {
    const doc = load(file);
    const laid = withPositions(doc, tidyPositions(doc, catalog));
    expect(drawnOverlaps(laid)).toEqual([]);
    const drawn = drawnGraph(laid, sizeOf);
    const x = new Map(drawn.doc.nodes.map((n) => [n.id, n.ui!.x]));
    for (const e of drawn.doc.edges) expect(x.get(e.to.node)!, `${e.from.node} → ${e.to.node}`).toBeGreaterThan(x.get(e.from.node)!);
  });

  it('lays out a graph whose nodes have no positions (all at 0,0)', () => {
    const doc = load('toy-img2img.json');
    const bare = { ...doc, nodes: doc.nodes.map(({ ui: _ui, ...n }) => n) };
    expect(overlaps(cardBoxes(bare, sizeOf), zoneMembers(bare)).length).toBeGreaterThan(10);
    const laid = withPositions(bare, tidyPositions(bare, catalog));
    expect(drawnOverlaps(laid)).toEqual([]);
  });

  it('detects a card placed on another and a stranger inside a zone frame', () => {
    const doc = load('toy-img2img.json');
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
