/**
 * Params exposed to the app (form) view: the document's `app.exposed` list (graph format 2).
 * Plain data: which params are exposed, toggling one, and the form's fields in list order.
 */
import type { Draft } from 'immer';
import type { AppExposedParam, GraphDocument } from '../../graph/document.ts';
import type { ParamSpec } from '../../graph/nodeSpec.ts';
import type { NodeCatalog } from '../catalog.ts';

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

export interface FormField {
  node: string;
  param: string;
  label: string;
  spec: ParamSpec;
  value: unknown;
}

/** The form's fields, in the list's order; entries naming a node or param that is gone are skipped. */
export function formFields(doc: GraphDocument, catalog: NodeCatalog): FormField[] {
  const fields: FormField[] = [];
  for (const e of doc.app?.exposed ?? ([] as AppExposedParam[])) {
    const node = doc.nodes.find((n) => n.id === e.node);
    const spec = node ? catalog.get(node.type)?.params[e.param] : undefined;
    if (!node || !spec || node.paramInputs?.includes(e.param)) continue;
    const title = node.title ?? catalog.get(node.type)?.title ?? node.id;
    fields.push({ node: node.id, param: e.param, label: e.label ?? `${title} · ${spec.label ?? e.param}`, spec, value: node.params[e.param] });
  }
  return fields;
}
