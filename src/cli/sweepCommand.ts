/**
 * `latentloom sweep <graph> [--set NODE.PARAM=VALUES …] [--zip] [--queue redis://…] --out DIR`:
 * runs a graph over the product (or the zip) of param lists (without --set: the sweep the graph
 * file carries in meta.extra.sweep, the editor's) — in this process with one engine
 * (its cache shared, so only what a value reaches re-runs), or as jobs for `latentloom worker`
 * processes — with a progress bar and ETA, and writes DIR/manifest.jsonl (job, overrides,
 * files, seconds, numeric outputs such as metric scores, error). A re-run skips the jobs the manifest holds whose files still exist.
 */
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { createEngine } from '../engine/engine.ts';
import type { GraphDocument } from '../graph/document.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { saveGraphText } from '../persistence/save.ts';
import { UsageError, type ParsedArgs } from './args.ts';
import { formatIssue } from './format.ts';
import { loadFileOptions } from './importCommand.ts';
import { loadGraphFile } from './loadFile.ts';
import { applyOverrides } from './overrides.ts';
import { EXIT_CANCELLED, graphNeedsRuntime, networkPolicyOf } from './runCommand.ts';
import { cliFileAccess, cliServices } from './services.ts';
import { doneJobs, parseAxis, planSweep, type ManifestLine, type SweepJob } from './sweepPlan.ts';
import { writeNumberedFile } from './outputFiles.ts';
import { axesOf, numericOutputs, readSweepDefinition } from '../metrics/sweepResults.ts';

interface JobOutcome {
  files: string[];
  /** Plain numbers of output nodes (metric scores, say), as `node.port`. */
  values?: Record<string, number>;
  error?: string;
}

interface JobRunner {
  run(job: SweepJob, graph: GraphDocument, signal: AbortSignal): Promise<JobOutcome>;
  close(): Promise<void>;
}

const exists = (path: string) => stat(path).then(() => true, () => false);

async function localRunner(args: ParsedArgs, graph: GraphDocument, graphDir: string, outDir: string): Promise<JobRunner> {
  const registry = defaultRegistry();
  const access = cliFileAccess(outDir, { graphDir, allowPaths: args.allowPaths });
  const network = networkPolicyOf(args);
  let runtime: import('../runtime/runtime.ts').Runtime | undefined;
  if (graphNeedsRuntime(graph, registry)) {
    const { createNodeRuntime } = await import('../runtime/node/index.ts');
    const { createNodeBackend } = await import('../runtime/backends/node.ts');
    runtime = createNodeRuntime({ backend: createNodeBackend(), access, network });
  }
  const engine = createEngine({ registry, services: cliServices(outDir, runtime, { access, network }) });
  return {
    async run(_job, jobGraph, signal) {
      const result = await engine.run(jobGraph, { signal });
      const files = Object.values(result.outputs).flatMap((ports) => (Array.isArray(ports.files) ? ports.files.filter((f): f is string => typeof f === 'string') : []));
      const values = numericOutputs(result.outputs);
      return result.ok ? { files, ...(Object.keys(values).length ? { values } : {}) } : { files, error: `${result.error?.node ? `node "${result.error.node}": ` : ''}${result.error?.message ?? 'failed'}` };
    },
    close: async () => runtime?.release(),
  };
}

async function queueRunner(url: string, outDir: string): Promise<JobRunner> {
  const { Queue, QueueEvents } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const { QUEUE_NAME, shownRedisUrl } = await import('../server/redis/protocol.ts');
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const eventsConnection = new Redis(url, { maxRetriesPerRequest: null });
  connection.on('error', () => {});
  eventsConnection.on('error', () => {});
  try {
    await connection.ping();
  } catch (error) {
    connection.disconnect();
    eventsConnection.disconnect();
    throw new Error(`cannot reach the job queue's Redis at ${shownRedisUrl(url)}: ${(error as Error).message}`);
  }
  const queue = new Queue(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection });
  await events.waitUntilReady();
  const registry = defaultRegistry();
  return {
    async run(job, jobGraph, signal) {
      const outputs = jobGraph.nodes.filter((n) => registry.get(n.type)?.isOutput).map((n) => n.id);
      const identity = Object.fromEntries(jobGraph.nodes.map((n) => [n.id, n.id]));
      const classes = Object.fromEntries(jobGraph.nodes.map((n) => [n.id, n.type]));
      const promptId = `sweep-${job.id}-${Date.now().toString(36)}`;
      const added = await queue.add('sweep', {
        promptId, number: 0, extraData: {}, prompt: null, graph: saveGraphText(jobGraph), origins: identity, classes, outputs,
      }, { jobId: promptId, attempts: 2, removeOnComplete: false, removeOnFail: false });
      const onAbort = () => void connection.publish('latentloom:control', JSON.stringify({ interrupt: promptId }));
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const result = (await added.waitUntilFinished(events)) as import('../server/redis/protocol.ts').PromptJobResult;
        const files: string[] = [];
        for (const picture of Object.values(result.pictures)) {
          if (picture.type !== 'output') continue;
          files.push(await writeNumberedFile(outDir, basename(picture.prefix).replace(/^\.+/, '') || 'LatentLoom', '.png', Buffer.from(picture.png, 'base64')));
        }
        const final = result.final[1];
        return result.status === 'success' ? { files } : { files, error: String(final.exception_message ?? result.status) };
      } catch (error) {
        return { files: [], error: (error as Error).message };
      } finally {
        signal.removeEventListener('abort', onAbort);
        await added.remove().catch(() => {});
      }
    },
    async close() {
      await Promise.allSettled([events.close(), queue.close()]);
      connection.disconnect();
      eventsConnection.disconnect();
    },
  };
}

/** Without --set: the sweep the graph file carries (meta.extra.sweep, what the editor's Sweep panel runs). */
function storedSweep(graph: GraphDocument, file: string): SweepJob[] {
  const stored = readSweepDefinition(graph.meta.extra);
  if (stored.error) throw new Error(`${file}: ${stored.error}`);
  if (!stored.definition) throw new Error(`sweep needs at least one --set NODE.PARAM=VALUES (${file} has no meta.extra.sweep)`);
  return planSweep(axesOf(stored.definition), stored.definition.zip ?? false);
}

export async function sweepCommand(args: ParsedArgs, print: (line: string) => void, log: (line: string) => void): Promise<number> {
  const file = args.positional[0];
  if (!file || args.positional.length > 1) throw new UsageError('sweep takes exactly one graph file');
  const loaded = await loadGraphFile(file, await loadFileOptions(args));
  if (!loaded.ok) {
    for (const issue of loaded.issues) log(`${file}: ${formatIssue(issue)}`);
    return 1;
  }
  let jobs: SweepJob[];
  try {
    jobs = args.sets.length > 0
      ? planSweep(args.sets.map((set) => parseAxis(set, (path) => readFileSync(resolve(path), 'utf8'))), args.zip)
      : storedSweep(loaded.graph, file);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const registry = defaultRegistry();
  const setsOf = (job: SweepJob) => Object.entries(job.overrides).map(([k, v]) => `${k}=${v}`);
  // Every key must name a node param: checked once, before anything runs.
  applyOverrides(loaded.graph, setsOf(jobs[0]), registry);

  const outDir = resolve(args.out ?? 'output');
  await mkdir(outDir, { recursive: true });
  const manifest = join(outDir, 'manifest.jsonl');
  const previous = doneJobs(await readFile(manifest, 'utf8').catch(() => ''));
  const skipped = new Set<string>();
  for (const job of jobs) {
    const entry = previous.get(job.id);
    if (entry && (await Promise.all(entry.files.map((f) => exists(resolve(outDir, f))))).every(Boolean)) skipped.add(job.id);
  }
  const todo = jobs.filter((j) => !skipped.has(j.id));
  log(`sweep: ${jobs.length} jobs${skipped.size ? `, ${skipped.size} already in ${manifest}` : ''}${args.queue ? ` (queued on ${args.queue.replace(/\/\/[^@]*@/, '//')})` : ''}`);

  const runner = args.queue !== undefined ? await queueRunner(args.queue, outDir) : await localRunner(args, loaded.graph, dirname(resolve(file)), outDir);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ format: 'sweep |{bar}| {value}/{total} jobs | {percentage}% | ETA {eta_formatted} | {failed} failed', stream: process.stderr }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(todo.length, 0, { failed: 0 });
  let failed = 0;
  try {
    for (const [i, job] of todo.entries()) {
      if (controller.signal.aborted) break;
      const start = performance.now();
      let outcome: JobOutcome;
      try {
        outcome = await runner.run(job, applyOverrides(loaded.graph, setsOf(job), registry), controller.signal);
      } catch (error) {
        outcome = { files: [], error: (error as Error).message };
      }
      const line: ManifestLine = {
        job: job.id, overrides: job.overrides,
        files: outcome.files.map((f) => (f.startsWith(outDir) ? f.slice(outDir.length + 1) : f)),
        seconds: Math.round((performance.now() - start) / 10) / 100,
        ...(outcome.values ? { values: outcome.values } : {}),
        ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      };
      if (outcome.error !== undefined) failed++;
      if (!(controller.signal.aborted && outcome.error !== undefined)) await appendFile(manifest, `${JSON.stringify(line)}\n`);
      if (bar) bar.update(i + 1, { failed });
      else log(`[${i + 1}/${todo.length}] ${Object.entries(job.overrides).map(([k, v]) => `${k}=${v}`).join(' ')}: ${outcome.error ? `error: ${outcome.error}` : `${line.seconds} s, ${line.files.join(', ')}`}`);
    }
  } finally {
    bar?.stop();
    process.off('SIGINT', onSignal);
    await runner.close();
  }
  if (controller.signal.aborted) {
    log('cancelled: run the same sweep again to go on where it stopped');
    return EXIT_CANCELLED;
  }
  print(manifest);
  log(`sweep: ${todo.length - failed} done, ${failed} failed, ${skipped.size} skipped`);
  return failed === 0 ? 0 : 1;
}
