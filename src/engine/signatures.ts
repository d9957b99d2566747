/**
 * Signatures of every planned node for one run. Volatile nodes (non-deterministic, or fed by
 * one) get the run id mixed in, so they and everything downstream miss the cache every run.
 */
import type { GraphDocument } from '../graph/document.ts';
import type { NodeDefinition } from '../graph/nodeSpec.ts';
import type { Plan } from './plan.ts';
import { nodeSignature } from './signature.ts';

export interface RunSignatures {
  signature: Map<string, string>;
  /** Nodes whose outputs may differ between runs with equal inputs: never cached. */
  volatile: Set<string>;
}

export async function computeSignatures(plan: Plan, graph: GraphDocument, runId: string, services?: unknown): Promise<RunSignatures> {
  const signature = new Map<string, string>();
  const volatile = new Set<string>();
  const zoneInputOf = new Map<string, string>();
  for (const step of plan.steps) if (step.kind === 'zone') zoneInputOf.set(step.zone.output, step.zone.input);

  for (const id of plan.order) {
    const planned = plan.nodes.get(id)!;
    const inputs: Record<string, string> = {};
    let isVolatile = planned.def.deterministic === false;
    for (const [port, from] of planned.sources) {
      inputs[port] = `${signature.get(from.node)}.${from.port}`;
      if (volatile.has(from.node)) isVolatile = true;
    }
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
    const zoneInput = zoneInputOf.get(id);
    if (zoneInput !== undefined) {
      extra.zoneInput = signature.get(zoneInput);
      if (volatile.has(zoneInput)) isVolatile = true;
    }
    if (isVolatile) {
      extra.run = runId;
      volatile.add(id);
    }
    const hasExtra = Object.keys(extra).length > 0;
    signature.set(id, nodeSignature({ type: planned.def.type, version: planned.def.version, params: planned.params, inputs, ...(hasExtra ? { extra } : {}) }));
  }
  return { signature, volatile };
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
