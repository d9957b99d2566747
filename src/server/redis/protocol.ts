/**
 * What the server and the queue workers share through Redis: the BullMQ queue name, the job's
 * data and result, the pub/sub channels for live messages and interrupts, and the keys of the
 * history and of the written files. Workers have no shared disk: pictures travel as PNG bytes in
 * the job result, and the server alone writes them.
 */
import type { ImageRef } from '../promptQueue.ts';

export const QUEUE_NAME = 'latentloom-prompts';
/** Live messages of running prompts (worker → server): EventMessage JSON. */
export const EVENTS_CHANNEL = 'latentloom:events';
/** Interrupts (server → workers): `{ interrupt: <prompt id> | "*" }`. */
export const CONTROL_CHANNEL = 'latentloom:control';

export const KEYS = {
  /** The `number` of the next prompt (INCR). */
  counter: 'latentloom:counter',
  /** prompt id → HistoryEntry JSON. */
  history: 'latentloom:history',
  /** prompt ids by number, for the order of /history and its bound. */
  historyOrder: 'latentloom:history:order',
  /** sha256 of a written picture → its ImageRef JSON: the same bytes are never written twice. */
  files: 'latentloom:files',
} as const;

export interface PromptJobData {
  promptId: string;
  number: number;
  clientId?: string;
  extraData: Record<string, unknown>;
  /** The prompt as received (for /queue and /history). */
  prompt: unknown;
  /** The LatentLoom graph file text the prompt was converted into. */
  graph: string;
  origins: Record<string, string>;
  classes: Record<string, string>;
  outputs: string[];
}

/** A picture made by a worker: the PNG (base64), where it goes, and its file name prefix. */
export interface JobPicture {
  png: string;
  prefix: string;
  type: 'output' | 'temp';
}

export interface PromptJobResult {
  status: 'success' | 'error' | 'interrupted';
  /** Prompt node id → its pictures, as references into `pictures` (filename = key). */
  outputs: Record<string, { images?: ImageRef[] }>;
  pictures: Record<string, JobPicture>;
  /** The execution_* messages for the history status. */
  messages: [string, Record<string, unknown>][];
  /** The closing message (execution_success / _error / _interrupted), sent once files are written. */
  final: [string, Record<string, unknown>];
}

export interface EventMessage {
  promptId: string;
  clientId?: string;
  type?: string;
  data?: Record<string, unknown>;
  /** A binary preview frame, base64. */
  binary?: string;
}

/** A Redis URL for messages: the password, if any, is not shown. */
export function shownRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'the given Redis URL';
  }
}

/** Checks a `--queue` value: redis://HOST:PORT[/DB] (or rediss://). */
export function checkRedisUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--queue must be a URL like redis://127.0.0.1:6379/0, got "${url.slice(0, 80)}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`--queue must be a redis:// or rediss:// URL, got "${u.protocol}"`);
  return url;
}

/** Lock and stall settings: a job of a killed worker is taken over within seconds, not minutes. */
export function lockSettings(env: Record<string, string | undefined> = process.env): { lockDuration: number; stalledInterval: number } {
  const lockDuration = Number(env.LATENTLOOM_JOB_LOCK_MS ?? 5000);
  if (!Number.isFinite(lockDuration) || lockDuration < 500) throw new Error('LATENTLOOM_JOB_LOCK_MS must be a number of milliseconds ≥ 500');
  return { lockDuration, stalledInterval: Math.max(250, Math.round(lockDuration / 2)) };
}
