/**
 * The server's prompt queue with ComfyUI's semantics: prompts run one at a time in the order
 * they were queued; `/queue` shows the running and pending ones, `/history` the finished ones
 * (bounded, newest kept). What runs a prompt is a PromptExecutor, so the queue does not care
 * whether it runs in this process or elsewhere. Messages go to the client that queued the
 * prompt (all clients when it gave no client_id); queue status goes to everyone.
 */
import { randomUUID } from 'node:crypto';
import type { AcceptedPrompt } from './promptInput.ts';

export interface ImageRef {
  filename: string;
  subfolder: string;
  type: 'output' | 'temp' | 'input';
}

export interface NodeOutput {
  images?: ImageRef[];
  [key: string]: unknown;
}

export interface QueuedPrompt {
  number: number;
  id: string;
  accepted: AcceptedPrompt;
  clientId?: string;
  extraData: Record<string, unknown>;
  /** Prompt ids of the output nodes, ComfyUI's `outputs_to_execute`. */
  outputsToExecute: string[];
}

export interface ExecutionOutcome {
  status: 'success' | 'error' | 'interrupted';
  outputs: Record<string, NodeOutput>;
}

/** Where a running prompt's messages go. */
export interface MessageSink {
  send(type: string, data: Record<string, unknown>): void;
  /** A binary frame (latent previews); skipped cheaply when nobody listens. */
  sendBinary(bytes: Uint8Array): void;
  wantsBinary(): boolean;
}

export type PromptExecutor = (item: QueuedPrompt, signal: AbortSignal, sink: MessageSink) => Promise<ExecutionOutcome>;

export interface Broadcaster {
  /** To one client, or every client when clientId is undefined. */
  send(clientId: string | undefined, type: string, data: Record<string, unknown>): void;
  sendBinary(clientId: string | undefined, bytes: Uint8Array): void;
  hasListener(clientId: string | undefined): boolean;
}

export interface HistoryEntry {
  prompt: [number, string, unknown, Record<string, unknown>, string[]];
  outputs: Record<string, NodeOutput>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: [string, Record<string, unknown>][] };
  meta: Record<string, { node_id: string; display_node: string; parent_node: null; real_node_id: string }>;
}

type Awaitable<T> = T | Promise<T>;

/** What the routes need of a queue: the in-process PromptQueue, or the Redis-backed one. */
export interface ServerQueue {
  remaining(): Awaitable<number>;
  enqueue(accepted: AcceptedPrompt, options?: { clientId?: string; extraData?: Record<string, unknown>; front?: boolean }): Awaitable<{ prompt_id: string; number: number }>;
  queue(): Awaitable<{ queue_running: unknown[]; queue_pending: unknown[] }>;
  removePending(ids?: readonly string[]): Awaitable<number>;
  interrupt(promptId?: string): Awaitable<boolean>;
  history(maxItems?: number): Awaitable<Record<string, HistoryEntry>>;
  historyOf(id: string): Awaitable<Record<string, HistoryEntry>>;
  deleteHistory(ids?: readonly string[]): Awaitable<void>;
  /** Why the queue cannot answer now (its Redis is unreachable, say), or undefined. */
  unavailable?(): string | undefined;
  close(): Promise<void>;
}

/** ComfyUI keeps this many finished prompts. */
export const MAX_HISTORY = 10_000;

/** Messages kept in a prompt's history status (ComfyUI keeps the execution_* ones). */
const STATUS_MESSAGES = new Set(['execution_start', 'execution_cached', 'execution_success', 'execution_error', 'execution_interrupted']);

export class PromptQueue implements ServerQueue {
  private readonly pending: QueuedPrompt[] = [];
  private running: { item: QueuedPrompt; controller: AbortController } | undefined;
  private readonly finished = new Map<string, HistoryEntry>();
  private counter = 0;
  private idle: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly execute: PromptExecutor,
    private readonly out: Broadcaster,
    private readonly maxHistory = MAX_HISTORY,
  ) {
    this.idle = this.loop();
  }

  remaining(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  enqueue(accepted: AcceptedPrompt, options: { clientId?: string; extraData?: Record<string, unknown>; front?: boolean } = {}): { prompt_id: string; number: number } {
    if (this.stopped) throw new Error('the server is shutting down');
    const number = options.front ? -++this.counter : this.counter++;
    const outputsToExecute = accepted.outputs;
    const item: QueuedPrompt = {
      number, id: randomUUID(), accepted, extraData: options.extraData ?? {}, outputsToExecute,
      ...(options.clientId ? { clientId: options.clientId } : {}),
    };
    if (options.front) this.pending.unshift(item);
    else this.pending.push(item);
    this.broadcastStatus();
    this.wake?.();
    return { prompt_id: item.id, number };
  }

  /** `GET /queue`: `[number, prompt_id, prompt, extra_data, outputs_to_execute]` entries. */
  queue(): { queue_running: unknown[]; queue_pending: unknown[] } {
    const row = (q: QueuedPrompt) => [q.number, q.id, q.accepted.prompt, q.extraData, q.outputsToExecute];
    return { queue_running: this.running ? [row(this.running.item)] : [], queue_pending: this.pending.map(row) };
  }

  /** Removes pending prompts (all, or those ids); a running one is left (interrupt stops it). */
  removePending(ids?: readonly string[]): number {
    let removed = 0;
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if (ids === undefined || ids.includes(this.pending[i].id)) {
        this.pending.splice(i, 1);
        removed++;
      }
    }
    if (removed) this.broadcastStatus();
    return removed;
  }

  /** Stops the running prompt (or only the one with this id). */
  interrupt(promptId?: string): boolean {
    if (!this.running || (promptId !== undefined && this.running.item.id !== promptId)) return false;
    this.running.controller.abort();
    return true;
  }

  history(maxItems?: number): Record<string, HistoryEntry> {
    const entries = [...this.finished.entries()];
    const chosen = maxItems !== undefined ? entries.slice(Math.max(0, entries.length - maxItems)) : entries;
    return Object.fromEntries(chosen);
  }

  historyOf(id: string): Record<string, HistoryEntry> {
    const entry = this.finished.get(id);
    return entry ? { [id]: entry } : {};
  }

  deleteHistory(ids?: readonly string[]): void {
    if (ids === undefined) this.finished.clear();
    else for (const id of ids) this.finished.delete(id);
  }

  /** Stops taking prompts, interrupts the running one and waits for the loop to end. */
  async close(): Promise<void> {
    this.stopped = true;
    this.pending.length = 0;
    this.running?.controller.abort();
    this.wake?.();
    await this.idle;
  }

  private broadcastStatus(): void {
    this.out.send(undefined, 'status', { status: { exec_info: { queue_remaining: this.remaining() } } });
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const item = this.pending.shift();
      if (!item) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      await this.runOne(item);
    }
  }

  private async runOne(item: QueuedPrompt): Promise<void> {
    const controller = new AbortController();
    this.running = { item, controller };
    const messages: [string, Record<string, unknown>][] = [];
    const sink: MessageSink = {
      send: (type, data) => {
        const payload = { ...data, prompt_id: item.id };
        if (STATUS_MESSAGES.has(type)) messages.push([type, { ...payload, timestamp: Date.now() }]);
        this.out.send(item.clientId, type, STATUS_MESSAGES.has(type) ? { ...payload, timestamp: Date.now() } : payload);
      },
      sendBinary: (bytes) => this.out.sendBinary(item.clientId, bytes),
      wantsBinary: () => this.out.hasListener(item.clientId),
    };
    let outcome: ExecutionOutcome;
    sink.send('execution_start', {});
    try {
      outcome = await this.execute(item, controller.signal, sink);
    } catch (error) {
      // An executor bug must not stop the queue: the prompt fails with the message.
      sink.send('execution_error', {
        node_id: null, node_type: null, executed: [], exception_message: (error as Error).message ?? String(error),
        exception_type: (error as Error).name ?? 'Error', traceback: [], current_inputs: {}, current_outputs: {},
      });
      outcome = { status: 'error', outputs: {} };
    }
    const meta: HistoryEntry['meta'] = {};
    for (const id of Object.keys(outcome.outputs)) meta[id] = { node_id: id, display_node: id, parent_node: null, real_node_id: id };
    this.finished.set(item.id, {
      prompt: [item.number, item.id, item.accepted.prompt, item.extraData, item.outputsToExecute],
      outputs: outcome.outputs,
      status: { status_str: outcome.status === 'success' ? 'success' : 'error', completed: outcome.status === 'success', messages },
      meta,
    });
    while (this.finished.size > this.maxHistory) this.finished.delete(this.finished.keys().next().value!);
    this.running = undefined;
    // ComfyUI ends every prompt, whatever happened, with `executing` for node null.
    this.out.send(item.clientId, 'executing', { node: null, display_node: null, prompt_id: item.id });
    this.broadcastStatus();
  }
}
