/**
 * What the engine prepares before running a document — its validation issues and its plan —
 * remembered across runs, so rerunning an unchanged document, or one with a changed param,
 * does not validate and plan the whole graph again.
 *
 * Memoised by object identity, which is only sound for documents that are never mutated in place:
 * the memo applies to deeply frozen documents (what immer produces, and what the worker keeps,
 * src/worker/docPatch.ts); any other document is validated and planned afresh on every run.
 *
 * - The same document object: its issues and plans are returned as they are.
 * - A new version of the last document: nodes are re-checked only where they are new objects
 *   (graph/validateMemo.ts), and when the structure is unchanged (same edges list,
 *   changed nodes of the same shape and ports) the last plan is reused with the changed nodes
 *   re-planned (their params resolved again).
 */
import type { GraphDocument, GraphIssue } from '../graph/document.ts';
import { resolvePorts } from '../graph/nodeSpec.ts';
import { sameNodeShape, samePorts } from '../graph/nodeShape.ts';
import type { NodeRegistry } from '../graph/registry.ts';
import { isDeepFrozen } from '../graph/frozen.ts';
import { ValidationMemo } from '../graph/validateMemo.ts';
import { planRun, resolveParams, type Plan, type PlannedNode, type PlanResult } from './plan.ts';
import { SignatureMemo } from './signatures.ts';
import type { GraphValidator } from './validator.ts';

interface Prepared {
  issues?: GraphIssue[];
  plans: Map<string, PlanResult>;
}

const outputsKey = (outputs: readonly string[] | undefined) => (outputs && outputs.length > 0 ? outputs.join('\u0000') : '');

/**
 * The plan `prior` (of `before`) updated for `graph`, a version of `before` with the same edges
 * and model table whose changed nodes keep their shape and ports; undefined when that does not hold.
 */
function replan(prior: Plan, before: GraphDocument, graph: GraphDocument): { plan: Plan; changed: string[] } | undefined {
  if (before.edges !== graph.edges || before.models !== graph.models || before.nodes.length !== graph.nodes.length) return undefined;
  let nodes: Map<string, PlannedNode> | undefined;
  const changed: string[] = [];
  for (let i = 0; i < graph.nodes.length; i++) {
    const was = before.nodes[i];
    const now = graph.nodes[i];
    if (was === now) continue;
    if (!sameNodeShape(was, now)) return undefined;
    const old = prior.nodes.get(now.id);
    if (!old) continue; // not part of this run
    if (old.node !== was) return undefined;
    const params = Object.freeze(resolveParams(now, old.def));
    const ports = resolvePorts(old.def, params, now.paramInputs ?? []);
    if (!samePorts(ports.inputs, old.inputs) || !samePorts(ports.outputs, old.outputs)) return undefined;
    nodes ??= new Map(prior.nodes);
    nodes.set(now.id, { ...old, node: now, params, inputs: ports.inputs, outputs: ports.outputs });
    changed.push(now.id);
  }
  return { plan: nodes ? { ...prior, nodes } : prior, changed };
}

export class PrepMemo {
  private byGraph = new WeakMap<GraphDocument, Prepared>();
  /** Per requested-outputs key: the last frozen document planned and its plan. */
  private lastPlan = new Map<string, { graph: GraphDocument; plan: Plan }>();
  private readonly validation: ValidationMemo | undefined;
  /** Node signatures by planned node (signatures.ts): stable while the plan memo hands out the same planned nodes. */
  readonly signatures = new SignatureMemo();

  constructor(
    private readonly registry: NodeRegistry,
    private readonly validator: GraphValidator,
    /** Whether `validator` is the project's validateGraph (which can re-check only what changed). */
    defaultValidation: boolean,
  ) {
    this.validation = defaultValidation ? new ValidationMemo(registry) : undefined;
  }

  /** The last deeply frozen document seen: new versions of it are checked for frozenness against it. */
  private lastFrozen?: WeakRef<GraphDocument>;

  private entry(graph: GraphDocument): Prepared | undefined {
    let prepared = this.byGraph.get(graph);
    if (!prepared && isDeepFrozen(graph, this.lastFrozen?.deref())) {
      this.byGraph.set(graph, (prepared = { plans: new Map() }));
      this.lastFrozen = new WeakRef(graph);
    }
    return prepared;
  }

  /**
   * The document's validation issues (warnings included). A validator of the host's own runs on
   * every run, as it may look at more than the document.
   */
  validate(graph: GraphDocument): GraphIssue[] {
    const prepared = this.validation ? this.entry(graph) : undefined;
    if (!prepared) return this.validator(graph, this.registry);
    prepared.issues ??= this.validation!.validate(graph);
    return prepared.issues;
  }

  /** The run plan for the requested outputs (all output nodes when none). */
  plan(graph: GraphDocument, outputs?: readonly string[]): PlanResult {
    const prepared = this.entry(graph);
    if (!prepared) return planRun(graph, this.registry, outputs);
    const key = outputsKey(outputs);
    let result = prepared.plans.get(key);
    if (!result) {
      const last = this.lastPlan.get(key);
      const reused = last ? replan(last.plan, last.graph, graph) : undefined;
      if (reused && reused.plan !== last!.plan) this.signatures.derive(reused.plan, last!.plan, reused.changed);
      result = reused ? { ok: true, plan: reused.plan } : planRun(graph, this.registry, outputs);
      prepared.plans.set(key, result);
    }
    if (result.ok) {
      this.lastPlan.delete(key);
      this.lastPlan.set(key, { graph, plan: result.plan });
      // A long-lived engine sees many output choices; keep the latest few.
      if (this.lastPlan.size > 8) this.lastPlan.delete(this.lastPlan.keys().next().value!);
    }
    return result;
  }
}
