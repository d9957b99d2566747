/**
 * The canvas: React Flow bound to the editor store. Node positions live in React Flow's state
 * while dragging and are committed to the document once per drag (one undo step); connections are
 * checked with the loader's rules and a refusal says why; dropping a wire on empty canvas opens
 * the palette filtered to compatible nodes.
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from 'react';
import {
  ReactFlow, Background, BackgroundVariant, ControlButton, Controls, MiniMap, applyNodeChanges, useReactFlow, useStore,
  type Connection, type Edge, type FinalConnectionState, type IsValidConnection, type Node, type NodeChange, type OnConnectEnd,
} from '@xyflow/react';
import type { GraphDocument, GraphIssue, PortRef } from '../../graph/document.ts';
import type { NodeCatalog } from '../catalog.ts';
import type { EditorStore } from '../store/editorStore.ts';
import * as edits from '../store/docEdits.ts';
import { Palette } from '../palette/Palette.tsx';
import type { PaletteFilter, PaletteHit } from '../palette/fuzzy.ts';
import type { GraphTemplate } from '../palette/templates.ts';
import { checkConnection } from './connectionRules.ts';
import { NodeCard } from './NodeCard.tsx';
import { ZoneFrame } from './ZoneFrame.tsx';
import { CollapsedZoneCard } from './CollapsedZoneCard.tsx';
import { buildBoxNodes, collapsedView, graphRefs, outputType } from './collapsedView.ts';
import { ViewActionsContext } from './viewActions.ts';
import { edgesWithBoxes } from '../../graph/zoneCollapse.ts';
import { useCanvasViewActions } from './useCanvasViewActions.ts';
import { useViewOnLoad } from './useViewOnLoad.ts';
import {
  buildCardNodes, buildEdges, buildFrames, withoutEstimate, ZONE_PREFIX, type DataCache, type EdgeCache, type FlowNode, type ZoneFrameNode,
} from './flowModel.ts';
import { useCanvasKeys } from './useCanvasKeys.ts';
import { useDragCommit } from './useDragCommit.ts';
import { isFarDetail, isLowDetail } from './detail.ts';
import { LowDetailContext } from './useLowDetail.ts';
import { FarCanvas } from './FarCanvas.tsx';
import { useFarPointer } from './useFarPointer.ts';
import { FitViewButton, fitWholeGraph, MAX_ZOOM, MIN_ZOOM } from './FitViewButton.tsx';
import './canvas.css';

const NODE_TYPES = { graphNode: NodeCard, zoneFrame: ZoneFrame, collapsedZone: CollapsedZoneCard };
// Module-level so that the minimap does not re-render its 300 dots when the canvas re-renders.
// Constant props: React Flow copies each changed prop into its store, and an inline array is a
// change on every render.
const SNAP_GRID: [number, number] = [10, 10];
const DELETE_KEYS = ['Delete', 'Backspace'];
const MULTI_SELECT_KEYS = ['Meta', 'Control'];
const PRO_OPTIONS = { hideAttribution: true };
const DEFAULT_VIEWPORT = { x: 0, y: 0, zoom: 1 };
const NO_TEMPLATES: readonly GraphTemplate[] = [];
/**
 * Above this many nodes the minimap is not drawn: it keeps one SVG element and one store
 * subscription per node, re-evaluated on every pan and drag frame.
 */
export const MINIMAP_MAX_NODES = 2000;
/** Below LOD_ZOOM, cards draw a minimal body (NodeCard, detail.ts): their text is unreadable there, and costly. */
export { LOD_ZOOM } from './detail.ts';
const minimapNodeColor = (n: Node) => (n.type === 'zoneFrame' ? 'rgba(120,100,220,0.25)' : '#667');

export interface GraphCanvasProps {
  store: EditorStore;
  doc: GraphDocument;
  /** Changes when a different document is loaded (the view is restored or fitted then). */
  loadId: number;
  catalog: NodeCatalog;
  issues: readonly GraphIssue[];
  /** Repeat zones' members (the live analysis), for the zone frames. */
  members: ReadonlyMap<string, string[]>;
  randomizedSeeds: readonly string[];
  /** The palette's templates, asked for when it opens (they are built on the first call). */
  templates: () => readonly GraphTemplate[];
  snap: boolean;
  onToast(message: string, kind?: 'error' | 'info'): void;
  /** Opens a subgraph node's inside in its own view. */
  onOpenSubgraph?(nodeId: string): void;
}

interface PaletteState {
  screen: { x: number; y: number };
  flow: { x: number; y: number };
  filter?: PaletteFilter;
  /** The dragged wire's end to connect the new node to. */
  pending?: { ref: PortRef; side: 'source' | 'target' };
}

export const GraphCanvas = memo(GraphCanvasImpl);

function GraphCanvasImpl(props: GraphCanvasProps) {
  const { store, doc, loadId, catalog, issues, members: allMembers, randomizedSeeds, templates, snap, onToast, onOpenSubgraph } = props;
  const flow = useReactFlow();
  const cache = useRef<DataCache>(new Map());
  const edgeCache = useRef<EdgeCache>(new Map());
  const [nodes, setNodes] = useState<FlowNode[]>([]);
  // Read by handlers that must keep one identity across drag frames: each new handler passed to
  // <ReactFlow> is one more React Flow store update, which re-runs every node's selectors.
  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;
  const [palette, setPalette] = useState<PaletteState>();
  const lastRefusal = useRef<string | undefined>(undefined);
  const canvasRef = useRef<HTMLDivElement>(null);
  const lowDetail = useStore(isLowDetail);
  const far = useStore(isFarDetail);

  // Keyed on the parts of the document each reads: saving the viewport (on every pan, also the
  // auto-pan of a drag) replaces only doc.ui, and must not rebuild nodes, edges or zones.
  const { nodes: docNodes, edges: docEdges, models: docModels } = doc;
  // Collapsed zones are drawn as one box each; their members' cards and frames are not drawn.
  const collapsed = useMemo(() => collapsedView(doc, allMembers, catalog), [docNodes, docEdges, allMembers, catalog]);
  const members = useMemo(
    () => (collapsed.boxes.length === 0 ? allMembers : new Map([...allMembers].filter(([zone]) => !collapsed.boxes.some((b) => b.zone === zone)))),
    [allMembers, collapsed],
  );
  const cards = useMemo(() => {
    const all = buildCardNodes({ doc, catalog, issues, randomizedSeeds }, cache.current);
    if (collapsed.boxes.length === 0) return all;
    return [...all.filter((c) => !collapsed.hidden.has(c.id)), ...buildBoxNodes(collapsed, doc, catalog)] as FlowNode[];
  }, [docNodes, docModels, catalog, issues, randomizedSeeds, collapsed]);
  const edges = useMemo(() => {
    if (collapsed.boxes.length === 0) return buildEdges(doc, catalog, edgeCache.current);
    const drawn = { ...doc, edges: edgesWithBoxes(doc.edges, collapsed.boxes) };
    return buildEdges(drawn, catalog, edgeCache.current, (ref) => outputType(doc, catalog, graphRefs(collapsed, ref, 'out')[0] ?? ref));
  }, [docNodes, docEdges, catalog, collapsed]);
  // Handlers given to <ReactFlow> read these instead of closing over them, so they keep one
  // identity: each new handler is a React Flow store update that re-runs every node's selectors.
  const latest = useRef({ doc, catalog, members, collapsed, allMembers });
  latest.current = { doc, catalog, members, collapsed, allMembers };

  // Merge the document's nodes with React Flow's local state (selection, sizes, live drags);
  // another document (a tab, a file) takes none of it, even for nodes with the same ids.
  const mergedLoad = useRef(loadId);
  useEffect(() => {
    const another = mergedLoad.current !== loadId;
    mergedLoad.current = loadId;
    setNodes((prev) => {
      const prior = new Map(another ? [] : prev.map((n) => [n.id, n]));
      let same = true;
      const merged = cards.map((c): FlowNode => {
        const p = prior.get(c.id);
        if (!p) {
          same = false;
          return c;
        }
        // Unchanged in the document and not mid-drag: keep the object, so React Flow skips it.
        if (p.data === c.data && !p.dragging && p.position.x === c.position.x && p.position.y === c.position.y) return p;
        same = false;
        const next = { ...c, selected: p.selected, measured: p.measured, dragging: p.dragging, position: p.dragging ? p.position : c.position };
        return p.measured ? withoutEstimate(next) : next;
      });
      const priorFrames = prev.filter((n): n is ZoneFrameNode => n.type === 'zoneFrame');
      const frames = buildFrames(members, merged, priorFrames);
      const unchanged = same && merged.length + frames.length === prev.length
        && frames.every((f, i) => f === priorFrames[i]) && merged.every((n, i) => n === prev[frames.length + i]);
      return unchanged ? prev : [...frames, ...merged];
    });
  }, [cards, members, loadId]);

  useViewOnLoad(loadId, flow, store, canvasRef);

  const fitView = useCallback(() => fitWholeGraph(flow, canvasRef.current, { duration: 200 }), [flow]);

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      setNodes((prev) => {
        let next = applyNodeChanges(changes.filter((c) => c.type !== 'remove'), prev);
        // A card measured by React Flow keeps its real handle bounds: drop the estimate.
        if (changes.some((c) => c.type === 'dimensions')) next = next.map((n) => (n.measured && n.handles && n.type !== 'zoneFrame' ? withoutEstimate(n) : n));
        // Frames follow their members. A frame's own size report must not rebuild the frames:
        // the rebuilt frame would be measured again, and again (a feedback loop).
        // Only frames of zones holding a moved or resized card are re-derived.
        const { members } = latest.current;
        if (members.size === 0) return next;
        const changed = new Set<string>();
        for (const c of changes) if ((c.type === 'position' || c.type === 'dimensions') && !c.id.startsWith(ZONE_PREFIX)) changed.add(c.id);
        if (changed.size === 0) return next;
        const frames = next.filter((n): n is ZoneFrameNode => n.type === 'zoneFrame');
        const cardsOnly = next.filter((n) => n.type !== 'zoneFrame');
        const nextFrames = buildFrames(members, cardsOnly, frames, changed);
        if (nextFrames.length === frames.length && nextFrames.every((f, i) => f === frames[i])) return next;
        return [...nextFrames, ...cardsOnly];
      });
    },
    [],
  );

  const { commitDrag, commitSelectionDrag, saveViewport } = useDragCommit({ store, nodesRef, latest, currentViewport: flow.getViewport });
  const farPointer = useFarPointer({ far, flow, snap, snapGrid: SNAP_GRID, onDragStop: commitDrag });

  const isValidConnection: IsValidConnection = useCallback(
    (c) => {
      if (!c.sourceHandle || !c.targetHandle) return false;
      const { doc, catalog, collapsed: view } = latest.current;
      const from = graphRefs(view, { node: c.source, port: c.sourceHandle }, 'out')[0];
      const targets = graphRefs(view, { node: c.target, port: c.targetHandle }, 'in');
      if (!from || targets.length === 0) return false;
      for (const to of targets) {
        const r = checkConnection(doc, catalog, from, to);
        lastRefusal.current = r.ok ? undefined : r.reason;
        if (!r.ok) return false;
      }
      return true;
    },
    [],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (!c.sourceHandle || !c.targetHandle) return;
      const { doc, catalog, collapsed: view } = latest.current;
      // An end on a collapsed zone's box is the inner port(s) behind it.
      const from = graphRefs(view, { node: c.source, port: c.sourceHandle }, 'out')[0];
      const targets = graphRefs(view, { node: c.target, port: c.targetHandle }, 'in');
      if (!from || targets.length === 0) return;
      for (const to of targets) {
        const r = checkConnection(doc, catalog, from, to);
        if (!r.ok) return onToast(`Connection refused: ${r.reason}`, 'error');
      }
      store.edit(`Connect ${from.node}.${from.port} → ${targets.map((t) => `${t.node}.${t.port}`).join(', ')}`, (d) => {
        for (const to of targets) edits.connect(d, { from, to });
      });
    },
    [store, onToast],
  );

  const onConnectEnd: OnConnectEnd = useCallback(
    (event, state: FinalConnectionState) => {
      if (state.isValid) return;
      const { doc, catalog } = latest.current;
      if (state.toHandle && state.fromHandle) {
        const fromIsSource = state.fromHandle.type === 'source';
        const [s, t] = fromIsSource ? [state.fromHandle, state.toHandle] : [state.toHandle, state.fromHandle];
        const r = checkConnection(doc, catalog, { node: s.nodeId, port: s.id ?? '' }, { node: t.nodeId, port: t.id ?? '' });
        onToast(`Connection refused: ${r.ok ? lastRefusal.current ?? 'invalid' : r.reason}`, 'error');
        return;
      }
      if (!state.fromHandle || state.toNode) return;
      const point = 'changedTouches' in event ? event.changedTouches[0] : event;
      const fromNode = doc.nodes.find((n) => n.id === state.fromHandle!.nodeId);
      if (!fromNode) return;
      const ports = catalog.portsOf(fromNode);
      const port = state.fromHandle.id ?? '';
      const side = state.fromHandle.type;
      const type = side === 'source' ? ports.outputs[port]?.type : ports.inputs[port]?.type;
      if (!type) return;
      setPalette({
        screen: { x: point.clientX, y: point.clientY },
        flow: flow.screenToFlowPosition({ x: point.clientX, y: point.clientY }),
        filter: side === 'source' ? { acceptsType: type } : { producesType: type },
        pending: { ref: { node: fromNode.id, port }, side },
      });
    },
    [flow, onToast],
  );

  const openPaletteAt = useCallback(
    (clientX: number, clientY: number) =>
      setPalette({ screen: { x: clientX, y: clientY }, flow: flow.screenToFlowPosition({ x: clientX, y: clientY }) }),
    [flow],
  );

  const onDoubleClick = useCallback(
    (e: ReactMouseEvent) => {
      if (farPointer.zoomInOnBox(e)) return;
      if ((e.target as HTMLElement).classList.contains('react-flow__pane')) openPaletteAt(e.clientX, e.clientY);
    },
    [openPaletteAt, farPointer],
  );

  const pickNode = useCallback(
    (hit: PaletteHit) => {
      if (!palette) return;
      const id = edits.freshNodeId(doc, hit.info.type.split('/').pop() ?? 'node');
      const node = catalog.instantiate(hit.info.type, id, palette.flow);
      const pending = palette.pending;
      store.edit(`Add ${hit.info.title}`, (d) => {
        edits.addNodes(d, [node]);
        if (pending && hit.port) {
          const edge = pending.side === 'source'
            ? { from: pending.ref, to: { node: id, port: hit.port } }
            : { from: { node: id, port: hit.port }, to: pending.ref };
          edits.connect(d, edge);
        }
      });
      setPalette(undefined);
    },
    [palette, doc, catalog, store],
  );

  const pickTemplate = useCallback(
    (template: GraphTemplate) => {
      if (!palette) return;
      const copy = edits.cloneWithFreshIds(doc, template.nodes, template.edges, palette.flow);
      store.edit(`Insert ${template.title}`, (d) => {
        edits.addNodes(d, copy.nodes, copy.edges);
        for (const [key, ref] of Object.entries(template.models ?? {})) if (!(key in d.models)) d.models[key] = structuredClone(ref);
      });
      setPalette(undefined);
    },
    [palette, doc, store],
  );

  const onDelete = useCallback(
    ({ nodes: gone, edges: cut }: { nodes: Node[]; edges: Edge[] }) => {
      const { collapsed: view } = latest.current;
      const ids = gone.flatMap((n) => view.byId.get(n.id)?.members ?? [n.id]).filter((id) => !id.startsWith(ZONE_PREFIX));
      const inputs = cut.flatMap((e) => graphRefs(view, { node: e.target, port: e.targetHandle ?? '' }, 'in'));
      if (ids.length === 0 && inputs.length === 0) return;
      store.edit(ids.length ? `Delete ${ids.length} node(s)` : 'Delete wire', (d) => {
        for (const to of inputs) edits.disconnect(d, to);
        edits.removeNodes(d, ids);
      });
    },
    [store],
  );

  useCanvasKeys({ store, doc, catalog, nodes, setNodes, openPaletteAt, onToast });

  const { viewActions, showWholePipeline, onNodeDoubleClick } = useCanvasViewActions({ store, flow, canvasRef, latest, onOpenSubgraph, onToast });

  // The same elements on every render (each frame of a drag re-renders the canvas): React then
  // skips the background, minimap and controls instead of re-rendering them.
  const withMinimap = nodes.length <= MINIMAP_MAX_NODES;
  const chrome = useMemo(() => (
    <>
      {/* Below LOD_ZOOM a dot is under half a pixel wide, yet the whole pattern is rastered anew on every pan step. */}
      {far ? <FarCanvas /> : !lowDetail && <Background variant={BackgroundVariant.Dots} gap={20} size={1} />}
      {withMinimap && <MiniMap pannable zoomable nodeColor={minimapNodeColor} />}
      <Controls showFitView={false}>
        <FitViewButton onFit={fitView} />
        <ControlButton onClick={showWholePipeline} title="Show the whole pipeline: expand every zone, unpack every subgraph (one undo step) and fit the view" aria-label="Show whole pipeline">⊞</ControlButton>
      </Controls>
    </>
  ), [withMinimap, fitView, showWholePipeline, far, lowDetail]);

  return (
    <ViewActionsContext.Provider value={viewActions}>
    <LowDetailContext.Provider value={lowDetail}>
    <div className={`ll-canvas${lowDetail ? ' ll-canvas-lod' : ''}${far ? ' ll-canvas-far' : ''}`} ref={canvasRef} onDoubleClick={onDoubleClick} data-testid="canvas" {...farPointer.handlers}>
      <ReactFlow<FlowNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onNodeDragStop={commitDrag}
        onSelectionDragStop={commitSelectionDrag}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onDelete={onDelete}
        onNodeDoubleClick={onNodeDoubleClick}
        onMoveEnd={saveViewport}
        defaultViewport={doc.ui?.viewport ?? DEFAULT_VIEWPORT}
        snapToGrid={snap}
        snapGrid={SNAP_GRID}
        zoomOnDoubleClick={false}
        deleteKeyCode={DELETE_KEYS}
        multiSelectionKeyCode={MULTI_SELECT_KEYS}
        minZoom={MIN_ZOOM}
        maxZoom={MAX_ZOOM}
        colorMode="dark"
        onlyRenderVisibleElements
        proOptions={PRO_OPTIONS}
      >
        {chrome}
      </ReactFlow>
      {palette && (
        <Palette infos={catalog.list()} templates={palette.filter ? NO_TEMPLATES : templates()} filter={palette.filter} at={palette.screen}
          onPickNode={pickNode} onPickTemplate={pickTemplate} onClose={() => setPalette(undefined)} />
      )}
    </div>
    </LowDetailContext.Provider>
    </ViewActionsContext.Provider>
  );
}
