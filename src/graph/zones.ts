/**
 * Repeat-zone analysis (docs/architecture.md, "Repeat zones"). A zone is a `flow/repeat-input` and a
 * `flow/repeat-output` node carrying the same `zone` id. Its body is every node that depends on
 * the repeat-input and either feeds the repeat-output or is drawn in the zone; nodes drawn in the
 * zone that do not depend on the repeat-input are loop-invariant and run once. Values leave a
 * zone only through its repeat-output. Used by the validator, the engine and the editor.
 */
import type { GraphDocument, GraphIssue, GraphNode } from './document.ts';
import type { PortListItem } from './nodeSpec.ts';
import { componentRanks, indexGraph } from './graphIndex.ts';

export const REPEAT_INPUT_TYPE = 'flow/repeat-input';
export const REPEAT_OUTPUT_TYPE = 'flow/repeat-output';
/** Port names the repeat nodes use themselves, so state items may not take them. */
export const REPEAT_RESERVED_PORTS: readonly string[] = ['count', 'index', 'preview_vae'];
/** Optional repeat-output input: a VAE (e.g. a TAESD) the host decodes live previews with. */
export const REPEAT_PREVIEW_PORT = 'preview_vae';

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
  const members = zoneMembers(graph, zones);
  for (const zone of zones) {
    const found = members.next(zone);
    if (found.crossing) {
      issues.push({
        node: zone.input,
        code: 'zone-crossing',
        severity: 'error',
        message: `Zone "${zone.id}": its repeat-output "${zone.output}" feeds its own repeat-input "${zone.input}"`,
      });
    }
    zone.body = found.body;
    zone.invariant = found.invariant;
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

/**
 * Finds each zone's body and invariant nodes. With `down` the nodes the repeat-input reaches and
 * `up` those that reach the repeat-output, the body is down ∩ (up ∪ drawn in the zone). Walking
 * the whole graph per zone would be quadratic in a chain of zones (each repeat-input reaches every
 * later zone), so the walks are cut by component rank: a path from the repeat-input to a node
 * never leaves the ranks between the two, so the downward walk stops past the highest rank of
 * the repeat-output and the zone's drawn nodes, and the upward walk from the repeat-output stays
 * within what the downward walk found. The graph is indexed once; each zone costs its own size.
 */
function zoneMembers(graph: ZoneGraph, zones: readonly ZoneInfo[]) {
  const index = indexGraph(
    graph.nodes.map((n) => n.id),
    graph.edges,
  );
  const rank = componentRanks(index);
  const docIndex = new Map(graph.nodes.map((n, i) => [n.id, i] as const));
  const drawnOf = new Map<string, string[]>();
  for (const node of graph.nodes) {
    if (typeof node.zone !== 'string') continue;
    let list = drawnOf.get(node.zone);
    if (!list) drawnOf.set(node.zone, (list = []));
    list.push(node.id);
  }
  // Per-zone visit marks: a slot holds the stamp of the last zone that reached it.
  const downMark = new Int32Array(index.size);
  const upMark = new Int32Array(index.size);
  const stack = new Int32Array(index.size);
  let stamp = 0;

  /** Marks with `stamp` the nodes reachable from `start` along the edges within ranks ≤ `bound`. */
  const walkDown = (start: number, bound: number): void => {
    let top = 0;
    stack[top++] = start;
    downMark[start] = stamp;
    while (top > 0) {
      const u = stack[--top];
      for (let e = index.succStart[u]; e < index.succStart[u + 1]; e++) {
        const v = index.succ[e];
        if (downMark[v] === stamp || rank[v] > bound) continue;
        downMark[v] = stamp;
        stack[top++] = v;
      }
    }
  };

  return {
    next(zone: ZoneInfo): { crossing: boolean; body: string[]; invariant: string[] } {
      stamp++;
      const input = index.indexOf.get(zone.input)!;
      const output = index.indexOf.get(zone.output)!;
      const drawn = (drawnOf.get(zone.id) ?? []).filter((id) => id !== zone.input && id !== zone.output);
      let bound = rank[output];
      for (const id of drawn) bound = Math.max(bound, rank[index.indexOf.get(id)!]);
      walkDown(input, bound);

      // Upward from the repeat-output through nodes the repeat-input reaches: down ∩ up.
      const body: string[] = [];
      const seen = new Set<string>([zone.input, zone.output]);
      let top = 0;
      stack[top++] = output;
      upMark[output] = stamp;
      while (top > 0) {
        const u = stack[--top];
        for (let e = index.predStart[u]; e < index.predStart[u + 1]; e++) {
          const v = index.pred[e];
          if (upMark[v] === stamp || downMark[v] !== stamp) continue;
          upMark[v] = stamp;
          stack[top++] = v;
          const id = index.ids[v];
          if (docIndex.has(id) && !seen.has(id)) {
            seen.add(id);
            body.push(id);
          }
        }
      }
      const invariant: string[] = [];
      for (const id of drawn) {
        if (downMark[index.indexOf.get(id)!] === stamp) {
          if (!seen.has(id)) {
            seen.add(id);
            body.push(id);
          }
        } else invariant.push(id);
      }
      body.sort((a, b) => docIndex.get(a)! - docIndex.get(b)!);

      // Whether the repeat-output reaches the repeat-input: only possible at a rank ≤ the input's.
      let crossing = false;
      if (rank[output] === rank[input]) crossing = true; // one cycle holds both
      else if (rank[output] < rank[input]) {
        stamp++;
        walkDown(output, rank[input]);
        crossing = downMark[input] === stamp;
      }
      return { crossing, body, invariant };
    },
  };
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
