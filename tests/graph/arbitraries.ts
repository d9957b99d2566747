/** fast-check arbitraries for graph documents: valid graphs over a registry, and mutations of them. */
import fc from 'fast-check';
import type { GraphDocument, GraphEdge, GraphNode } from '../../src/graph/document.ts';
import { isAssignable } from '../../src/graph/portTypes.ts';
import type { NodeRegistry } from '../../src/graph/registry.ts';

/** Node types without dynamic ports or required model params: safe to place at random. */
function placeableTypes(registry: NodeRegistry): string[] {
  return registry
    .list()
    .filter((d) => !d.dynamicPorts && !Object.values(d.params).some((p) => p.kind === 'model'))
    .map((d) => d.type);
}

/**
 * A valid, acyclic graph: random nodes with default params, and for every required input an edge
 * from an earlier node with an assignable output (nodes that cannot be fed are dropped).
 */
export function validGraph(registry: NodeRegistry): fc.Arbitrary<GraphDocument> {
  const types = placeableTypes(registry);
  return fc
    .array(fc.record({ type: fc.constantFrom(...types), pick: fc.nat(), x: fc.integer({ min: -5000, max: 5000 }) }), { maxLength: 12 })
    .map((specs) => {
      const nodes: GraphNode[] = [];
      const edges: GraphEdge[] = [];
      for (const [index, spec] of specs.entries()) {
        const def = registry.get(spec.type)!;
        const id = `n${index}`;
        const wires: GraphEdge[] = [];
        let feasible = true;
        for (const [port, inSpec] of Object.entries(def.inputs)) {
          const sources = nodes.flatMap((n) =>
            Object.entries(registry.get(n.type)!.outputs)
              .filter(([, out]) => isAssignable(out.type, inSpec.type))
              .map(([outPort]) => ({ node: n.id, port: outPort })),
          );
          if (sources.length === 0) {
            if (!inSpec.optional) feasible = false;
            continue;
          }
          wires.push({ from: sources[spec.pick % sources.length], to: { node: id, port } });
        }
        if (!feasible) continue;
        const params = Object.fromEntries(Object.entries(def.params).map(([k, p]) => [k, structuredClone(p.default)]));
        nodes.push({ id, type: spec.type, version: def.version, params, ui: { x: spec.x, y: index * 100 } });
        edges.push(...wires);
      }
      return { format: 'latentloom.graph', version: 1, meta: { title: 'random' }, models: {}, nodes, edges } as GraphDocument;
    });
}

export type Mutation =
  | { kind: 'delete'; path: number; pick: number }
  | { kind: 'set'; path: number; pick: number; value: unknown }
  | { kind: 'swap-type'; pick: number; type: string }
  | { kind: 'add-edge'; a: number; b: number; pa: string; pb: string }
  | { kind: 'duplicate-node'; pick: number }
  | { kind: 'unsafe-key'; pick: number; key: string };

const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1e308, -1, 2 ** 53, '', '__proto__', [], {}, null),
);

export function mutation(): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), path: fc.nat(), pick: fc.nat() }),
    fc.record({ kind: fc.constant('set' as const), path: fc.nat(), pick: fc.nat(), value: junk }),
    fc.record({ kind: fc.constant('swap-type' as const), pick: fc.nat(), type: fc.constantFrom('math/add', 'const/int', 'text/prompt', 'flow/repeat-input', 'flow/repeat-output', 'no/such', '') }),
    fc.record({ kind: fc.constant('add-edge' as const), a: fc.nat(), b: fc.nat(), pa: fc.constantFrom('value', 'result', 'text', 'x', 'index'), pb: fc.constantFrom('a', 'b', 'count', 'bias', 'x') }),
    fc.record({ kind: fc.constant('duplicate-node' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('unsafe-key' as const), pick: fc.nat(), key: fc.constantFrom('__proto__', 'constructor', 'prototype') }),
  );
}

/** Every object/array inside `root` with the keys it holds, for picking a mutation site. */
function sites(root: unknown): { holder: Record<string, unknown>; key: string }[] {
  const out: { holder: Record<string, unknown>; key: string }[] = [];
  const walk = (value: unknown, depth: number) => {
    if (depth > 8 || typeof value !== 'object' || value === null) return;
    for (const key of Object.keys(value)) {
      out.push({ holder: value as Record<string, unknown>, key });
      walk((value as Record<string, unknown>)[key], depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

export function applyMutation(raw: unknown, m: Mutation): unknown {
  const doc = raw as { nodes?: unknown; edges?: unknown };
  const nodes = typeof doc === 'object' && doc !== null && Array.isArray(doc.nodes) ? (doc.nodes as Record<string, unknown>[]) : [];
  const edges = typeof doc === 'object' && doc !== null && Array.isArray(doc.edges) ? (doc.edges as unknown[]) : undefined;
  const node = nodes.length ? nodes[(m as { pick?: number }).pick ?? 0 % nodes.length] ?? nodes[0] : undefined;
  switch (m.kind) {
    case 'delete':
    case 'set': {
      const all = sites(raw);
      if (all.length === 0) return m.kind === 'set' ? m.value : raw;
      const site = all[m.path % all.length];
      if (m.kind === 'delete') {
        if (Array.isArray(site.holder)) site.holder.splice(Number(site.key), 1);
        else delete site.holder[site.key];
      } else site.holder[site.key] = structuredClone(m.value);
      return raw;
    }
    case 'swap-type':
      if (node && typeof node === 'object') node.type = m.type;
      return raw;
    case 'add-edge':
      if (edges && nodes.length) {
        const a = nodes[m.a % nodes.length] as { id?: unknown };
        const b = nodes[m.b % nodes.length] as { id?: unknown };
        edges.push({ from: { node: a?.id, port: m.pa }, to: { node: b?.id, port: m.pb } });
      }
      return raw;
    case 'duplicate-node':
      if (node) nodes.push(structuredClone(node));
      return raw;
    case 'unsafe-key':
      if (node && typeof node === 'object') Object.defineProperty(node, m.key, { value: { polluted: true }, enumerable: true, configurable: true, writable: true });
      return raw;
  }
}
