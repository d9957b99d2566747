/**
 * Executes a plan: decides per step (a node or a whole zone) whether it must run or its cached
 * outputs serve, runs the steps in order, and releases each value after its last reader.
 */
import type { OutputCache } from './cache.ts';
import type { NodeRunStats, RunStats } from './events.ts';
import { cancelled, gatherInputs, invokeNode, type RunEnv } from './nodeRunner.ts';
import type { Plan, PlanStep } from './plan.ts';
import type { RunSignatures } from './signatures.ts';
import { LiveMeter, RefCounts, ValueStore } from './values.ts';
import { runZone } from './zoneRunner.ts';

export interface ExecuteOutcome {
  outputs: Record<string, Record<string, unknown>>;
  stats: Pick<RunStats, 'peakLiveBytes' | 'peakLiveValues' | 'liveValuesAtEnd'>;
}

/** The nodes a step stands for, and the one whose outputs leave it. */
function stepMembers(step: PlanStep): string[] {
  return step.kind === 'node' ? [step.id] : [step.zone.input, ...step.body, step.zone.output];
}
const stepExit = (step: PlanStep) => (step.kind === 'node' ? step.id : step.zone.output);

export async function executePlan(
  env: RunEnv,
  plan: Plan,
  sigs: RunSignatures,
  cache: OutputCache,
  nodes: Record<string, NodeRunStats>,
): Promise<ExecuteOutcome> {
  const { steps } = plan;
  const targets = new Set(plan.targets);
  const stepOf = new Map<string, number>();
  steps.forEach((step, i) => stepMembers(step).forEach((id) => stepOf.set(id, i)));

  // Which output ports downstream nodes read (those must be present in a node's result).
  const neededPorts = new Map<string, Set<string>>();
  for (const planned of plan.nodes.values()) {
    for (const from of planned.sources.values()) {
      let set = neededPorts.get(from.node);
      if (!set) neededPorts.set(from.node, (set = new Set()));
      set.add(from.port);
    }
  }
  const portLists = new Map<string, string[]>();
  for (const [id, set] of neededPorts) portLists.set(id, [...set]);
  const noPorts: string[] = [];
  const portsOf = (id: string) => portLists.get(id) ?? noPorts;
  const membersOf = steps.map(stepMembers);

  // A step is served by the cache when its exit node's signature is cached (and stable).
  const hit = steps.map((step) => {
    const exit = stepExit(step);
    return !sigs.volatile.has(exit) && cache.has(sigs.signature.get(exit)!);
  });
  const anyHit = hit.includes(true);
  // Walking backwards: a step is needed if it holds a target or feeds a needed step that runs.
  const needed = new Array<boolean>(steps.length).fill(false);
  const runs = (i: number) => needed[i] && !hit[i];
  for (let i = steps.length - 1; i >= 0; i--) {
    if (membersOf[i].some((id) => targets.has(id))) needed[i] = true;
  }
  // Without any cache hit every step upstream of a target is needed (the plan holds only those).
  if (!anyHit) needed.fill(true);
  for (let i = steps.length - 1; i >= 0 && anyHit; i--) {
    if (!runs(i)) continue;
    for (const id of membersOf[i]) {
      for (const from of plan.nodes.get(id)!.sources.values()) {
        const j = stepOf.get(from.node)!;
        if (j !== i) needed[j] = true;
      }
    }
  }

  // Take the cached values now: storing this run's results may evict entries later on.
  const fromCache = new Map<number, Record<string, unknown>>();
  for (let i = 0; i < steps.length; i++) {
    if (needed[i] && hit[i]) fromCache.set(i, cache.get(sigs.signature.get(stepExit(steps[i]))!)!);
  }

  // Outer reference counts: one per edge read by a step that runs.
  const refs = new RefCounts(targets);
  const reads: string[][] = membersOf.map((members, i) => {
    const list: string[] = [];
    for (const id of members) for (const from of plan.nodes.get(id)!.sources.values()) if (stepOf.get(from.node) !== i) list.push(from.node);
    return list;
  });
  steps.forEach((_, i) => {
    if (runs(i)) for (const src of reads[i]) refs.add(src);
  });

  const meter = new LiveMeter();
  const store = new ValueStore(meter);
  const typeOf = (id: string) => plan.nodes.get(id)!.def.type;
  const markCached = (id: string) => {
    nodes[id] = { status: 'cached', ms: 0, type: typeOf(id) };
    env.emit({ type: 'node-finish', runId: env.runId, node: id, ms: 0, cached: true });
  };
  const remember = (id: string, outputs: Record<string, unknown>) => {
    const bytes = store.set(id, outputs);
    if (!sigs.volatile.has(id)) cache.set(sigs.signature.get(id)!, outputs, bytes, id);
  };

  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const exit = stepExit(step);
    if (!runs(i)) {
      const cached = fromCache.get(i);
      if (cached) store.set(exit, cached);
      membersOf[i].forEach(markCached);
      continue;
    }
    await env.yielder.maybeYield();
    if (env.signal.aborted) throw cancelled(step.kind === 'node' ? step.id : step.zone.input);
    if (step.kind === 'node') {
      const planned = plan.nodes.get(step.id)!;
      env.emit({ type: 'node-start', runId: env.runId, node: step.id, nodeType: planned.def.type });
      const { inputs, params } = gatherInputs(planned, (id) => store.get(id));
      const { outputs, ms } = await invokeNode(env, planned, inputs, params, portsOf(step.id));
      remember(step.id, outputs);
      nodes[step.id] = { status: 'executed', ms, type: planned.def.type };
      env.emit({ type: 'node-finish', runId: env.runId, node: step.id, ms, cached: false });
    } else {
      const started = new Set<string>();
      const final = await runZone(env, plan, step, store, {
        started(id) {
          started.add(id);
          env.emit({ type: 'node-start', runId: env.runId, node: id, nodeType: typeOf(id) });
        },
        finished(id, ms, iterations) {
          if (iterations === 0 && id !== step.zone.output) {
            nodes[id] = { status: 'skipped', ms: 0, type: typeOf(id), iterations };
            return;
          }
          if (!started.has(id)) env.emit({ type: 'node-start', runId: env.runId, node: id, nodeType: typeOf(id) });
          nodes[id] = { status: 'executed', ms, type: typeOf(id), iterations };
          env.emit({ type: 'node-finish', runId: env.runId, node: id, ms, cached: false });
        },
        neededPorts: portsOf,
        isTarget: (id) => targets.has(id),
      });
      remember(step.zone.output, final);
    }
    for (const src of reads[i]) if (refs.consume(src)) store.release(src);
  }

  const outputs: Record<string, Record<string, unknown>> = {};
  for (const id of plan.targets) {
    const value = store.get(id);
    if (value) outputs[id] = value;
  }
  return {
    outputs,
    stats: { peakLiveBytes: meter.peakBytes, peakLiveValues: meter.peakValues, liveValuesAtEnd: store.size },
  };
}
