/**
 * Keeps model nodes' hidden socket lists in step with their models: when an `onnx/model` node's
 * file changes, or a `diffusion/denoise` node's denoiser (its edge, the loader's params, the
 * models table) changes, the worker reads the model's inputs/outputs (`inspectNode`) and the
 * lists are written into the node's params. Loaded documents are left as saved (their lists came
 * with them), and models that would first have to be downloaded are not fetched for this.
 */
import type { GraphDocument } from '../../graph/document.ts';
import type { EditorStore } from '../store/editorStore.ts';
import type { EngineConnection } from './engineConnection.ts';

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** What each inspectable node's sockets depend on, by node id (no entry: nothing to inspect yet). */
export function modelSocketKeys(doc: GraphDocument): Map<string, string> {
  const keys = new Map<string, string>();
  for (const node of doc.nodes) {
    if (node.type === 'onnx/model') {
      const source = typeof node.params.source === 'string' ? node.params.source.trim() : '';
      if (source) keys.set(node.id, source);
    } else if (node.type === 'diffusion/denoise') {
      const edge = doc.edges.find((e) => e.to.node === node.id && e.to.port === 'denoiser');
      const upstream = edge && doc.nodes.find((n) => n.id === edge.from.node);
      if (edge && upstream) keys.set(node.id, JSON.stringify([edge.from, upstream.type, upstream.params, doc.models]));
    }
  }
  return keys;
}

/** URL models the inspection would have to download first (not in the browser's cache). */
async function uncachedUrlModels(engine: EngineConnection, doc: GraphDocument, nodeId: string): Promise<string[]> {
  const node = doc.nodes.find((n) => n.id === nodeId);
  const sources =
    node?.type === 'onnx/model'
      ? [String(node.params.source).trim().replace(/[^/]*$/, '')]
      : Object.values(doc.models).map((m) => (m.source.endsWith('/') ? m.source : `${m.source}/`));
  const urls = sources.filter(isUrl);
  if (urls.length === 0) return [];
  const cached = new Set((await engine.listModels?.())?.map((m) => (m.id.endsWith('/') ? m.id : `${m.id}/`)) ?? []);
  return urls.filter((u) => !cached.has(u));
}

export interface ModelSocketWatchOptions {
  /** Told when a model could not be read or must be downloaded first. */
  notify?(message: string, kind: 'error' | 'info'): void;
}

/** Starts watching the store; returns the function that stops it. */
export function watchModelSockets(engine: EngineConnection, store: EditorStore, options: ModelSocketWatchOptions = {}): () => void {
  if (!engine.inspectNode) return () => {};
  let snapshot = store.getSnapshot();
  let seen = modelSocketKeys(snapshot.doc);
  let stopped = false;

  const inspect = async (nodeId: string, key: string) => {
    const doc = store.getSnapshot().doc;
    try {
      const missing = await uncachedUrlModels(engine, doc, nodeId);
      if (missing.length > 0) {
        options.notify?.(`Download ${missing.join(', ')} (Models panel) to read the sockets of node "${nodeId}" from its model`, 'info');
        return;
      }
      const { params } = await engine.inspectNode!(doc, nodeId);
      const current = store.getSnapshot().doc;
      if (stopped || modelSocketKeys(current).get(nodeId) !== key) return; // changed meanwhile
      const node = current.nodes.find((n) => n.id === nodeId);
      if (!node || Object.entries(params).every(([k, v]) => JSON.stringify(node.params[k]) === JSON.stringify(v))) return;
      // Derived from the model, not a user action: no undo step of its own.
      store.editWithoutHistory((d) => {
        const target = d.nodes.find((n) => n.id === nodeId);
        if (target) Object.assign(target.params, params);
      });
    } catch (error) {
      if (!stopped) options.notify?.(`Could not read the sockets of node "${nodeId}" from its model: ${error instanceof Error ? error.message : String(error)}`, 'error');
    }
  };

  const unsubscribe = store.subscribe(() => {
    const next = store.getSnapshot();
    if (next.doc === snapshot.doc) return;
    const loaded = next.loadId !== snapshot.loadId;
    snapshot = next;
    const keys = modelSocketKeys(next.doc);
    if (!loaded) for (const [id, key] of keys) if (seen.get(id) !== key) void inspect(id, key);
    seen = keys;
  });
  return () => {
    stopped = true;
    unsubscribe();
  };
}
