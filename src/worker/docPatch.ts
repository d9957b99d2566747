/**
 * Sending documents to the worker run after run without cloning the whole document each time. The
 * editor's documents are deeply frozen (immer), so the client can tell by identity which nodes
 * changed since the document it sent last, and sends only those: a patch against that version.
 * The worker applies it to its kept, frozen copy, so unchanged nodes stay the objects the engine's
 * memos know. A document that is not frozen (it could have been changed in place) goes whole, and
 * the worker shares its unchanged parts by comparing them (docShare.ts).
 */
import type { GraphDocument, GraphEdge, GraphNode } from '../graph/document.ts';
import { isDeepFrozen } from '../graph/frozen.ts';
import { shareUnchanged } from './docShare.ts';

export const DOC_PATCH = 'latentloom.doc-patch';
/** The code of the error a worker answers a patch with when it does not hold the patch's base. */
export const STALE_PATCH = 'stale-doc-patch';

export interface DocPatch {
  kind: typeof DOC_PATCH;
  /** The version this patch applies to (the one the client sent last). */
  base: number;
  version: number;
  nodeCount: number;
  /** [index, node] for each node that is not the object at that index in the base. */
  nodes: Array<[number, GraphNode]>;
  /** The edges list when it changed. */
  edges?: GraphEdge[];
  /** Top-level fields (other than nodes and edges) that changed, and those removed. */
  fields: Record<string, unknown>;
  removed: string[];
}

/** What the client sends as a run's document: a whole document (with its version) or a patch. */
export type DocMessage = GraphDocument | { kind: 'latentloom.doc'; version: number; doc: GraphDocument } | DocPatch;

const isPatch = (m: DocMessage): m is DocPatch => (m as { kind?: unknown }).kind === DOC_PATCH;
const isVersioned = (m: DocMessage): m is { kind: 'latentloom.doc'; version: number; doc: GraphDocument } =>
  (m as { kind?: unknown }).kind === 'latentloom.doc';

/** Client side: one per worker (a new worker has none of the versions). */
export class DocSender {
  private last?: { doc: GraphDocument; version: number };
  private counter = 0;

  /** The message for `doc`: a patch against the last document sent when both are frozen. */
  message(doc: GraphDocument): DocMessage {
    const version = ++this.counter;
    const last = this.last;
    const frozen = isDeepFrozen(doc, last?.doc);
    this.last = frozen ? { doc, version } : undefined;
    if (!frozen) return doc;
    if (!last || !Array.isArray(doc.nodes) || !Array.isArray(last.doc.nodes)) return { kind: 'latentloom.doc', version, doc };
    const nodes: Array<[number, GraphNode]> = [];
    for (let i = 0; i < doc.nodes.length; i++) if (doc.nodes[i] !== last.doc.nodes[i]) nodes.push([i, doc.nodes[i]]);
    const fields: Record<string, unknown> = {};
    const removed: string[] = [];
    const before = last.doc as unknown as Record<string, unknown>;
    const now = doc as unknown as Record<string, unknown>;
    for (const key of Object.keys(now)) if (key !== 'nodes' && key !== 'edges' && now[key] !== before[key]) fields[key] = now[key];
    for (const key of Object.keys(before)) if (!Object.hasOwn(now, key)) removed.push(key);
    return {
      kind: DOC_PATCH,
      base: last.version,
      version,
      nodeCount: doc.nodes.length,
      nodes,
      ...(doc.edges !== last.doc.edges ? { edges: doc.edges } : {}),
      fields,
      removed,
    };
  }

  /** Forget the last document (the worker refused a patch): the next message is whole. */
  reset(): void {
    this.last = undefined;
  }
}

/** Named, since only an error's name and message cross the worker boundary (comlink). */
export class StalePatchError extends Error {
  readonly code = STALE_PATCH;
  override readonly name = 'StalePatchError';
}

export const isStalePatchError = (error: unknown): boolean => error instanceof Error && error.name === 'StalePatchError';

/** Worker side: keeps the last document, frozen, and turns each message into the document to run. */
export class DocReceiver {
  private kept?: { doc: GraphDocument; version?: number };

  receive(message: DocMessage): GraphDocument {
    if (isPatch(message)) {
      const kept = this.kept;
      if (!kept || kept.version !== message.base) {
        throw new StalePatchError(`document patch against version ${message.base}, but the worker holds ${kept?.version ?? 'none'}`);
      }
      const doc = applyPatch(kept.doc, message);
      this.kept = { doc, version: message.version };
      return doc;
    }
    const whole = isVersioned(message) ? message.doc : message;
    const doc = shareUnchanged(this.kept?.doc, whole);
    this.kept = { doc, ...(isVersioned(message) ? { version: message.version } : {}) };
    return doc;
  }
}

function applyPatch(base: GraphDocument, patch: DocPatch): GraphDocument {
  const empty = patch.nodes.length === 0 && !patch.edges && patch.removed.length === 0 && Object.keys(patch.fields).length === 0;
  if (empty && patch.nodeCount === base.nodes.length) return base; // the same document, run again
  const nodes: GraphNode[] = base.nodes.slice(0, patch.nodeCount);
  const given = new Set<number>();
  for (const [index, node] of patch.nodes) {
    nodes[index] = shareUnchanged(base.nodes[index], node);
    given.add(index);
  }
  for (let i = base.nodes.length; i < patch.nodeCount; i++) {
    if (!given.has(i)) throw new Error(`document patch: node ${i} is new but not in the patch`);
  }
  const doc: Record<string, unknown> = { ...(base as unknown as Record<string, unknown>) };
  for (const key of patch.removed) delete doc[key];
  const before = base as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch.fields)) doc[key] = shareUnchanged(before[key], value);
  doc.nodes = Object.freeze(nodes);
  doc.edges = patch.edges ? shareUnchanged(base.edges, patch.edges) : base.edges;
  return Object.freeze(doc) as unknown as GraphDocument;
}
