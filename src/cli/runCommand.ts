/**
 * `latentloom run <graph>`: runs a graph headless. Images go to --out; --json prints one object
 * `{ ok, nodes: [{ id, type, status, ms }], outputs: [{ node, files }], error? }`.
 */
import type { GraphDocument } from '../graph/document.ts';
import { createEngine } from '../engine/engine.ts';
import { defaultRunTargets } from '../graph/runTargets.ts';
import type { EngineEvent, RunResult } from '../engine/events.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { UsageError, type ParsedArgs } from './args.ts';
import { formatIssue } from './format.ts';
import { loadGraphFile } from './loadFile.ts';
import { loadFileOptions } from './importCommand.ts';
import { applyOverrides } from './overrides.ts';
import { cliFileAccess, cliServices } from './services.ts';
import type { FileAccess } from '../security/fileAccess.ts';
import { dirname, resolve } from 'node:path';
import type { Runtime } from '../runtime/runtime.ts';
import { getMemoryBudget, setMemoryBudget } from '../tensor/tensor.ts';

/** Exit status of a run cancelled by Ctrl+C (128 + SIGINT), and by SIGTERM (128 + 15). */
export const EXIT_CANCELLED = 130;
export const EXIT_TERMINATED = 143;
import { defaultNetworkPolicy, timeoutsFromEnv, type NetworkPolicy } from '../security/network.ts';
import type { NodeRegistry } from '../graph/registry.ts';

export interface CliRunReport {
  ok: boolean;
  nodes: { id: string; type: string; status: string; ms: number }[];
  /** `values`: an output's plain scalar ports (numbers, strings, booleans), for math-only graphs. */
  outputs: { node: string; files: string[]; values?: Record<string, number | string | boolean> }[];
  error?: { node?: string; code: string; message: string; issues?: unknown[] };
}

/**
 * The ONNX runtime (onnxruntime-node) is loaded only for graphs that use models (a `models`
 * table, or a node that runs ONNX sessions, such as model/load-upscaler with a file path), so
 * other graphs start fast and never touch native code.
 */
export function graphNeedsRuntime(graph: GraphDocument, registry: NodeRegistry): boolean {
  return Object.keys(graph.models ?? {}).length > 0 || graph.nodes.some((n) => registry.get(n.type)?.needsRuntime === true);
}

async function runtimeFor(graph: GraphDocument, registry: NodeRegistry, access: FileAccess, network: NetworkPolicy, backend: 'node' | 'wasm' = 'node'): Promise<Runtime | undefined> {
  if (!graphNeedsRuntime(graph, registry)) return undefined;
  const { createNodeRuntime } = await import('../runtime/node/index.ts');
  if (backend === 'wasm') {
    const { createWebBackend } = await import('../runtime/backends/web.ts');
    return createNodeRuntime({ backend: await createWebBackend({ executionProvider: 'wasm' }), access, network });
  }
  const { createNodeBackend } = await import('../runtime/backends/node.ts');
  return createNodeRuntime({ backend: createNodeBackend(), access, network });
}

/** The network policy of a run: flags, plus timeouts from LATENTLOOM_CONNECT_TIMEOUT_S / LATENTLOOM_STALL_TIMEOUT_S. */
export function networkPolicyOf(args: ParsedArgs, env: Record<string, string | undefined> = process.env): NetworkPolicy {
  let timeouts: Partial<NetworkPolicy>;
  try {
    timeouts = timeoutsFromEnv(env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return defaultNetworkPolicy({ mode: args.network ?? 'models', allowPrivateNetwork: args.allowPrivateNetwork, ...timeouts });
}

export function toReport(result: RunResult, graph: GraphDocument): CliRunReport {
  const typeOf = new Map(graph.nodes.map((n) => [n.id, n.type]));
  const report: CliRunReport = {
    ok: result.ok,
    nodes: Object.entries(result.nodes).map(([id, s]) => ({ id, type: s.type || typeOf.get(id) || '', status: s.status, ms: Math.round(s.ms * 1000) / 1000 })),
    outputs: Object.entries(result.outputs).map(([node, ports]) => {
      const values: Record<string, number | string | boolean> = {};
      for (const [port, v] of Object.entries(ports)) {
        if (typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 10_000)) values[port] = v;
      }
      return {
        node,
        files: Array.isArray(ports.files) ? (ports.files as unknown[]).filter((f): f is string => typeof f === 'string') : [],
        ...(Object.keys(values).length > 0 ? { values } : {}),
      };
    }),
  };
  if (result.error) {
    const { node, code, message, issues } = result.error;
    report.error = { ...(node !== undefined ? { node } : {}), code, message, ...(issues ? { issues } : {}) };
  }
  return report;
}

function progressPrinter(graph: GraphDocument, log: (line: string) => void): (event: EngineEvent) => void {
  const typeOf = new Map(graph.nodes.map((n) => [n.id, n.type]));
  let total = 0;
  let done = 0;
  return (event) => {
    if (event.type === 'run-start') total = event.nodes.length;
    else if (event.type === 'node-finish') {
      done++;
      const how = event.cached ? 'cached' : `${event.ms.toFixed(1)} ms`;
      log(`[${String(done).padStart(String(total).length)}/${total}] ${event.node} (${typeOf.get(event.node)}) ${how}`);
    } else if (event.type === 'node-progress' && event.zone !== undefined && event.count !== undefined && event.iteration !== undefined) {
      // At most ~20 lines per zone, however many iterations it has.
      const every = Math.max(1, Math.ceil(event.count / 20));
      if (event.iteration % every === 0 || event.iteration === event.count) log(`    zone ${event.zone}: iteration ${event.iteration}/${event.count}`);
    } else if (event.type === 'node-log' && event.level !== 'debug') log(`    ${event.node}: ${event.message}`);
  };
}

export async function runCommand(args: ParsedArgs, print: (line: string) => void, log: (line: string) => void): Promise<number> {
  const file = args.positional[0];
  if (!file || args.positional.length > 1) throw new UsageError('run takes exactly one graph file');
  const loaded = await loadGraphFile(file, await loadFileOptions(args));
  if (!loaded.ok) {
    const report: CliRunReport = {
      ok: false,
      nodes: [],
      outputs: [],
      error: { code: 'invalid-graph', message: `${file} could not be loaded`, issues: loaded.issues },
    };
    if (args.json) print(JSON.stringify(report));
    else for (const issue of loaded.issues) log(`${file}: ${formatIssue(issue)}`);
    return 1;
  }
  for (const issue of loaded.warnings) if (issue.code === 'converted') log(`${file}: ${formatIssue(issue)}`);
  // The flag wins; otherwise the default (LATENTLOOM_MEMORY_BUDGET is read, and checked, here).
  setMemoryBudget(args.memoryBudget);
  getMemoryBudget();
  const registry = defaultRegistry();
  const graph = applyOverrides(loaded.graph, args.sets, registry);
  const outDir = args.out ?? 'output';
  // The graph is untrusted: its paths resolve against its own folder and may not leave the allowed ones.
  const access = cliFileAccess(outDir, { graphDir: dirname(resolve(file)), allowPaths: args.allowPaths });
  const network = networkPolicyOf(args);
  const services = cliServices(outDir, await runtimeFor(graph, registry, access, network, args.backend), { access, network });
  const engine = createEngine({ registry, services });
  // Ctrl+C (or SIGTERM) cancels the run at the next node or iteration; a second one kills the
  // process the default way. Output files are published atomically, so none is left half written.
  const controller = new AbortController();
  let interruptedBy: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    interruptedBy ??= signal;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // As in the editor: without output nodes, the graph's leaves are its outputs. A leaf of an
  // unknown type counts too, so the run reports it rather than skipping it.
  const outputs = args.outputs.length ? args.outputs : defaultRunTargets(graph, (type) => registry.get(type) ?? {});
  let result: RunResult;
  try {
    result = await engine.run(graph, {
      signal: controller.signal,
      ...(outputs ? { outputs } : {}),
      ...(args.json ? {} : { onEvent: progressPrinter(graph, log) }),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const report = toReport(result, graph);
  if (interruptedBy !== undefined && !result.ok) {
    if (args.json) print(JSON.stringify(report));
    log('cancelled');
    return interruptedBy === 'SIGINT' ? EXIT_CANCELLED : EXIT_TERMINATED;
  }
  if (args.json) print(JSON.stringify(report));
  else if (result.ok) {
    const files = report.outputs.flatMap((o) => o.files);
    log(`Done in ${result.stats.ms.toFixed(0)} ms: ${result.stats.executed} executed, ${result.stats.cached} cached.`);
    for (const f of files) print(f);
    for (const o of report.outputs) for (const [port, v] of Object.entries(o.values ?? {})) print(`${o.node}.${port} = ${JSON.stringify(v)}`);
  } else {
    for (const issue of result.error?.issues ?? []) log(`${file}: ${formatIssue(issue)}`);
    if (!result.error?.issues) log(`Error${result.error?.node ? ` in node "${result.error.node}"` : ''} [${result.error?.code}]: ${result.error?.message}`);
  }
  return result.ok ? 0 : 1;
}
