/**
 * The far level of detail (detail.ts, below FAR_ZOOM): the whole graph on one <canvas> over the
 * pane, while React Flow's node and edge layers are not displayed (canvas.css). The scene
 * (farScene.ts) is rebuilt when the nodes, edges or run states change; a pan or zoom only
 * repaints the prebuilt paths under the new transform, once per animation frame. The canvas
 * takes no pointer events: the pane under it pans, zooms and box-selects as usual, and
 * useFarPointer picks the boxes.
 */
import { useContext, useLayoutEffect, useRef } from 'react';
import { useStoreApi, type Edge, type InternalNode } from '@xyflow/react';
import { SUBGRAPH_TYPE, type GraphNode } from '../../graph/document.ts';
import type { NodeRunState, NodeStatus } from '../run/runStore.ts';
import { RunStoreContext, StatusPrefixContext } from '../run/useRunStore.ts';
import { aggregateStatus, membersStatus } from '../run/subgraphStatus.ts';
import type { CollapsedZoneData } from './collapsedView.ts';
import type { FlowNode } from './flowModel.ts';
import { buildFarScene, type FarScene } from './farScene.ts';

/** The header band's height in flow px (a card's header, theme.css). */
const HEADER = 24;

interface Palette {
  panel: string;
  border: string;
  accent: string;
  states: Record<NodeRunState, string>;
}

function themePalette(): Palette {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const accent = v('--accent', '#6ea8fe');
  return {
    panel: v('--panel', '#1c1f26'),
    border: v('--border', '#333846'),
    accent,
    states: { running: v('--warn', '#f5c15b'), done: v('--ok', '#5fd38d'), cached: accent, error: v('--danger', '#ff6b6b'), pending: v('--muted', '#8b93a3') },
  };
}

interface Layers {
  frames: Path2D;
  wires: [string, Path2D][];
  bodies: Path2D;
  states: [string, Path2D][];
  headers: [string, Path2D][];
  selected: Path2D;
}

function grouped(map: Map<string, Path2D>, key: string): Path2D {
  let path = map.get(key);
  if (!path) map.set(key, (path = new Path2D()));
  return path;
}

function layersOf(scene: FarScene, palette: Palette): Layers {
  const frames = new Path2D();
  for (const f of scene.frames) frames.rect(f.x, f.y, f.width, f.height);
  const wires: [string, Path2D][] = [];
  for (const [color, c] of scene.wires) {
    const path = new Path2D();
    for (let i = 0; i < c.length; i += 8) {
      path.moveTo(c[i], c[i + 1]);
      path.bezierCurveTo(c[i + 2], c[i + 3], c[i + 4], c[i + 5], c[i + 6], c[i + 7]);
    }
    wires.push([color, path]);
  }
  const bodies = new Path2D();
  const selected = new Path2D();
  const states = new Map<string, Path2D>();
  const headers = new Map<string, Path2D>();
  for (const b of scene.boxes) {
    bodies.rect(b.x, b.y, b.width, b.height);
    const header = Math.min(HEADER, b.height);
    grouped(headers, b.header).rect(b.x, b.y, b.width, header);
    if (b.state) grouped(states, palette.states[b.state]).rect(b.x, b.y + header, b.width, b.height - header);
    if (b.selected) selected.rect(b.x, b.y, b.width, b.height);
  }
  return { frames, wires, bodies, states: [...states], headers: [...headers], selected };
}

function paint(ctx: CanvasRenderingContext2D, layers: Layers, palette: Palette, [tx, ty, zoom]: [number, number, number], dpr: number): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * tx, dpr * ty);
  // One screen pixel in flow units: lines stay visible however far out.
  const px = 1 / zoom;
  ctx.fillStyle = 'rgba(110, 90, 220, 0.08)';
  ctx.fill(layers.frames);
  ctx.strokeStyle = 'rgba(140, 120, 255, 0.6)';
  ctx.lineWidth = Math.max(2, px);
  ctx.stroke(layers.frames);
  for (const [color, path] of layers.wires) {
    ctx.strokeStyle = color;
    ctx.stroke(path);
  }
  ctx.fillStyle = palette.panel;
  ctx.fill(layers.bodies);
  // The run state tints the body as the minimal card's status strip does (canvas.css).
  ctx.globalAlpha = 0.45;
  for (const [color, path] of layers.states) {
    ctx.fillStyle = color;
    ctx.fill(path);
  }
  ctx.globalAlpha = 1;
  for (const [color, path] of layers.headers) {
    ctx.fillStyle = color;
    ctx.fill(path);
  }
  ctx.strokeStyle = palette.border;
  ctx.lineWidth = px;
  ctx.stroke(layers.bodies);
  ctx.strokeStyle = palette.accent;
  ctx.lineWidth = 2 * px;
  ctx.stroke(layers.selected);
}

/** A box's run state: a card's own, a subgraph's from the nodes inside it, a collapsed zone's from its members. */
function stateFor(nodes: Readonly<Record<string, NodeStatus>>, prefix: string) {
  return (node: InternalNode): NodeRunState | undefined => {
    if (node.type === 'collapsedZone') {
      const { box } = node.data as CollapsedZoneData;
      return membersStatus(nodes, [box.progressNode, ...box.members].map((id) => prefix + id))?.state;
    }
    if ((node.data as { node?: GraphNode }).node?.type === SUBGRAPH_TYPE) return aggregateStatus(nodes, `${prefix}${node.id}/`)?.state;
    return nodes[prefix + node.id]?.state;
  };
}

export function FarCanvas() {
  const store = useStoreApi<FlowNode, Edge>();
  const runs = useContext(RunStoreContext);
  const prefix = useContext(StatusPrefixContext);
  const ref = useRef<HTMLCanvasElement>(null);
  useLayoutEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const palette = themePalette();
    let built: { nodes: unknown; edges: unknown; states: unknown; layers: Layers } | undefined;
    let frame = 0;
    const draw = () => {
      frame = 0;
      const s = store.getState();
      const states = runs?.getSnapshot().nodes ?? {};
      if (!built || built.nodes !== s.nodes || built.edges !== s.edges || built.states !== states) {
        const scene = buildFarScene(s.nodeLookup.values() as Iterable<InternalNode>, s.edges, stateFor(states, prefix));
        built = { nodes: s.nodes, edges: s.edges, states, layers: layersOf(scene, palette) };
      }
      const dpr = window.devicePixelRatio || 1;
      const width = Math.round(s.width * dpr);
      const height = Math.round(s.height * dpr);
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
      paint(ctx, built.layers, palette, s.transform, dpr);
    };
    // Drawn now, in the commit that hides the cards (no blank frame); then at most once a frame.
    draw();
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(draw);
    };
    const offStore = store.subscribe(schedule);
    const offRuns = runs?.subscribe(schedule);
    return () => {
      offStore();
      offRuns?.();
      cancelAnimationFrame(frame);
    };
  }, [store, runs, prefix]);
  return <canvas ref={ref} className="ll-far-canvas" data-testid="far-canvas" />;
}
