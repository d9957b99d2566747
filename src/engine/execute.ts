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

/** What execution reads of a plan's shape: the same for every run of it (and of plans sharing its steps). */
interface PlanIndex {
  stepOf: Map<string, number>;
  membersOf: string[][];
  /** node id → the output ports downstream nodes read (those must be present in a node's result). */
  portLists: Map<string, string[]>;
  /** Per step: the nodes outside it whose values it reads, one entry per edge. */
  reads: string[][];
}

function indexPlan(plan: Plan): PlanIndex {
  const { steps } = plan;
  const stepOf = new Map<string, number>();
  const membersOf = steps.map(stepMembers);
  membersOf.forEach((members, i) => members.forEach((id) => stepOf.set(id, i)));
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
  const reads: string[][] = membersOf.map((members, i) => {
    const list: string[] = [];
    for (const id of members) for (const from of plan.nodes.get(id)!.sources.values()) if (stepOf.get(from.node) !== i) list.push(from.node);
    return list;
  });
  return { stepOf, membersOf, portLists, reads };
}

/**
 * Keyed by the steps list: a plan re-made for changed params (prepMemo.ts) keeps its steps and
 * every node's sources, so it shares the index.
 */
const planIndexes = new WeakMap<readonly PlanStep[], PlanIndex>();

function planIndex(plan: Plan): PlanIndex {
  let index = planIndexes.get(plan.steps);
  if (!index) planIndexes.set(plan.steps, (index = indexPlan(plan)));
  return index;
}

export async function executePlan(
  env: RunEnv,
  plan: Plan,
  sigs: RunSignatures,
  cache: OutputCache,
  nodes: Record<string, NodeRunStats>,
): Promise<ExecuteOutcome> {
  const { steps } = plan;
  const targets = new Set(plan.targets);
  const { stepOf, membersOf, portLists, reads } = planIndex(plan);
  const noPorts: string[] = [];
  const portsOf = (id: string) => portLists.get(id) ?? noPorts;

  // A step is served by the cache when its exit node's signature is cached (and stable). Asked
  // only of needed steps: an unchanged rerun looks up its targets alone.
  const hitState = new Int8Array(steps.length); // 0 not asked yet, 1 hit, 2 miss
  const hit = (i: number) => {
    if (hitState[i] === 0) {
      const exit = stepExit(steps[i]);
      hitState[i] = !sigs.volatile.has(exit) && cache.has(sigs.signature.get(exit)!) ? 1 : 2;
    }
    return hitState[i] === 1;
  };
  // Walking backwards: a step is needed if it holds a target or feeds a needed step that runs.
  const needed = new Array<boolean>(steps.length).fill(false);
  const runs = (i: number) => needed[i] && !hit(i);
  for (const id of targets) needed[stepOf.get(id)!] = true;
  for (let i = steps.length - 1; i >= 0; i--) {
    if (!runs(i)) continue;
    for (const src of reads[i]) needed[stepOf.get(src)!] = true;
  }

  // Take the cached values now: storing this run's results may evict entries later on.
  const fromCache = new Map<number, { outputs: Record<string, unknown>; bytes: number }>();
  for (let i = 0; i < steps.length; i++) {
    if (needed[i] && hit(i)) fromCache.set(i, cache.getEntry(sigs.signature.get(stepExit(steps[i]))!)!);
  }

  // Outer reference counts: one per edge read by a step that runs.
  const refs = new RefCounts(targets);
  steps.forEach((_, i) => {
    if (runs(i)) for (const src of reads[i]) refs.add(src);
  });

  // Without a listener the per-node events are not built at all.
  const listening = env.listening !== false;
  const meter = new LiveMeter();
  const store = new ValueStore(meter);
  const typeOf = (id: string) => plan.nodes.get(id)!.def.type;
  const markCached = (id: string) => {
    nodes[id] = { status: 'cached', ms: 0, type: typeOf(id) };
    if (listening) env.emit({ type: 'node-finish', runId: env.runId, node: id, ms: 0, cached: true });
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
      if (cached) store.set(exit, cached.outputs, cached.bytes);
      membersOf[i].forEach(markCached);
      continue;
    }
    const pause = env.yielder.maybeYield();
    if (pause) await pause;
    if (env.signal.aborted) throw cancelled(step.kind === 'node' ? step.id : step.zone.input);
    if (step.kind === 'node') {
      const planned = plan.nodes.get(step.id)!;
      if (listening) env.emit({ type: 'node-start', runId: env.runId, node: step.id, nodeType: planned.def.type });
      const { inputs, params } = gatherInputs(planned, (id) => store.get(id));
      const { outputs, ms } = await invokeNode(env, planned, inputs, params, portsOf(step.id));
      remember(step.id, outputs);
      nodes[step.id] = { status: 'executed', ms, type: planned.def.type };
      if (listening) env.emit({ type: 'node-finish', runId: env.runId, node: step.id, ms, cached: false });
    } else {
      const started = new Set<string>();
      const final = await runZone(env, plan, step, store, {
        started(id) {
          started.add(id);
          if (listening) env.emit({ type: 'node-start', runId: env.runId, node: id, nodeType: typeOf(id) });
        },
        finished(id, ms, iterations) {
          if (iterations === 0 && id !== step.zone.output) {
            nodes[id] = { status: 'skipped', ms: 0, type: typeOf(id), iterations };
            return;
          }
          if (listening && !started.has(id)) env.emit({ type: 'node-start', runId: env.runId, node: id, nodeType: typeOf(id) });
          nodes[id] = { status: 'executed', ms, type: typeOf(id), iterations };
          if (listening) env.emit({ type: 'node-finish', runId: env.runId, node: id, ms, cached: false });
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
