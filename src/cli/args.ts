/** Command-line parsing for `latentloom`: small and strict, with errors meant for people. */
import { parseByteSize } from '../tensor/tensor.ts';

export interface ParsedArgs {
  command: string | undefined;
  positional: string[];
  out?: string;
  /** ONNX backend for `run`: onnxruntime-node (default) or onnxruntime-web's wasm build. */
  backend?: 'node' | 'wasm';
  /** What `run` may fetch: nothing, model packages and images the graph names (default), or anything. */
  network?: 'none' | 'models' | 'all';
  /** Lets fetches reach loopback and private-network hosts (never cloud metadata addresses). */
  allowPrivateNetwork: boolean;
  sets: string[];
  /** Bytes one tensor may take in `run` (default: a quarter of the machine's memory). */
  memoryBudget?: number;
  outputs: string[];
  /** Folders a graph may read files from besides its own folder, --out and the model folders. */
  allowPaths: string[];
  /** ComfyUI checkpoint names → model packages (JSON file), for import, run and validate. */
  models?: string;
  /** `serve`: address and port to listen on, input folder (LoadImage, uploads), Bearer token. */
  host?: string;
  port?: number;
  input?: string;
  token?: string;
  /** `serve` / `worker` / `sweep`: the Redis of the BullMQ job queue, and jobs one worker runs at once. */
  queue?: string;
  concurrency?: number;
  /** `sweep`: the --set lists side by side instead of their product. */
  zip: boolean;
  json: boolean;
  help: boolean;
}

export class UsageError extends Error {}

const VALUE_FLAGS = new Set(['--out', '--set', '--output', '--backend', '--memory-budget', '--allow-path', '--network', '--models', '--host', '--port', '--input', '--token', '--queue', '--concurrency']);

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { command: undefined, positional: [], sets: [], outputs: [], allowPaths: [], zip: false, json: false, help: false, allowPrivateNetwork: false };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0 && VALUE_FLAGS.has(arg.slice(0, eq))) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--json') parsed.json = true;
    else if (arg === '--zip') parsed.zip = true;
    else if (arg === '--help' || arg === '-h') parsed.help = true;
    else if (arg === '--allow-private-network') parsed.allowPrivateNetwork = true;
    else if (VALUE_FLAGS.has(arg)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      if (arg === '--out') parsed.out = value;
      else if (arg === '--backend') {
        if (value !== 'node' && value !== 'wasm') throw new UsageError(`--backend must be node or wasm, got "${value}"`);
        parsed.backend = value;
      } else if (arg === '--network') {
        if (value !== 'none' && value !== 'models' && value !== 'all') throw new UsageError(`--network must be none, models or all, got "${value.replace(/[^\x20-\x7e]/g, '?').slice(0, 40)}"`);
        parsed.network = value;
      }
      else if (arg === '--memory-budget') {
        try {
          parsed.memoryBudget = parseByteSize(value, '--memory-budget');
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      }
      else if (arg === '--set') parsed.sets.push(value);
      else if (arg === '--models') parsed.models = value;
      else if (arg === '--host') parsed.host = value;
      else if (arg === '--queue') parsed.queue = value;
      else if (arg === '--concurrency') {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--concurrency must be a whole number from 1 to 64, got "${value.slice(0, 20)}"`);
        parsed.concurrency = n;
      }
      else if (arg === '--input') parsed.input = value;
      else if (arg === '--token') {
        if (value.length < 8) throw new UsageError('--token must be at least 8 characters');
        parsed.token = value;
      } else if (arg === '--port') {
        const port = Number(value);
        if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got "${value.slice(0, 20)}"`);
        parsed.port = port;
      }
      else if (arg === '--allow-path') parsed.allowPaths.push(value);
      else parsed.outputs.push(value);
    } else if (arg.startsWith('-')) throw new UsageError(`Unknown option ${arg}`);
    else if (parsed.command === undefined) parsed.command = arg;
    else parsed.positional.push(arg);
  }
  return parsed;
}

export const USAGE = `Usage:
  latentloom validate <graph.json> [--models FILE] [--json]
      Checks a graph file; prints its issues. Exit 1 if any is an error.
      run and validate also take ComfyUI workflows (API or UI JSON, ComfyUI PNGs), converted on load.
  latentloom run <graph.json> [--out DIR] [--set NODE.PARAM=VALUE ...] [--output NODE ...] [--backend node|wasm]
                          [--memory-budget SIZE] [--allow-path DIR ...]
                          [--network none|models|all] [--allow-private-network] [--json]
      Runs a graph headless and writes its images into DIR (default ./output).
      --set     overrides a node's param (repeatable); VALUE is read as the param's kind
      --output  runs only what this node needs (repeatable; default: every output node)
      --backend node (onnxruntime-node, default) or wasm (onnxruntime-web's wasm build)
      --memory-budget  the most one tensor may take, e.g. 6GiB (default: a quarter of the
                machine's memory, or LATENTLOOM_MEMORY_BUDGET); larger ones are refused
      --allow-path  lets the graph read files under DIR (repeatable); by default only the
                graph's folder, --out, built-in models and ~/.cache/latentloom
      --network models (default): fetch model packages and images the graph names, public hosts only;
                none: no network at all (cached packages still run); all: also any other fetch
      --allow-private-network  lets fetches reach loopback/private hosts (metadata addresses never)
      --json    prints one JSON object: { ok, nodes, outputs, error? }
  latentloom import <workflow.json|.png> [--out graph.json] [--models FILE]
      Converts a ComfyUI workflow into a LatentLoom graph file (printed without --out).
      --models  JSON { "name.safetensors": "<model package folder, URL or builtin:…>" } for
                checkpoint names other than toy-shapes(.safetensors|.ckpt)
  latentloom serve [--host 127.0.0.1] [--port 8188] [--out DIR] [--input DIR] [--models FILE]
                   [--token TOKEN] [--allow-path DIR ...] [--network none|models|all]
      Answers ComfyUI's HTTP + WebSocket API (POST /prompt, /queue, /history, /view, /ws, …):
      ComfyUI clients and scripts work unchanged; prompts are ComfyUI API JSON or LatentLoom
      graphs, run one at a time. Images go to --out (default ./output); LoadImage and
      /upload/image use --input (default ./input). Binds 127.0.0.1; another --host warns, and
      --token (or LATENTLOOM_TOKEN) makes every request need "Authorization: Bearer TOKEN".
      --queue redis://HOST:PORT[/DB]: prompts become BullMQ jobs for "latentloom worker"
                processes; history lives in Redis (default: the in-process queue)
  latentloom worker --queue redis://HOST:PORT[/DB] [--concurrency N] [--input DIR] [--models FILE]
      Runs prompt jobs of a "serve --queue" server (any number of workers, on any machines);
      pictures go back to the server through Redis, so workers need no shared disk.
  latentloom sweep <graph.json> [--set NODE.PARAM=VALUES ...] [--zip] [--out DIR] [--queue redis://…]
      Runs the graph for every combination of the --set lists (VALUES: 1..100, 1..100:5, 1..10:0.5, 1,2,4,
      @lines.txt, or one value; --zip pairs the lists instead), in this process or as jobs for
      workers, with a progress bar; writes DIR/manifest.jsonl (job, overrides, files, seconds,
      metric values, error). Without --set: the sweep the graph carries (meta.extra.sweep, as
      the editor's Sweep panel runs it). Run again to resume: jobs already in the manifest are skipped.
  latentloom convert <checkpoint.pth|.safetensors|model.json> [--out model.onnx]
      Recognises the architecture (RRDBNet, SRVGGNetCompact, TAESD family, TF.js layers) and writes
      it as an ONNX model.
`;
