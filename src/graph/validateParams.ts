/**
 * Param checks: one small pure function per concern, each returning the reason a value is
 * wrong (or undefined when it is fine), so the validator and the editor's widgets agree.
 */
import type { GraphDocument, GraphIssue, GraphNode } from './document.ts';
import type { NodeDefinition, ParamSpec } from './nodeSpec.ts';
import { isPortType } from './portTypes.ts';

const MAX_SEED = Number.MAX_SAFE_INTEGER;

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value;
}

function checkRange(value: number, spec: { min?: number; max?: number }): string | undefined {
  if (spec.min !== undefined && value < spec.min) return `${value} is below the minimum ${spec.min}`;
  if (spec.max !== undefined && value > spec.max) return `${value} is above the maximum ${spec.max}`;
  return undefined;
}

/** Why `value` is not a valid value for `spec`, or undefined when it is. */
export function paramValueProblem(spec: ParamSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `expected an integer, got ${describeValue(value)}`;
      if (!Number.isInteger(value)) return `expected an integer, got ${value}`;
      return checkRange(value, spec);
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `expected a finite number, got ${describeValue(value)}`;
      return checkRange(value, spec);
    case 'seed':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `expected an integer seed, got ${describeValue(value)}`;
      if (value < 0 || value > MAX_SEED) return `${value} is outside [0, ${MAX_SEED}]`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `expected true or false, got ${describeValue(value)}`;
    case 'string':
      if (typeof value !== 'string') return `expected a string, got ${describeValue(value)}`;
      return spec.syntax === 'json-object' ? jsonObjectProblem(value) : undefined;
    case 'image':
    case 'model':
      return typeof value === 'string' ? undefined : `expected a string, got ${describeValue(value)}`;
    case 'enum':
      if (typeof value !== 'string') return `expected one of ${spec.options.join(', ')}, got ${describeValue(value)}`;
      return spec.options.includes(value) ? undefined : `${describeValue(value)} is not one of ${spec.options.join(', ')}`;
    case 'ports':
      return portListProblem(value);
    default:
      return `has an unknown param kind "${(spec as { kind: unknown }).kind as string}"`;
  }
}

/** Why `text` is not a JSON object (empty text is fine: no keys). */
export function jsonObjectProblem(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `is not valid JSON (${e instanceof Error ? e.message : String(e)})`;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : `must be a JSON object ({"key": value, …}), got ${describeValue(value)}`;
}

function portListProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return `expected a list of { name, type } items, got ${describeValue(value)}`;
  const seen = new Set<string>();
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item !== 'object' || item === null) return `item ${i} is ${describeValue(item)}, not { name, type }`;
    const { name, type } = item as { name?: unknown; type?: unknown };
    if (typeof name !== 'string' || name === '') return `item ${i} has no name`;
    if (!isPortType(type)) return `item "${name}" has an unknown port type ${describeValue(type)}`;
    if (seen.has(name)) return `item name "${name}" is used twice`;
    seen.add(name);
  }
  return undefined;
}

/** All param issues of one node whose type is known. */
export function checkNodeParams(node: GraphNode, def: NodeDefinition, doc: Pick<GraphDocument, 'models'>): GraphIssue[] {
  const issues: GraphIssue[] = [];
  const params: Record<string, unknown> =
    typeof node.params === 'object' && node.params !== null && !Array.isArray(node.params) ? node.params : {};
  if (params !== node.params && node.params !== undefined) {
    issues.push({ node: node.id, code: 'param-invalid', severity: 'error', message: `Node "${node.id}": params must be an object` });
  }
  for (const [name, spec] of Object.entries(def.params)) {
    if (!Object.hasOwn(params, name)) continue; // absent params take their default
    const value = params[name];
    const problem = paramValueProblem(spec, value);
    if (problem) {
      issues.push({
        node: node.id,
        port: name,
        code: 'param-invalid',
        severity: 'error',
        message: `Node "${node.id}" (${def.type}): param "${name}" ${problem}`,
      });
      continue;
    }
    if (spec.kind === 'model' && value !== '' && !Object.hasOwn(doc.models ?? {}, value as string)) {
      issues.push({
        node: node.id,
        port: name,
        code: 'unknown-model',
        severity: 'error',
        message: `Node "${node.id}": param "${name}" names model "${String(value)}", which is not in the graph's models table`,
      });
    }
  }
  for (const name of Object.keys(params)) {
    if (!Object.hasOwn(def.params, name)) {
      issues.push({
        node: node.id,
        port: name,
        code: 'unknown-param',
        severity: 'warning',
        message: `Node "${node.id}" (${def.type}) has a param "${name}" its type does not declare; it is ignored`,
      });
    }
  }
  issues.push(...checkParamInputs(node, def));
  return issues;
}

/** `paramInputs` must name params that can become sockets, each once. */
export function checkParamInputs(node: GraphNode, def: NodeDefinition): GraphIssue[] {
  const list = node.paramInputs;
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    return [{ node: node.id, code: 'param-invalid', severity: 'error', message: `Node "${node.id}": paramInputs must be a list of param names` }];
  }
  const issues: GraphIssue[] = [];
  const seen = new Set<unknown>();
  for (const name of list) {
    const spec = typeof name === 'string' && Object.hasOwn(def.params, name) ? def.params[name] : undefined;
    let problem: string | undefined;
    if (!spec) problem = `names "${String(name)}", which is not a param of ${def.type}`;
    else if (spec.kind === 'model' || spec.kind === 'ports') problem = `names "${name}", a ${spec.kind} param, which cannot become an input`;
    else if (seen.has(name)) problem = `names "${name}" twice`;
    else if (Object.hasOwn(def.inputs, name)) problem = `names "${name}", which clashes with an input of the same name`;
    seen.add(name);
    if (problem) {
      issues.push({ node: node.id, port: String(name), code: 'param-invalid', severity: 'error', message: `Node "${node.id}": paramInputs ${problem}` });
    }
  }
  return issues;
}
