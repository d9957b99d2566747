/**
 * Opening a subgraph in its own view: the canvas is given the subgraph's inside as a document,
 * and a store whose edits land inside that subgraph of the real document (one undo history for
 * all). `path` is the chain of open subgraph node ids, root first; ids in the run store and in
 * the issues are flat (`a/b/node`), so the view maps them by its prefix.
 */
import { useCallback, useMemo, useState, useSyncExternalStore } from 'react';
import type { Draft } from 'immer';
import type { GraphDocument, GraphIssue, GraphNode } from '../../graph/document.ts';
import { SUBGRAPH_ID_SEPARATOR, isSubgraphNode, ownerOf } from '../../graph/subgraphs.ts';
import type { DocRecipe, EditorSnapshot, EditorStore } from '../store/editorStore.ts';
import { reconcileExposedPorts } from '../../graph/subgraphEdits.ts';

/** The document that the subgraph at `path` is, or undefined when the path no longer exists. */
export function subgraphDocument(root: GraphDocument, path: readonly string[]): GraphDocument | undefined {
  let nodes: readonly GraphNode[] = root.nodes;
  let edges = root.edges;
  for (const id of path) {
    const node = nodes.find((n) => n.id === id);
    if (!node || !isSubgraphNode(node) || !node.subgraph) return undefined;
    nodes = node.subgraph.nodes;
    edges = node.subgraph.edges;
  }
  return { format: root.format, version: root.version, meta: root.meta, models: root.models, nodes: [...nodes], edges: [...edges] };
}

/**
 * Runs `recipe` on the subgraph at `path` inside the draft of the whole document, then keeps the
 * subgraph's exposed ports true to its new inside (and drops outer wires from outputs it lost).
 */
export function editInside(draft: Draft<GraphDocument>, path: readonly string[], recipe: DocRecipe): void {
  type Level = { nodes: Draft<GraphNode>[]; edges: Draft<GraphDocument>['edges'] };
  let parent: Level = draft;
  let holder: Draft<GraphNode> | undefined;
  for (const id of path) {
    if (holder) parent = holder.subgraph!;
    holder = parent.nodes.find((n) => n.id === id);
    if (!holder?.subgraph) throw new Error(`Subgraph "${id}" is gone`);
  }
  if (!holder) return recipe(draft);
  const body = holder.subgraph!;
  // The recipe sees the inside as a document: its nodes and edges, the file's models.
  const view = { format: draft.format, version: draft.version, meta: draft.meta, models: draft.models, nodes: body.nodes, edges: body.edges } as Draft<GraphDocument>;
  recipe(view);
  body.nodes = view.nodes;
  body.edges = view.edges;
  const lost = reconcileExposedPorts(body);
  const id = holder.id;
  if (lost.size > 0) parent.edges = parent.edges.filter((e) => !(e.from.node === id && lost.has(e.from.port)));
}

function scopedStore(store: EditorStore, path: readonly string[]): EditorStore {
  let lastRoot: EditorSnapshot | undefined;
  let last: EditorSnapshot | undefined;
  return {
    ...store,
    getSnapshot() {
      const snap = store.getSnapshot();
      if (snap !== lastRoot) {
        lastRoot = snap;
        last = { ...snap, doc: subgraphDocument(snap.doc, path) ?? { ...snap.doc, nodes: [], edges: [] } };
      }
      return last!;
    },
    edit: (label, recipe, options) => store.edit(label, (d) => editInside(d, path, recipe), options),
    // Pans inside a subgraph are not saved (the file keeps the root view's viewport).
    editWithoutHistory: () => {},
  };
}

export interface SubgraphView {
  path: readonly string[];
  /** The document the canvas shows. */
  doc: GraphDocument;
  store: EditorStore;
  /** Run-store id prefix of the cards on the canvas. */
  prefix: string;
  open(nodeId: string): void;
  /** Back to depth `depth` (0: the whole graph). */
  close(depth?: number): void;
  /** Issues as the canvas shows them: inner ones on their node, those of deeper nodes on the subgraph holding them. */
  issuesFor(issues: readonly GraphIssue[]): GraphIssue[];
  /** A node id of the canvas as the engine knows it. */
  flatId(nodeId: string): string;
  titles: string[];
  /** The open subgraph's exposed ports, as "name → inner port" lines. */
  ports: { inputs: string[]; outputs: string[] };
}

export function useSubgraphView(store: EditorStore, root: GraphDocument): SubgraphView {
  // A subgraph is open in one document: another one shown (a tab, a file) starts at its root.
  const loadId = useSyncExternalStore(store.subscribe, () => store.getSnapshot().loadId);
  const [opened, setOpened] = useState<{ loadId: number; path: readonly string[] }>({ loadId, path: [] });
  const path = opened.loadId === loadId ? opened.path : [];
  const inside = path.length > 0 ? subgraphDocument(root, path) : root;
  // A subgraph that went away (undo, unpack, another file) closes its view.
  const live = inside ? path : [];
  const doc = inside ?? root;
  const viewStore = useMemo(() => (live.length === 0 ? store : scopedStore(store, live)), [store, live.join(SUBGRAPH_ID_SEPARATOR)]);
  const prefix = live.length ? live.join(SUBGRAPH_ID_SEPARATOR) + SUBGRAPH_ID_SEPARATOR : '';
  const open = useCallback((id: string) => setOpened((o) => {
    const now = store.getSnapshot().loadId;
    return { loadId: now, path: [...(o.loadId === now ? o.path : []), id] };
  }), [store]);
  const close = useCallback((depth = 0) => setOpened((o) => ({ ...o, path: o.path.slice(0, depth) })), []);
  // Keyed on the nodes, not the document: a pan (a new doc.ui) must not re-map every issue.
  const nodes = doc.nodes;
  const issuesFor = useCallback((issues: readonly GraphIssue[]) => {
    const subgraphs = new Set(nodes.filter(isSubgraphNode).map((n) => n.id));
    if (prefix === '' && subgraphs.size === 0) return issues as GraphIssue[];
    const out: GraphIssue[] = [];
    for (const issue of issues) {
      if (issue.node === undefined || !issue.node.startsWith(prefix)) continue;
      out.push({ ...issue, node: ownerOf(issue.node.slice(prefix.length), subgraphs) });
    }
    return out;
  }, [nodes, prefix]);
  const { titles, ports } = useMemo(() => {
    const names: string[] = [];
    let nodes = root.nodes;
    let last: GraphNode | undefined;
    for (const id of live) {
      last = nodes.find((n) => n.id === id);
      names.push(last?.title ?? id);
      nodes = last?.subgraph?.nodes ?? [];
    }
    const body = last?.subgraph;
    const exposed = {
      inputs: (body?.inputs ?? []).map((p) => `${p.name} → ${p.to.map((t) => `${t.node}.${t.port}`).join(', ')}`),
      outputs: (body?.outputs ?? []).map((p) => `${p.from.node}.${p.from.port} → ${p.name}`),
    };
    return { titles: names, ports: exposed };
  }, [root, live.join(SUBGRAPH_ID_SEPARATOR)]);
  // Stable across renders: the editor's actions (every card's context) are memoized on it.
  const flatId = useCallback((id: string) => prefix + id, [prefix]);
  return { path: live, doc, store: viewStore, prefix, open, close, issuesFor, flatId, titles, ports };
}
