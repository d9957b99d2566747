/**
 * The engine: validate → plan → run, with a content-signature cache across runs of one engine
 * (ComfyUI semantics), intermediates released after their last reader, cancellation, and typed
 * events. See docs/architecture.md, "Engine".
 */
import type { GraphDocument, GraphIssue } from '../graph/document.ts';
import type { NodeRegistry } from '../graph/registry.ts';
import { OutputCache, type CacheStats } from './cache.ts';
import type { EngineEvent, NodeRunStats, RunError, RunOptions, RunResult } from './events.ts';
import { NodeRunError, Yielder, type RunEnv } from './nodeRunner.ts';
import { upstreamClosure, type Plan } from './plan.ts';
import { PrepMemo } from './prepMemo.ts';
import { analyzeZones } from '../graph/zones.ts';
import { computeSignatures } from './signatures.ts';
import { executePlan } from './execute.ts';
import { defaultValidator, type GraphValidator } from './validator.ts';
import { expandSubgraphIds, flattenSubgraphs } from '../graph/subgraphs.ts';

export interface EngineOptions {
  registry: NodeRegistry;
  /** Handed to nodes as `ctx.services` (see nodes/services.ts). */
  services?: unknown;
  /**
   * Byte budget of the output cache across runs (least recently used entries go first). Default:
   * an eighth of the machine's memory in Node, 512 MiB in a browser; 0 disables caching.
   */
  cacheBudgetBytes?: number;
  /** Former name of `cacheBudgetBytes` (used when that is not given). */
  cacheBytes?: number;
  /**
   * Cached results kept per node id, the most recently used ones (default 4): a node whose
   * params keep changing (a new seed every run) holds its last few results, not all of them.
   */
  cacheEntriesPerNode?: number;
  /** Graph validation run before every run; defaults to the project's `validateGraph`. */
  validate?: GraphValidator;
}

export interface Engine {
  run(graph: GraphDocument, options?: RunOptions): Promise<RunResult>;
  clearCache(): void;
  cacheStats(): CacheStats;
  /** ArrayBuffers the cache holds: copy these instead of transferring them. */
  cachedBuffers(): Set<ArrayBufferLike>;
  readonly registry: NodeRegistry;
}

let runCounter = 0;

/** Nodes the requested outputs depend on, or undefined when the graph is too broken to tell. */
function relevantNodes(graph: GraphDocument, outputs: readonly string[]): Set<string> | undefined {
  try {
    return closureOf(graph, outputs);
  } catch {
    return undefined;
  }
}

function closureOf(graph: GraphDocument, outputs: readonly string[]): Set<string> | undefined {
  if (!Array.isArray(graph?.nodes) || !Array.isArray(graph?.edges)) return undefined;
  const incoming = new Map<string, GraphDocument['edges']>();
  for (const edge of graph.edges) {
    const to = edge?.to?.node;
    if (typeof to !== 'string' || typeof edge?.from?.node !== 'string') continue;
    let list = incoming.get(to);
    if (!list) incoming.set(to, (list = []));
    list.push(edge);
  }
  return upstreamClosure(outputs, incoming, analyzeZones(graph));
}

export function createEngine(options: EngineOptions): Engine {
  const { registry, services } = options;
  const budgetBytes = options.cacheBudgetBytes ?? options.cacheBytes;
  const cache = new OutputCache({
    ...(budgetBytes !== undefined ? { budgetBytes } : {}),
    ...(options.cacheEntriesPerNode !== undefined ? { entriesPerNode: options.cacheEntriesPerNode } : {}),
  });
  const prep = new PrepMemo(registry, options.validate ?? defaultValidator, options.validate === undefined || options.validate === defaultValidator);

  async function run(drawn: GraphDocument, requestedOptions: RunOptions = {}): Promise<RunResult> {
    const runId = `run-${++runCounter}-${Date.now().toString(36)}`;
    const started = performance.now();
    const listener = requestedOptions.onEvent;
    const emit = (event: EngineEvent) => {
      // A faulty listener must not break the run it observes.
      try {
        listener?.(event);
      } catch {
        /* ignored on purpose */
      }
    };
    const signal = requestedOptions.signal ?? new AbortController().signal;
    const finish = (result: Omit<RunResult, 'runId' | 'stats'> & { stats?: Partial<RunResult['stats']> }): RunResult => {
      const ms = performance.now() - started;
      const statuses = Object.values(result.nodes);
      const full: RunResult = {
        ...result,
        runId,
        stats: {
          ms,
          executed: statuses.filter((s) => s.status === 'executed').length,
          cached: statuses.filter((s) => s.status === 'cached').length,
          peakLiveBytes: 0,
          peakLiveValues: 0,
          liveValuesAtEnd: 0,
          ...result.stats,
        },
      };
      emit({ type: 'run-end', runId, ok: full.ok, ms, nodes: full.nodes, ...(full.error ? { error: full.error } : {}) });
      return full;
    };
    const fail = (error: RunError, nodes: Record<string, NodeRunStats> = {}) => finish({ ok: false, nodes, outputs: {}, error });

    // Subgraphs run as their insides (flat ids `<subgraph>/<inner>`), so caching and events
    // work per inner node; a request for a subgraph node asks for everything inside it.
    let graph = drawn;
    let runOptions = requestedOptions;
    let issues: GraphIssue[];
    try {
      const flat = flattenSubgraphs(drawn);
      graph = flat.graph;
      if (graph !== drawn && runOptions.outputs) runOptions = { ...runOptions, outputs: expandSubgraphIds(runOptions.outputs, drawn, graph) };
      issues = prep.validate(graph).filter((i) => i.severity !== 'warning');
      // Asked for particular outputs, only problems in what they need stop the run (as in
      // ComfyUI, a half-built branch elsewhere does not block running a finished one).
      if (issues.length > 0 && runOptions.outputs && runOptions.outputs.length > 0) {
        const relevant = relevantNodes(graph, runOptions.outputs);
        if (relevant) issues = issues.filter((i) => i.node === undefined || relevant.has(i.node));
      }
      // A subgraph that cannot be flattened may have lost the very edges that would make it
      // relevant: its problems always count.
      issues.unshift(...flat.issues.filter((i) => i.severity !== 'warning'));
    } catch (error) {
      issues = [{ code: 'invalid-document', message: `Validation failed: ${error instanceof Error ? error.message : String(error)}` }];
    }
    if (issues.length > 0) {
      emit({ type: 'run-start', runId, nodes: [], targets: [] });
      return fail({
        code: 'invalid-graph',
        message: `The graph is invalid: ${issues.map((i) => i.message).join('; ')}`,
        issues,
        ...(issues[0].node !== undefined ? { node: issues[0].node } : {}),
      });
    }
    const planned = prep.plan(graph, runOptions.outputs);
    if (!planned.ok) {
      emit({ type: 'run-start', runId, nodes: [], targets: [] });
      return fail(planned.error);
    }
    const plan: Plan = planned.plan;
    emit({ type: 'run-start', runId, nodes: plan.order, targets: plan.targets });

    const env: RunEnv = {
      runId,
      graph,
      services,
      signal,
      emit,
      abortable: requestedOptions.signal !== undefined,
      listening: listener !== undefined,
      yielder: new Yielder(),
      ...(runOptions.zonePreview ? { zonePreview: runOptions.zonePreview } : {}),
    };
    const nodes: Record<string, NodeRunStats> = {};
    try {
      const signatures = await computeSignatures(plan, graph, runId, services, prep.signatures);
      const outcome = await executePlan(env, plan, signatures, cache, nodes);
      return finish({ ok: true, nodes, outputs: outcome.outputs, stats: outcome.stats });
    } catch (error) {
      const runError: RunError =
        error instanceof NodeRunError
          ? { node: error.node, code: error.code, message: error.message, ...(error.iteration !== undefined ? { iteration: error.iteration } : {}) }
          : { code: 'internal-error', message: `Engine error: ${error instanceof Error ? error.message : String(error)}` };
      if (runError.node !== undefined) {
        nodes[runError.node] = { status: 'error', ms: nodes[runError.node]?.ms ?? 0, type: plan.nodes.get(runError.node)?.def.type ?? '' };
        emit({ type: 'node-error', runId, node: runError.node, code: runError.code, message: runError.message });
      }
      for (const id of plan.order) nodes[id] ??= { status: 'skipped', ms: 0, type: plan.nodes.get(id)!.def.type };
      return fail(runError, nodes);
    } finally {
      env.abortWatch?.dispose();
    }
  }

  return {
    run,
    registry,
    clearCache: () => cache.clear(),
    cacheStats: () => cache.stats(),
    cachedBuffers: () => cache.heldBuffers(),
  };
}
