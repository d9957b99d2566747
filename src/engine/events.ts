/**
 * The engine's event union and result types. The editor, the CLI's `--json` output, the worker
 * and the tests all consume these same events. Everything here is structured-cloneable.
 */
import type { GraphIssue } from '../graph/document.ts';

export type NodeStatus = 'executed' | 'cached' | 'error' | 'skipped';

export interface NodeRunStats {
  status: NodeStatus;
  /** Wall time spent in the node's `run` (summed over iterations for zone body nodes). */
  ms: number;
  type: string;
  /** For zone body nodes: how many iterations ran. */
  iterations?: number;
}

export interface RunError {
  /** The node that failed (absent for graph-level errors such as an invalid graph). */
  node?: string;
  /** Stable: `invalid-graph`, `node-failed`, `cancelled`, `missing-value`, a node's own code, … */
  code: string;
  message: string;
  /** For `invalid-graph`: the validation issues. */
  issues?: GraphIssue[];
  /** For errors inside a repeat zone: the 0-based iteration. */
  iteration?: number;
}

export interface RunStats {
  ms: number;
  executed: number;
  cached: number;
  /** Largest number of bytes held by intermediate values of this run at any time. */
  peakLiveBytes: number;
  /** Largest number of node outputs held at any time (cache entries excluded). */
  peakLiveValues: number;
  /** Node outputs still held when the run ended: the requested outputs only. */
  liveValuesAtEnd: number;
}

export interface RunResult {
  ok: boolean;
  runId: string;
  nodes: Record<string, NodeRunStats>;
  /** Outputs of the requested nodes (all output nodes by default), by node id then port. */
  outputs: Record<string, Record<string, unknown>>;
  error?: RunError;
  stats: RunStats;
}

export type EngineEvent =
  | { type: 'run-start'; runId: string; nodes: string[]; targets: string[] }
  | { type: 'node-start'; runId: string; node: string; nodeType: string }
  | {
      type: 'node-progress';
      runId: string;
      node: string;
      value: number;
      max: number;
      /** Set for repeat-zone progress (reported on the zone's repeat-output): 1-based iteration. */
      iteration?: number;
      count?: number;
      zone?: string;
      preview?: unknown;
      /** With a preview made asynchronously: the iteration it shows (may trail `iteration`). */
      previewIteration?: number;
      /** Set when value and max are bytes (a model download). */
      unit?: 'bytes';
    }
  | { type: 'node-log'; runId: string; node: string; level: 'debug' | 'info' | 'warn'; message: string }
  | { type: 'node-finish'; runId: string; node: string; ms: number; cached: boolean }
  | { type: 'node-error'; runId: string; node: string; code: string; message: string }
  | { type: 'run-end'; runId: string; ok: boolean; ms: number; nodes: Record<string, NodeRunStats>; error?: RunError };

export type EngineEventType = EngineEvent['type'];

export interface RunOptions {
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
  /** Node ids to compute; default: every node whose type is an output node. */
  outputs?: readonly string[];
  /**
   * Makes the optional preview sent with each zone iteration's progress event, from the state
   * the iteration produced (e.g. the carried latent as a small RGB image). Return undefined for
   * none; a throwing hook only loses the preview. A hook may return a Promise (e.g. a TAESD
   * decode): the loop does not wait for it; at most one is in flight, the newest iteration is
   * previewed next, and each arrives as an extra progress event with `previewIteration`.
   */
  zonePreview?: (info: ZoneIterationInfo) => unknown;
}

export interface ZoneIterationInfo {
  zone: string;
  /** 1-based. */
  iteration: number;
  count: number;
  /** The loop-carried state after this iteration, by state item name. */
  state: Record<string, unknown>;
  /** The state items' port types, by name. */
  types: Record<string, string>;
  /** The value wired into the repeat-output's `preview_vae` input (a VAE handle), if any. */
  previewVae?: unknown;
  /**
   * The DENOISER value the zone's body reads (the first one, in body order), if any: its model
   * package says how the carried latents look as RGB without a VAE.
   */
  denoiser?: unknown;
  /** Aborted when the run is cancelled or the zone's previews are no longer wanted. */
  signal?: AbortSignal;
}
