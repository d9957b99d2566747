/**
 * Params exposed to the app (form) view: the document's `app.exposed` list (graph format 2).
 * Plain data: which params are exposed, toggling one, and the form's fields in list order. An
 * entry's `node` is a top-level node id, or the flat id of a node inside a subgraph
 * (`<subgraph>/<inner>`, one segment per level of nesting), as the engine and the run store
 * name it.
 */
import type { Draft } from 'immer';
import type { AppExposedParam, GraphDocument, GraphNode } from '../../graph/document.ts';
import { MAX_SUBGRAPH_DEPTH, SUBGRAPH_ID_SEPARATOR, isSubgraphNode } from '../../graph/subgraphs.ts';
import type { ParamSpec } from '../../graph/nodeSpec.ts';
import type { NodeCatalog } from '../catalog.ts';
import { editInside } from '../app/useSubgraphView.ts';
import * as edits from '../store/docEdits.ts';

export const exposureKey = (node: string, param: string) => `${node}.${param}`;

/** "node.param" keys of the exposed params. */
export function exposedKeys(doc: Pick<GraphDocument, 'app'>): Set<string> {
  return new Set((doc.app?.exposed ?? []).map((e) => exposureKey(e.node, e.param)));
}

/** Exposes or hides `node`'s `param` in the form (an edit: undoable, saved in the file). */
export function setExposed(doc: Draft<GraphDocument>, node: string, param: string, on: boolean, label?: string): void {
  const list = doc.app?.exposed ?? [];
  const at = list.findIndex((e) => e.node === node && e.param === param);
  if (on && at < 0) {
    doc.app ??= { exposed: [] };
    doc.app.exposed.push({ node, param, ...(label ? { label } : {}) });
  } else if (!on && at >= 0) {
    doc.app!.exposed.splice(at, 1);
  }
}

/** A node named by its flat id: the node, its id inside its subgraph, and the subgraphs holding it (outermost first). */
export interface NodeAtFlatId {
  node: GraphNode;
  /** Ids of the subgraph nodes around it, outermost first (empty at the top level). */
  path: string[];
  holders: GraphNode[];
}

/** The node `flat` names, looking inside subgraphs; undefined when there is none. */
export function nodeAtFlatId(doc: Pick<GraphDocument, 'nodes'>, flat: string): NodeAtFlatId | undefined {
  let nodes: readonly GraphNode[] = doc.nodes;
  let rest = flat;
  const path: string[] = [];
  const holders: GraphNode[] = [];
  for (let depth = 0; depth <= MAX_SUBGRAPH_DEPTH; depth++) {
    const node = nodes.find((n) => n.id === rest);
    if (node) return { node, path, holders };
    const holder = nodes.find((n) => isSubgraphNode(n) && n.subgraph && rest.startsWith(n.id + SUBGRAPH_ID_SEPARATOR));
    if (!holder?.subgraph) return undefined;
    path.push(holder.id);
    holders.push(holder);
    rest = rest.slice(holder.id.length + SUBGRAPH_ID_SEPARATOR.length);
    nodes = holder.subgraph.nodes;
  }
  return undefined;
}

export interface FormField {
  /** The node's flat id (what `app.exposed` names). */
  node: string;
  param: string;
  label: string;
  spec: ParamSpec;
  value: unknown;
  /** Subgraph ids around the node (empty at the top level), and its id inside the innermost. */
  path: string[];
  localId: string;
}

/**
 * The form's fields, in the list's order; entries naming a node or param that is gone are
 * skipped. A param inside a subgraph is labelled with the subgraph's title before its own.
 */
export function formFields(doc: GraphDocument, catalog: NodeCatalog): FormField[] {
  const fields: FormField[] = [];
  const titleOf = (n: GraphNode) => n.title ?? catalog.get(n.type)?.title ?? n.id;
  for (const e of doc.app?.exposed ?? ([] as AppExposedParam[])) {
    const found = nodeAtFlatId(doc, e.node);
    const node = found?.node;
    const spec = node ? catalog.get(node.type)?.params[e.param] : undefined;
    if (!found || !node || !spec || node.paramInputs?.includes(e.param)) continue;
    const where = [...found.holders, node].map(titleOf).join(' › ');
    fields.push({
      node: e.node, param: e.param, label: e.label ?? `${where} · ${spec.label ?? e.param}`, spec, value: node.params[e.param],
      path: found.path, localId: node.id,
    });
  }
  return fields;
}

/** Sets a form field's param on its node, inside whatever subgraphs hold it (a document edit). */
export function setFieldValue(doc: Draft<GraphDocument>, field: Pick<FormField, 'path' | 'localId' | 'param'>, value: unknown): void {
  editInside(doc, field.path, (inner) => edits.setParam(inner, field.localId, field.param, value));
}
