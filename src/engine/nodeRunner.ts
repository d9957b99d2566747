/**
 * Runs one planned node: gathers its inputs, builds its RunContext, times it, and turns any
 * failure into a NodeRunError that names the node.
 */
import type { GraphDocument } from '../graph/document.ts';
import type { RunContext } from '../graph/nodeSpec.ts';
import type { EngineEvent, RunOptions } from './events.ts';
import type { PlannedNode } from './plan.ts';
import { holdsResident, hostValue } from '../tensor/resident.ts';

export interface RunEnv {
  runId: string;
  graph: GraphDocument;
  services: unknown;
  signal: AbortSignal;
  emit(event: EngineEvent): void;
  /** False when the run was given no signal (nothing can abort it): node calls are then not raced against one. */
  abortable?: boolean;
  /** False when the run has no event listener: per-iteration events are then not built at all. */
  listening?: boolean;
  yielder: Yielder;
  zonePreview?: RunOptions['zonePreview'];
  /** One abort listener for the whole run (see AbortWatch); made on first use when absent. */
  abortWatch?: AbortWatch;
  /** Each node's RunContext, made once per run: a zone body runs its nodes every iteration. */
  contexts?: Map<string, RunContext>;
}

/** A failure while running a graph, with the node it belongs to. */
export class NodeRunError extends Error {
  constructor(
    readonly node: string,
    readonly code: string,
    message: string,
    readonly iteration?: number,
  ) {
    super(message);
    this.name = 'NodeRunError';
  }
}

/** Looks up the outputs a node produced (in the current scope) or undefined. */
export type ValueLookup = (nodeId: string) => Record<string, unknown> | undefined;

/** One wired input of a planned node, flattened for the per-call gathering. */
interface WiredInput {
  port: string;
  node: string;
  fromPort: string;
  isParam: boolean;
}

/**
 * A planned node's wired inputs as a list, made once per sources map (a re-planned node with
 * changed params keeps its sources, so it shares the list): gathering runs for every node of every
 * zone iteration, and iterating the map there allocates an entry per input.
 */
const wiredInputs = new WeakMap<ReadonlyMap<string, unknown>, WiredInput[]>();

function wiredInputsOf(planned: PlannedNode): WiredInput[] {
  let list = wiredInputs.get(planned.sources);
  if (!list) {
    list = [...planned.sources].map(([port, from]) => ({ port, node: from.node, fromPort: from.port, isParam: planned.paramPorts.has(port) }));
    wiredInputs.set(planned.sources, list);
  }
  return list;
}

export function gatherInputs(
  planned: PlannedNode,
  lookup: ValueLookup,
): { inputs: Record<string, unknown>; params: Record<string, unknown> } {
  const inputs: Record<string, unknown> = {};
  // Only params fed by an edge need a copy of their own; the planned params are frozen.
  const params = (planned.paramPorts.size > 0 ? { ...planned.params } : planned.params) as Record<string, unknown>;
  const wired = wiredInputsOf(planned);
  for (let i = 0; i < wired.length; i++) {
    const { port, node, fromPort, isParam } = wired[i];
    const outputs = lookup(node);
    if (!outputs || !(fromPort in outputs)) {
      throw new NodeRunError(
        planned.id,
        'missing-value',
        `Input "${port}" of node "${planned.id}" (${planned.def.type}): node "${node}" produced no "${fromPort}" output`,
      );
    }
    if (isParam) params[port] = outputs[fromPort];
    else inputs[port] = outputs[fromPort];
  }
  return { inputs, params };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
}

/** Checks the outputs a node returned cover every output port some planned node reads. */
function checkOutputs(planned: PlannedNode, outputs: unknown, needed: readonly string[]): Record<string, unknown> {
  if (outputs === null || typeof outputs !== 'object') {
    throw new NodeRunError(planned.id, 'bad-output', `Node "${planned.id}" (${planned.def.type}) returned ${String(outputs)} instead of an outputs object`);
  }
  const record = outputs as Record<string, unknown>;
  for (const port of needed) {
    if (record[port] === undefined) {
      throw new NodeRunError(planned.id, 'bad-output', `Node "${planned.id}" (${planned.def.type}) returned no value for its output "${port}"`);
    }
  }
  return record;
}

/**
 * Calls the node's `run`. Returns its outputs and the wall time in ms. `neededPorts` are the
 * output ports read downstream, which must be present.
 */
export async function invokeNode(
  env: RunEnv,
  planned: PlannedNode,
  inputs: Record<string, unknown>,
  params: Record<string, unknown>,
  neededPorts: readonly string[],
  iteration?: number,
): Promise<NodeResult> {
  return startNode(env, planned, inputs, params, neededPorts, iteration);
}

export interface NodeResult {
  outputs: Record<string, unknown>;
  ms: number;
}

/**
 * Like `invokeNode`, but a node whose `run` returns plain values (most pure-JS nodes) is finished
 * synchronously: a zone loop awaits only the nodes that are asynchronous (model calls).
 */
export function startNode(
  env: RunEnv,
  planned: PlannedNode,
  inputs: Record<string, unknown>,
  params: Record<string, unknown>,
  neededPorts: readonly string[],
  iteration?: number,
): NodeResult | Promise<NodeResult> {
  const node = planned.id;
  if (env.signal.aborted) throw cancelled(node, iteration);
  if (!planned.def.residentInputs && anyResident(inputs)) {
    // A node that reads values on the CPU gets host copies of resident inputs (one download each).
    return hostInputs(inputs).then(
      (host) => startNode(env, planned, host, params, neededPorts, iteration),
      (error: unknown) => {
        throw nodeFailure(env, planned, error, iteration);
      },
    );
  }
  const contexts = (env.contexts ??= new Map());
  let ctx = contexts.get(node);
  if (!ctx) contexts.set(node, (ctx = makeContext(env, node)));
  const start = performance.now();
  let work: unknown;
  try {
    work = planned.def.run(ctx, inputs, params);
  } catch (error) {
    throw nodeFailure(env, planned, error, iteration);
  }
  if (!(work instanceof Promise) && !isThenable(work)) return { outputs: checkOutputs(planned, work, neededPorts), ms: performance.now() - start };
  // Inline callbacks, not named closures: this runs for every async node call of every iteration.
  const settled = !(work instanceof Promise) ? Promise.resolve(work) : env.abortable === false ? work : (env.abortWatch ??= new AbortWatch(env.signal)).race(work);
  return settled.then(
    (result: unknown): NodeResult => ({ outputs: checkOutputs(planned, result, neededPorts), ms: performance.now() - start }),
    (error: unknown) => {
      throw nodeFailure(env, planned, error, iteration);
    },
  );
}

function anyResident(inputs: Record<string, unknown>): boolean {
  for (const port in inputs) if (holdsResident(inputs[port])) return true;
  return false;
}

async function hostInputs(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const host: Record<string, unknown> = {};
  for (const [port, value] of Object.entries(inputs)) host[port] = await hostValue(value);
  return host;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

/** The error a failed node call becomes: cancellation when the run was aborted, else a NodeRunError naming the node. */
function nodeFailure(env: RunEnv, planned: PlannedNode, error: unknown, iteration?: number): NodeRunError {
  const node = planned.id;
  if (error instanceof NodeRunError) return error;
  if (env.signal.aborted) return cancelled(node, iteration);
  const own = (error as { code?: unknown } | null)?.code;
  const code = typeof own === 'string' && own !== '' ? own : 'node-failed';
  const where = iteration === undefined ? '' : ` in iteration ${iteration + 1}`;
  return new NodeRunError(node, code, `Node "${node}" (${planned.def.type}) failed${where}: ${describeError(error)}`, iteration);
}

function makeContext(env: RunEnv, node: string): RunContext {
  const { runId, emit } = env;
  let log: RunContext['log'] | undefined;
  return {
    nodeId: node,
    signal: env.signal,
    services: env.services,
    graph: env.graph,
    progress(value, max, preview, unit) {
      emit({ type: 'node-progress', runId, node, value, max, ...(preview !== undefined ? { preview } : {}), ...(unit ? { unit } : {}) });
    },
    // Made on first use: most nodes never log, and every node of a run gets a context.
    get log() {
      return (log ??= {
        debug: (message) => emit({ type: 'node-log', runId, node, level: 'debug', message }),
        info: (message) => emit({ type: 'node-log', runId, node, level: 'info', message }),
        warn: (message) => emit({ type: 'node-log', runId, node, level: 'warn', message }),
      });
    },
  };
}

/**
 * Lets a run's node calls settle with their work, or reject as soon as the run's signal aborts: a
 * node stuck in a call it cannot interrupt (a long model run) does not hold the run; its late
 * result is dropped. One abort listener serves every call of the run (a listener per call costs
 * more than a small node's work); `dispose` removes it when the run ends.
 */
export class AbortWatch {
  private readonly pending = new Set<(error: Error) => void>();
  private readonly onAbort = () => {
    for (const reject of this.pending) reject(new Error('cancelled'));
    this.pending.clear();
  };

  constructor(private readonly signal: AbortSignal) {
    if (!signal.aborted) signal.addEventListener('abort', this.onAbort, { once: true });
  }

  race<T>(work: Promise<T>): Promise<T> {
    work.catch(() => {}); // a late failure after cancellation is nobody's concern
    if (this.signal.aborted) return Promise.reject(new Error('cancelled'));
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      work.then(
        (value) => {
          this.pending.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.pending.delete(reject);
          reject(error);
        },
      );
    });
  }

  dispose(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.pending.clear();
  }
}

export function cancelled(node: string, iteration?: number): NodeRunError {
  const where = iteration === undefined ? '' : ` (iteration ${iteration + 1})`;
  return new NodeRunError(node, 'cancelled', `Run cancelled at node "${node}"${where}`, iteration);
}

/**
 * Lets queued tasks run (a worker's cancel message, UI events in a same-thread host) when the
 * run has kept the thread busy for a while. Pure-JS nodes never yield on their own.
 */
export class Yielder {
  private last = performance.now();
  constructor(private readonly everyMs = 15) {}
  /** A promise to await when it is time to yield, else undefined (no await, no microtask, per node or iteration). */
  maybeYield(): Promise<void> | undefined {
    if (performance.now() - this.last < this.everyMs) return undefined;
    return nextTask().then(() => {
      this.last = performance.now();
    });
  }
}

/**
 * Resolves on a fresh macrotask. Browsers clamp nested setTimeout(0) to 4 ms, so a message
 * channel is used there; Node has setImmediate.
 */
function nextTask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
