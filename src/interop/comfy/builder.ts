/** Builds a LatentLoom graph file object (format version 1) node by node. */
import type { ModelMapping, PortOut } from './types.ts';

export interface RawNode {
  id: string;
  type: string;
  version: number;
  title?: string;
  params: Record<string, unknown>;
  zone?: string;
  ui: { x: number; y: number; collapsed?: boolean };
}

export interface RawEdge {
  from: { node: string; port: string };
  to: { node: string; port: string };
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export class GraphBuilder {
  readonly nodes: RawNode[] = [];
  readonly edges: RawEdge[] = [];
  readonly models: Record<string, { source: string; title?: string }> = {};
  /**
   * LatentLoom node id → the ComfyUI node id it was converted from, so progress and results can
   * be reported under the workflow's own ids (the server does).
   */
  readonly origins: Record<string, string> = Object.create(null) as Record<string, string>;
  /** The ComfyUI node being converted; nodes added meanwhile belong to it. */
  origin?: string;
  private readonly ids = new Set<string>();
  private readonly collapsedIds = new Set<string>();
  private column = 0;

  /** Opens the repeat zone of these nodes (its pair) collapsed: a KSampler reads as one box. */
  collapse(...ids: string[]): void {
    for (const id of ids) this.collapsedIds.add(id);
  }

  /** Adds a node; `id` is made unique. Returns the id used. */
  add(id: string, type: string, params: Record<string, unknown>, extra: { title?: string; zone?: string } = {}): string {
    let unique = id;
    for (let i = 2; this.ids.has(unique); i++) unique = `${id}_${i}`;
    this.ids.add(unique);
    if (this.origin !== undefined) this.origins[unique] = this.origin;
    const row = this.nodes.length % 6;
    if (row === 0) this.column++;
    this.nodes.push({
      id: unique, type, version: 1,
      ...(extra.title ? { title: extra.title } : {}),
      params,
      ...(extra.zone ? { zone: extra.zone } : {}),
      ui: { x: this.column * 300, y: row * 220 },
    });
    return unique;
  }

  connect(from: PortOut | { node: string; port: string }, toNode: string, toPort: string): void {
    this.edges.push({ from: { node: from.node, port: from.port }, to: { node: toNode, port: toPort } });
  }

  /** A models-table key for a package source, reused when the same source comes again. */
  model(key: string, mapping: ModelMapping, title: string): string {
    for (const [k, v] of Object.entries(this.models)) if (v.source === mapping.source) return k;
    const base = UNSAFE_KEYS.has(key) ? `model_${key}` : key;
    let unique = base;
    for (let i = 2; Object.hasOwn(this.models, unique); i++) unique = `${base}_${i}`;
    this.models[unique] = { source: mapping.source, title };
    return unique;
  }

  document(meta: { title: string; description: string }): Record<string, unknown> {
    return {
      format: 'latentloom.graph',
      version: 1,
      meta,
      models: this.models,
      // Applied last: the ComfyUI layout pass replaces each node's ui.
      nodes: this.nodes.map((n) => (this.collapsedIds.has(n.id) ? { ...n, ui: { ...n.ui, collapsed: true } } : n)),
      edges: this.edges,
      ui: { viewport: { x: 40, y: 40, zoom: 0.7 } },
    };
  }
}
