/**
 * Runs one repeat zone: the repeat-input takes the count and the initial state, then the body
 * runs `count` times, each iteration seeing the index and the state the previous iteration's
 * repeat-output produced. Body values live for one iteration only (ComfyUI caches nothing per
 * iteration); the zone's final state is cached as the repeat-output's outputs by the engine.
 */
import { REPEAT_PREVIEW_PORT, zoneStateItems, type ZoneInfo } from '../graph/zones.ts';
import { cancelled, gatherInputs, invokeNode, startNode, type RunEnv } from './nodeRunner.ts';
import type { Plan, PlannedNode } from './plan.ts';
import { ValueStore } from './values.ts';
import { zonePreviews } from './zonePreviews.ts';
import { collectResidents, collectResidentsDeep, type ResidentTensor } from '../tensor/resident.ts';

export interface ZoneHooks {
  /** Called once, the first time a zone member runs. */
  started(nodeId: string): void;
  /** Called once per member after the loop, with the summed time and the iterations it ran. */
  finished(nodeId: string, ms: number, iterations: number): void;
  /** Output ports of a node that planned consumers read. */
  neededPorts(nodeId: string): readonly string[];
  isTarget(nodeId: string): boolean;
}

/** The value of a node's first DENOISER input, if it has one wired. */
function firstDenoiser(planned: PlannedNode, inputs: Record<string, unknown>): unknown {
  for (const [port, spec] of Object.entries(planned.inputs)) if (spec.type === 'DENOISER' && inputs[port] !== undefined) return inputs[port];
  return undefined;
}

export async function runZone(
  env: RunEnv,
  plan: Plan,
  step: { zone: ZoneInfo; body: string[] },
  outer: ValueStore,
  hooks: ZoneHooks,
): Promise<Record<string, unknown>> {
  const { zone, body } = step;
  const input = plan.nodes.get(zone.input)!;
  const output = plan.nodes.get(zone.output)!;
  const stateItems = zoneStateItems(input.node) ?? [];
  const stateNames = stateItems.map((item) => item.name);
  const stateTypes = Object.fromEntries(stateItems.map((item) => [item.name, item.type]));
  const members = new Set([zone.input, ...body, zone.output]);

  hooks.started(zone.input);
  const first = gatherInputs(input, (id) => outer.get(id));
  const initial = await invokeNode(env, input, first.inputs, first.params, hooks.neededPorts(zone.input));
  const count = first.inputs.count as number;

  // What each iteration runs, looked up once: the planned node, the output ports read downstream,
  // and which member values can go once it has run (their last reader in the iteration).
  const ids = [...body, zone.output];
  const keep = new Set([...members].filter((id) => hooks.isTarget(id)));
  const lastReader = new Map<string, number>();
  ids.forEach((id, k) => {
    for (const from of plan.nodes.get(id)!.sources.values()) if (members.has(from.node)) lastReader.set(from.node, k);
  });
  const sequence = ids.map((id, k) => {
    const planned = plan.nodes.get(id)!;
    const releases: string[] = [];
    for (const from of planned.sources.values()) {
      const read = from.node;
      if (lastReader.get(read) === k && !keep.has(read) && !releases.includes(read)) releases.push(read);
    }
    return { id, planned, neededPorts: hooks.neededPorts(id), releases, kept: keep.has(id) };
  });
  const memberMs = new Float64Array(sequence.length);
  const lastOutputs = new Map<string, Record<string, unknown>>();

  const previews = zonePreviews(env, zone.id, zone.output, count);
  // Nobody listens (a batch run): no progress events are built at all.
  const listening = env.listening !== false;
  let previewVae: unknown;
  let denoiser: unknown;
  let state: Record<string, unknown> = {};
  for (const name of stateNames) state[name] = initial.outputs[name];
  // One store for every iteration, emptied after each: body values live for one iteration.
  const local = new ValueStore(outer.meter, outer);
  const lookup = (nodeId: string) => local.get(nodeId);
  // Resident tensors (GPU buffers) the body makes are freed once no state or kept output holds
  // them; those that came in with the initial state belong to nodes outside and are never freed.
  const foreign = new Set<ResidentTensor>();
  for (const value of Object.values(initial.outputs)) collectResidentsDeep(value, foreign);
  let carried = new Set<ResidentTensor>();
  // One set for every iteration, emptied at its start (no allocation per iteration).
  const made = new Set<ResidentTensor>();
  let outputBytes = 0;
  let stateBytes = -1;
  try {
    for (let i = 0; i < count; i++) {
      const pause = env.yielder.maybeYield();
      if (pause) await pause;
      if (env.signal.aborted) throw cancelled(zone.input, i);
      made.clear();
      // Later iterations: the repeat-input's value is the index (8 bytes) and last iteration's
      // state, measured when the repeat-output stored it (when that is all it output).
      if (i === 0) local.set(zone.input, initial.outputs);
      else local.set(zone.input, { index: i, ...state }, stateBytes >= 0 ? 8 + stateBytes : undefined);

      for (let k = 0; k < sequence.length; k++) {
        const { id, planned, neededPorts, releases, kept } = sequence[k];
        if (i === 0) hooks.started(id);
        const { inputs, params } = gatherInputs(planned, lookup);
        if (id === zone.output) previewVae = inputs[REPEAT_PREVIEW_PORT];
        if (i === 0 && denoiser === undefined) denoiser = firstDenoiser(planned, inputs);
        const started = startNode(env, planned, inputs, params, neededPorts, i);
        const result = started instanceof Promise ? await started : started;
        memberMs[k] += result.ms;
        const bytes = local.set(id, result.outputs);
        if (id === zone.output) outputBytes = bytes;
        const outputs = result.outputs;
        for (const port in outputs) collectResidents(outputs[port], made);
        if (kept) lastOutputs.set(id, result.outputs);
        for (let r = 0; r < releases.length; r++) local.release(releases[r]);
      }
      const next = local.get(zone.output)!;
      state = {};
      for (const name of stateNames) state[name] = next[name];
      stateBytes = outputsAreState(next, stateNames) ? outputBytes : -1;
      local.clear();
      if (made.size > 0 || carried.size > 0) carried = freeDeadResidents(made, carried, state, lastOutputs, foreign);
      if (!previews.active && !listening) continue;
      const preview = previews.active
        ? previews.after({
            zone: zone.id,
            iteration: i + 1,
            count,
            state,
            types: stateTypes,
            ...(previewVae !== undefined ? { previewVae } : {}),
            ...(denoiser !== undefined ? { denoiser } : {}),
          })
        : undefined;
      if (!listening) continue;
      env.emit({
        type: 'node-progress',
        runId: env.runId,
        node: zone.output,
        value: i + 1,
        max: count,
        iteration: i + 1,
        count,
        zone: zone.id,
        ...(preview !== undefined ? { preview } : {}),
      });
    }
  } catch (error) {
    await previews.drain(0);
    throw error;
  }
  await previews.drain();

  const ms = new Map<string, number>(sequence.map(({ id }, k) => [id, memberMs[k]]));
  ms.set(zone.input, initial.ms);
  for (const id of members) hooks.finished(id, ms.get(id)!, id === zone.input ? Math.max(count, 1) : count);
  for (const [id, outputs] of lastOutputs) if (id !== zone.output) outer.set(id, outputs);
  return state;
}

/**
 * Whether `{ index, ...state }` measures 8 bytes more than the repeat-output's outputs: every value
 * those outputs hold is a state item (state items they lack are undefined, 0 bytes), and no state
 * item is named `index`.
 */
function outputsAreState(outputs: Record<string, unknown>, stateNames: readonly string[]): boolean {
  if (stateNames.includes('index')) return false;
  for (const port in outputs) if (outputs[port] !== undefined && !stateNames.includes(port)) return false;
  return true;
}

/**
 * Disposes the residents of this iteration (`made`) and of the last state (`carried`) that the new
 * state, the kept outputs and the initial state no longer hold; returns those the new state holds.
 */
function freeDeadResidents(
  made: Set<ResidentTensor>,
  carried: Set<ResidentTensor>,
  state: Record<string, unknown>,
  kept: Map<string, Record<string, unknown>>,
  foreign: Set<ResidentTensor>,
): Set<ResidentTensor> {
  // Deep: a scheduler state keeps residents in its history.
  const live = new Set<ResidentTensor>();
  for (const value of Object.values(state)) collectResidentsDeep(value, live);
  const keptLive = new Set<ResidentTensor>();
  for (const outputs of kept.values()) for (const value of Object.values(outputs)) collectResidentsDeep(value, keptLive);
  for (const t of [...made, ...carried]) if (!live.has(t) && !keptLive.has(t) && !foreign.has(t)) t.dispose();
  for (const t of foreign) live.delete(t);
  return live;
}
