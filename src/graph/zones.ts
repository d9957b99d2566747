/**
 * Repeat-zone analysis (docs/architecture.md, "Repeat zones"). A zone is a `flow/repeat-input` and a
 * `flow/repeat-output` node carrying the same `zone` id. Its body is every node that depends on
 * the repeat-input and either feeds the repeat-output or is drawn in the zone; nodes drawn in the
 * zone that do not depend on the repeat-input are loop-invariant and run once. Values leave a
 * zone only through its repeat-output. Used by the validator, the engine and the editor.
 */
import type { GraphDocument, GraphIssue, GraphNode } from './document.ts';
import type { PortListItem } from './nodeSpec.ts';
import { reachable } from './topology.ts';

export const REPEAT_INPUT_TYPE = 'flow/repeat-input';
export const REPEAT_OUTPUT_TYPE = 'flow/repeat-output';
/** Port names the repeat nodes use themselves, so state items may not take them. */
export const REPEAT_RESERVED_PORTS: readonly string[] = ['count', 'index'];

export interface ZoneInfo {
  id: string;
  /** Id of the zone's repeat-input node. */
  input: string;
  /** Id of the zone's repeat-output node. */
  output: string;
  /** Nodes evaluated once per iteration, in document order (the repeat nodes excluded). */
  body: string[];
  /** Nodes drawn in the zone that do not depend on the iteration: evaluated once. */
  invariant: string[];
}

export interface ZoneAnalysis {
  /** Well-formed zones (a pair was found), in document order of their repeat-input. */
  zones: ZoneInfo[];
  /** For the repeat nodes and body nodes of each zone: the zone id. */
  zoneOfNode: Map<string, string>;
  issues: GraphIssue[];
}

type ZoneGraph = Pick<GraphDocument, 'nodes' | 'edges'>;

/** Reads a repeat node's `state` param as a list of items, or undefined when malformed. */
export function zoneStateItems(node: GraphNode): PortListItem[] | undefined {
  const state = node.params?.state ?? [];
  if (!Array.isArray(state)) return undefined;
  const items: PortListItem[] = [];
  for (const item of state) {
    if (!item || typeof item !== 'object') return undefined;
    const { name, type } = item as Record<string, unknown>;
    if (typeof name !== 'string' || typeof type !== 'string') return undefined;
    items.push({ name, type } as PortListItem);
  }
  return items;
}

export function analyzeZones(graph: ZoneGraph): ZoneAnalysis {
  const issues: GraphIssue[] = [];
  const pairs = new Map<string, { inputs: GraphNode[]; outputs: GraphNode[] }>();
  const pairOf = (id: string) => {
    let p = pairs.get(id);
    if (!p) pairs.set(id, (p = { inputs: [], outputs: [] }));
    return p;
  };
  for (const node of graph.nodes) {
    if (node.type !== REPEAT_INPUT_TYPE && node.type !== REPEAT_OUTPUT_TYPE) continue;
    if (typeof node.zone !== 'string' || node.zone === '') {
      issues.push({
        node: node.id,
        code: 'zone-unpaired',
        severity: 'error',
        message: `Node "${node.id}" (${node.type}) has no zone id, so it cannot be paired with its ${
          node.type === REPEAT_INPUT_TYPE ? 'repeat-output' : 'repeat-input'
        }`,
      });
      continue;
    }
    const p = pairOf(node.zone);
    (node.type === REPEAT_INPUT_TYPE ? p.inputs : p.outputs).push(node);
  }

  const zones: ZoneInfo[] = [];
  for (const [id, p] of pairs) {
    if (p.inputs.length === 1 && p.outputs.length === 1) {
      zones.push({ id, input: p.inputs[0].id, output: p.outputs[0].id, body: [], invariant: [] });
      checkState(id, p.inputs[0], p.outputs[0], issues);
      continue;
    }
    const tally = `zone "${id}" has ${p.inputs.length} repeat-input and ${p.outputs.length} repeat-output nodes; a zone has exactly one of each`;
    for (const node of [...p.inputs, ...p.outputs]) {
      issues.push({ node: node.id, code: 'zone-unpaired', severity: 'error', message: `Node "${node.id}": ${tally}` });
    }
  }

  const known = new Set(zones.map((z) => z.id));
  for (const node of graph.nodes) {
    if (node.type === REPEAT_INPUT_TYPE || node.type === REPEAT_OUTPUT_TYPE) continue;
    if (typeof node.zone === 'string' && node.zone !== '' && !known.has(node.zone) && !pairs.has(node.zone)) {
      issues.push({
        node: node.id,
        code: 'zone-unpaired',
        severity: 'error',
        message: `Node "${node.id}" is drawn in zone "${node.zone}", but no repeat-input/repeat-output pair has that zone id`,
      });
    }
  }

  const zoneOfNode = new Map<string, string>();
  const docIndex = new Map(graph.nodes.map((n, i) => [n.id, i] as const));
  for (const zone of zones) {
    const down = reachable([zone.input], graph.edges, 'down');
    const up = reachable([zone.output], graph.edges, 'up');
    if (reachable([zone.output], graph.edges, 'down').has(zone.input)) {
      issues.push({
        node: zone.input,
        code: 'zone-crossing',
        severity: 'error',
        message: `Zone "${zone.id}": its repeat-output "${zone.output}" feeds its own repeat-input "${zone.input}"`,
      });
    }
    const drawn = new Set(graph.nodes.filter((n) => n.zone === zone.id).map((n) => n.id));
    for (const node of graph.nodes) {
      if (node.id === zone.input || node.id === zone.output) continue;
      if (down.has(node.id) && (up.has(node.id) || drawn.has(node.id))) zone.body.push(node.id);
      else if (drawn.has(node.id)) zone.invariant.push(node.id);
    }
    zone.body.sort((a, b) => docIndex.get(a)! - docIndex.get(b)!);
    for (const id of [zone.input, zone.output, ...zone.body]) {
      const prior = zoneOfNode.get(id);
      if (prior !== undefined && prior !== zone.id) {
        issues.push({
          node: id,
          code: 'zone-crossing',
          severity: 'error',
          message: `Node "${id}" belongs to both zone "${prior}" and zone "${zone.id}"; zones may follow each other but not overlap or nest`,
        });
      } else zoneOfNode.set(id, zone.id);
    }
  }

  // An edge leaving a zone member must end inside the same zone (the repeat-output is the exit).
  const zoneById = new Map(zones.map((z) => [z.id, z] as const));
  for (const edge of graph.edges) {
    const fromZone = zoneOfNode.get(edge.from.node);
    if (fromZone === undefined) continue;
    const zone = zoneById.get(fromZone)!;
    if (edge.from.node === zone.output) continue;
    if (zoneOfNode.get(edge.to.node) === fromZone) continue;
    issues.push({
      node: edge.to.node,
      port: edge.to.port,
      code: 'zone-crossing',
      severity: 'error',
      message: `Edge ${edge.from.node}.${edge.from.port} → ${edge.to.node}.${edge.to.port} leaves zone "${fromZone}" from inside; values leave a zone only through its repeat-output "${zone.output}"`,
    });
  }
  return { zones, zoneOfNode, issues };
}

function checkState(zoneId: string, input: GraphNode, output: GraphNode, issues: GraphIssue[]): void {
  const a = zoneStateItems(input);
  const b = zoneStateItems(output);
  for (const [node, items] of [
    [input, a],
    [output, b],
  ] as const) {
    if (!items) {
      issues.push({
        node: node.id,
        code: 'param-invalid',
        severity: 'error',
        message: `Node "${node.id}": param "state" must be a list of { name, type } items`,
      });
      continue;
    }
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(item.name) || REPEAT_RESERVED_PORTS.includes(item.name) || item.name === '') {
        issues.push({
          node: node.id,
          code: 'param-invalid',
          severity: 'error',
          message: `Node "${node.id}": state item name "${item.name}" is ${
            seen.has(item.name) ? 'used twice' : 'reserved'
          }`,
        });
      }
      seen.add(item.name);
    }
  }
  if (a && b && JSON.stringify(a) !== JSON.stringify(b)) {
    issues.push({
      node: output.id,
      code: 'param-invalid',
      severity: 'error',
      message: `Zone "${zoneId}": the state items of "${input.id}" (${describe(a)}) and "${output.id}" (${describe(b)}) differ; both ends of a zone carry the same state`,
    });
  }
}

function describe(items: readonly PortListItem[]): string {
  return items.length === 0 ? 'none' : items.map((i) => `${i.name}: ${i.type}`).join(', ');
}
