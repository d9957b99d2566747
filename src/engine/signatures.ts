/**
 * Signatures of every planned node for one run. Volatile nodes (non-deterministic, or fed by
 * one) get the run id mixed in, so they and everything downstream miss the cache every run.
 */
import type { GraphDocument } from '../graph/document.ts';
import type { NodeDefinition } from '../graph/nodeSpec.ts';
import type { Plan, PlannedNode } from './plan.ts';
import { nodeSignature, signatureHead } from './signature.ts';

export interface RunSignatures {
  signature: Map<string, string>;
  /** Nodes whose outputs may differ between runs with equal inputs: never cached. */
  volatile: Set<string>;
}

interface NodeMemo {
  upstream: string[];
  models: unknown;
  signature: string;
}

/**
 * Signatures remembered across runs of one engine:
 * - per planned node, its signature and what it was computed from (the signatures feeding it, the
 *   model table) — while those are the same, so is the signature;
 * - per plan, the whole result when no node in it is volatile or has a `signatureExtra` (whose
 *   extra part, a file's stamp say, may change at any time);
 * - for a plan derived from an earlier one by changing some nodes' params (prepMemo.ts), the
 *   earlier result and the changed nodes: only they and what they feed are signed again.
 */
export class SignatureMemo {
  readonly nodes = new WeakMap<PlannedNode, NodeMemo>();
  readonly plans = new WeakMap<Plan, { models: unknown; result: RunSignatures }>();
  readonly derived = new WeakMap<Plan, { models: unknown; base: RunSignatures; changed: readonly string[] }>();

  /** Records that `plan` is `from` with the params of `changed` nodes changed. */
  derive(plan: Plan, from: Plan, changed: readonly string[]): void {
    const base = this.plans.get(from);
    if (base) this.derived.set(plan, { models: base.models, base: base.result, changed });
  }
}

function sameUpstream(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `changed` and every planned node downstream of them (a zone's output follows its input). */
function downstreamOf(plan: Plan, changed: readonly string[]): Set<string> {
  const zoneOutputOf = new Map<string, string>();
  for (const step of plan.steps) if (step.kind === 'zone') zoneOutputOf.set(step.zone.input, step.zone.output);
  const dirty = new Set<string>();
  const stack = changed.filter((id) => plan.nodes.has(id));
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (dirty.has(id)) continue;
    dirty.add(id);
    for (const next of plan.consumers.get(id) ?? []) if (!dirty.has(next)) stack.push(next);
    const out = zoneOutputOf.get(id);
    if (out !== undefined && !dirty.has(out)) stack.push(out);
  }
  return dirty;
}

export async function computeSignatures(
  plan: Plan,
  graph: GraphDocument,
  runId: string,
  services?: unknown,
  memo?: SignatureMemo,
): Promise<RunSignatures> {
  const whole = memo?.plans.get(plan);
  if (whole && whole.models === graph.models) return whole.result;
  const derived = memo?.derived.get(plan);
  if (derived) memo!.derived.delete(plan);
  const base = derived && derived.models === graph.models ? derived : undefined;
  const signature = new Map<string, string>(base ? base.base.signature : undefined);
  const dirty = base ? downstreamOf(plan, base.changed) : undefined;
  const volatile = new Set<string>();
  let stable = true;
  const zoneInputOf = new Map<string, string>();
  for (const step of plan.steps) if (step.kind === 'zone') zoneInputOf.set(step.zone.output, step.zone.input);

  for (const id of plan.order) {
    if (dirty && !dirty.has(id)) continue;
    const planned = plan.nodes.get(id)!;
    const zoneInput = zoneInputOf.get(id);
    let isVolatile = planned.def.deterministic === false || (zoneInput !== undefined && volatile.has(zoneInput));
    const upstream: string[] = [];
    for (const from of planned.sources.values()) {
      upstream.push(signature.get(from.node)!);
      if (volatile.has(from.node)) isVolatile = true;
    }
    if (zoneInput !== undefined) upstream.push(signature.get(zoneInput)!);
    if (isVolatile || planned.def.signatureExtra) stable = false;
    const memoised = memo !== undefined && !isVolatile && !planned.def.signatureExtra;
    if (memoised) {
      const hit = memo.nodes.get(planned);
      if (hit && hit.models === graph.models && sameUpstream(hit.upstream, upstream)) {
        signature.set(id, hit.signature);
        continue;
      }
    }
    const inputs: Record<string, string> = {};
    for (const [port, from] of planned.sources) inputs[port] = `${signature.get(from.node)}.${from.port}`;
    const extra: Record<string, unknown> = {};
    if (planned.def.signatureExtra) {
      try {
        const more = await planned.def.signatureExtra(planned.params, services);
        if (more !== undefined) extra.node = more;
      } catch {
        // The node's own run reports what is wrong (e.g. a missing file).
      }
    }
    // A model param names an entry of the document's model table: its content is the identity.
    for (const name of modelParamsOf(planned.def)) {
      if (typeof planned.params[name] === 'string') extra[`model:${name}`] = graph.models?.[planned.params[name] as string] ?? null;
    }
    // The zone's final state depends on the count even where the body ignores the index.
    if (zoneInput !== undefined) extra.zoneInput = signature.get(zoneInput);
    if (isVolatile) {
      extra.run = runId;
      volatile.add(id);
    }
    const hasExtra = Object.keys(extra).length > 0;
    const sig = nodeSignature({ type: planned.def.type, version: planned.def.version, params: planned.params, inputs, ...(hasExtra ? { extra } : {}) }, headOf(planned));
    signature.set(id, sig);
    if (memoised) memo.nodes.set(planned, { upstream, models: graph.models, signature: sig });
  }
  const result = { signature, volatile };
  if (memo && stable) memo.plans.set(plan, { models: graph.models, result });
  return result;
}

/**
 * A planned node's type, version and frozen params, as signature text: made once per planned
 * node, while its inputs' signatures change from run to run (a new seed upstream).
 */
const heads = new WeakMap<PlannedNode, string>();

function headOf(planned: PlannedNode): string {
  let head = heads.get(planned);
  if (head === undefined) heads.set(planned, (head = signatureHead(planned.def.type, planned.def.version, planned.params)));
  return head;
}

const modelParams = new WeakMap<NodeDefinition, string[]>();

function modelParamsOf(def: NodeDefinition): string[] {
  let names = modelParams.get(def);
  if (!names) {
    names = Object.entries(def.params).filter(([, spec]) => spec.kind === 'model').map(([name]) => name);
    modelParams.set(def, names);
  }
  return names;
}
