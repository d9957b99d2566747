/**
 * The plan of a sweep, shared by `latentloom sweep` and the editor's Sweep panel: each axis is a
 * `NODE.PARAM` with a list of values written as `1..100`, `1..10:3`, `1..10:0.5`, `0.5,1,2` or one value; the
 * points are their cartesian product, or with `zip` the lists side by side (equal lengths). A
 * point's values are applied to a copy of the graph as its params, read by each param's kind.
 * Pure: no files, no engine, no framework.
 */
import type { GraphDocument } from '../graph/document.ts';

export interface SweepAxis {
  /** `NODE.PARAM` */
  key: string;
  values: string[];
}

/** One point of a sweep: NODE.PARAM → value, in the order of the axes. */
export type SweepValues = Record<string, string>;

/** Most points one sweep may plan (a typo like 1..1e9 is refused, not run). */
export const MAX_SWEEP_JOBS = 1_000_000;

const decimals = (text: string) => (text.includes('.') ? text.length - text.indexOf('.') - 1 : 0);

/** `from..to` or `from..to:step`, integers or decimals (`1..10:0.5`); undefined when `spec` is no range. */
function rangeValues(spec: string, where: string): string[] | undefined {
  const m = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(spec);
  if (!m) return undefined;
  const [from, to, step] = [Number(m[1]), Number(m[2]), m[3] === undefined ? 1 : Number(m[3])];
  if (!(step > 0)) throw new Error(`${where}: the step of ${spec} must be more than 0`);
  // Values are written with the decimals the spec uses, so 0.1 steps give 0.3, not 0.30000000000000004.
  const places = Math.max(decimals(m[1]), decimals(m[2]), decimals(m[3] ?? ''));
  const count = Math.floor(Math.abs(to - from) / step + 1e-9) + 1;
  if (count > MAX_SWEEP_JOBS) throw new Error(`${where}: ${spec} has ${count} values; the limit is ${MAX_SWEEP_JOBS}`);
  const dir = to >= from ? 1 : -1;
  return Array.from({ length: count }, (_, i) => String(Number((from + dir * i * step).toFixed(places))));
}

/**
 * The values a spec names: a range (`1..16`, `10..1:3`, `1..10:0.5`), a list of numbers (`1,3,5,7.5`),
 * or one value (text with commas stays one value: only number lists are split).
 */
export function parseValues(spec: string, where: string): string[] {
  return rangeValues(spec.trim(), where)
    ?? (spec.includes(',') && /^[-\d.,\se+]+$/i.test(spec) ? spec.split(',').map((v) => v.trim()).filter((v) => v !== '') : [spec]);
}

/**
 * `NODE.PARAM=VALUES` as an axis. `readLines(path)` reads an `@file` (one value per line; empty
 * lines and lines starting with # are left out); without it an `@file` is refused.
 */
export function parseAxis(set: string, readLines?: (path: string) => string, where = `--set ${set.slice(0, Math.max(0, set.indexOf('=')))}`): SweepAxis {
  const eq = set.indexOf('=');
  if (eq <= 0) throw new Error(`--set ${set}: expected NODE.PARAM=VALUES`);
  const key = set.slice(0, eq);
  const spec = set.slice(eq + 1);
  if (!spec.startsWith('@')) return { key, values: parseValues(spec, where) };
  if (!readLines) throw new Error(`${where}: values from a file (${spec}) are only read by the command line`);
  const values = readLines(spec.slice(1)).split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (values.length === 0) throw new Error(`${where}: ${spec.slice(1)} has no values`);
  return { key, values };
}

/** The points of a sweep: the product of the axes (the first varies slowest), or their zip. */
export function sweepCombinations(axes: readonly SweepAxis[], zip: boolean): SweepValues[] {
  if (axes.length === 0) throw new Error('a sweep needs at least one NODE.PARAM with values (--set NODE.PARAM=VALUES)');
  const keys = axes.map((a) => a.key);
  const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicate) throw new Error(`sweep param ${duplicate} is given twice`);
  let combos: string[][];
  if (zip) {
    const n = axes[0].values.length;
    const odd = axes.find((a) => a.values.length !== n);
    if (odd) throw new Error(`a zipped sweep (--zip) needs lists of one length: ${axes[0].key} has ${n} values, ${odd.key} has ${odd.values.length}`);
    combos = Array.from({ length: n }, (_, i) => axes.map((a) => a.values[i]));
  } else {
    const total = axes.reduce((p, a) => p * a.values.length, 1);
    if (total > MAX_SWEEP_JOBS) throw new Error(`the sweep has ${total} jobs; the limit is ${MAX_SWEEP_JOBS}`);
    combos = [[]];
    for (const axis of axes) combos = combos.flatMap((c) => axis.values.map((v) => [...c, v]));
  }
  return combos.map((values) => Object.fromEntries(keys.map((k, i) => [k, values[i]])));
}

/** What a param is, as far as reading a swept value goes (a node type's param spec). */
export type ParamKinds = (nodeType: string) => Readonly<Record<string, { kind: string }>> | undefined;

function readValue(kind: string, raw: string, where: string): unknown {
  switch (kind) {
    case 'int':
    case 'float':
    case 'seed': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(n)) throw new Error(`${where}: "${raw}" is not a number`);
      return n;
    }
    case 'boolean':
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw new Error(`${where}: expected true or false`);
    case 'ports':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw new Error(`${where}: expected a JSON list like [{"name":"latent","type":"LATENT"}]`);
      }
    default:
      return raw;
  }
}

/**
 * A copy of the graph with `NODE.PARAM` params set from text, each read by its param's kind (a
 * number for int/float/seed, true/false, JSON for port lists, text as is). Errors name the key and
 * say what is wrong: no such node, no such param (listing the node's), a value of the wrong kind.
 */
export function withParamValues(graph: GraphDocument, values: readonly (readonly [string, string])[], paramKinds: ParamKinds, label = 'sweep'): GraphDocument {
  if (values.length === 0) return graph;
  const nodes = graph.nodes.map((n) => ({ ...n, params: { ...n.params } }));
  for (const [key, raw] of values) {
    const where = `${label} ${key}=${raw}`;
    const dot = key.lastIndexOf('.');
    if (dot <= 0 || dot === key.length - 1) throw new Error(`${where}: expected NODE.PARAM=VALUE`);
    const [nodeId, param] = [key.slice(0, dot), key.slice(dot + 1)];
    const node = nodes.find((n) => n.id === nodeId);
    if (!node) throw new Error(`${where}: the graph has no node "${nodeId}"`);
    // Own properties only: `__proto__`, `constructor` and the like are no params.
    const params = paramKinds(node.type) ?? {};
    const spec = Object.hasOwn(params, param) ? params[param] : undefined;
    if (!spec) {
      const known = Object.keys(params);
      throw new Error(`${where}: node "${nodeId}" (${node.type}) has no param "${param}"${known.length ? ` (params: ${known.join(', ')})` : ''}`);
    }
    node.params[param] = readValue(spec.kind, raw, where);
  }
  return { ...graph, nodes };
}
