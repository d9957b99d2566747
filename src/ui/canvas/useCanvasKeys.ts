/** Canvas keyboard commands: copy, paste, duplicate, select all, palette, align, collapse. */
import { useEffect, useRef, type Dispatch, type SetStateAction } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { GraphDocument } from '../../graph/document.ts';
import type { EditorStore } from '../store/editorStore.ts';
import * as edits from '../store/docEdits.ts';
import { copyFragment, parseFragment, type Fragment } from './clipboard.ts';
import { alignBoxes, type AlignMode } from './align.ts';
import type { FlowNode } from './flowModel.ts';
import type { NodeCatalog } from '../catalog.ts';
import { expandBoxes, groupSelection, ungroupSelection } from './subgraphKeys.ts';

export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

const ALIGN_KEYS: Record<string, AlignMode> = { a: 'left', t: 'top', h: 'distribute-x', v: 'distribute-y' };

export interface CanvasKeyDeps {
  store: EditorStore;
  doc: GraphDocument;
  catalog: NodeCatalog;
  nodes: FlowNode[];
  setNodes: Dispatch<SetStateAction<FlowNode[]>>;
  openPaletteAt(x: number, y: number): void;
  onToast(message: string, kind?: 'error' | 'info'): void;
}

export function useCanvasKeys(deps: CanvasKeyDeps): void {
  const flow = useReactFlow();
  const latest = useRef(deps);
  latest.current = deps;
  const pointer = useRef({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
  const internalClipboard = useRef<Fragment | undefined>(undefined);

  useEffect(() => {
    const move = (e: PointerEvent) => (pointer.current = { x: e.clientX, y: e.clientY });
    const paste = (fragment: Fragment, label: string) => {
      const { store, doc } = latest.current;
      if (fragment.nodes.length === 0) return;
      const at = flow.screenToFlowPosition(pointer.current);
      const minX = Math.min(...fragment.nodes.map((n) => n.ui?.x ?? 0));
      const minY = Math.min(...fragment.nodes.map((n) => n.ui?.y ?? 0));
      const copy = edits.cloneWithFreshIds(doc, fragment.nodes, fragment.edges, { x: at.x - minX, y: at.y - minY });
      store.edit(`${label} ${copy.nodes.length} node(s)`, (d) => edits.addNodes(d, copy.nodes, copy.edges));
      const fresh = new Set(copy.nodes.map((n) => n.id));
      // Select what was pasted, so it can be moved at once.
      setTimeout(() => latest.current.setNodes((ns) => ns.map((n) => ({ ...n, selected: fresh.has(n.id) }))), 0);
    };
    // A collapsed zone's box stands for the zone's nodes.
    const selectedIds = () => new Set(expandBoxes(latest.current.doc, latest.current.nodes.filter((n) => n.selected && n.type !== 'zoneFrame').map((n) => n.id)));

    const keydown = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target)) return;
      const { store, doc, catalog, nodes, setNodes, openPaletteAt, onToast } = latest.current;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'g') {
        const selected = nodes.filter((n) => n.selected && n.type !== 'zoneFrame').map((n) => n.id);
        if (e.shiftKey) ungroupSelection(store, doc, selected, onToast);
        else groupSelection(store, doc, catalog, selected, onToast);
      } else if (mod && key === 'c') {
        const ids = selectedIds();
        if (ids.size === 0) return;
        const fragment = copyFragment(doc, ids);
        internalClipboard.current = fragment;
        void navigator.clipboard?.writeText(JSON.stringify(fragment)).catch(() => {});
        onToast(`Copied ${ids.size} node(s)`, 'info');
      } else if (mod && key === 'd') {
        const ids = selectedIds();
        if (ids.size) paste(copyFragment(doc, ids), 'Duplicate');
      } else if (mod && key === 'a') {
        setNodes((ns) => ns.map((n) => ({ ...n, selected: n.type !== 'zoneFrame' })));
      } else if (!mod && !e.altKey && (e.key === '/' || (e.shiftKey && key === 'a'))) {
        openPaletteAt(pointer.current.x, pointer.current.y);
      } else if (e.altKey && !mod && ALIGN_KEYS[key]) {
        const boxes = nodes.filter((n) => n.selected && n.type === 'graphNode').map((n) => ({
          id: n.id, x: n.position.x, y: n.position.y, width: n.measured?.width ?? 200, height: n.measured?.height ?? 100,
        }));
        const positions = alignBoxes(boxes, ALIGN_KEYS[key]);
        if (Object.keys(positions).length) store.edit(`Align ${ALIGN_KEYS[key]}`, (d) => edits.moveNodes(d, positions));
      } else if (e.altKey && !mod && key === 'c') {
        const ids = [...selectedIds()];
        if (!ids.length) return;
        const collapse = !doc.nodes.find((n) => n.id === ids[0])?.ui?.collapsed;
        store.edit(collapse ? 'Collapse' : 'Expand', (d) => ids.forEach((id) => edits.setCollapsed(d, id, collapse)));
      } else return;
      e.preventDefault();
    };

    const onPaste = (e: ClipboardEvent) => {
      if (isTypingTarget(e.target)) return;
      const text = e.clipboardData?.getData('text/plain') ?? '';
      const fragment = text.trim() === '' ? internalClipboard.current : parseFragment(text);
      if (!fragment) return;
      e.preventDefault();
      paste(fragment, 'Paste');
    };

    window.addEventListener('pointermove', move);
    window.addEventListener('keydown', keydown);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('keydown', keydown);
      window.removeEventListener('paste', onPaste);
    };
  }, [flow]);
}
