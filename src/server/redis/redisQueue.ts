/**
 * The server's queue on BullMQ: prompts become jobs that `latentloom worker` processes run; the
 * history lives in Redis, so a restarted server still answers /history and finishes what the
 * workers completed meanwhile. Live messages come from the workers over pub/sub and go to the
 * WebSocket clients; pictures come in the job result and are written here, once each (a picture
 * already written — same bytes — is referred to again, never written twice or replaced).
 */
import { createHash, randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { writeNumberedFile } from '../../cli/outputFiles.ts';
import { saveGraphText } from '../../persistence/save.ts';
import type { AcceptedPrompt } from '../promptInput.ts';
import { MAX_HISTORY, type Broadcaster, type HistoryEntry, type ImageRef, type ServerQueue } from '../promptQueue.ts';
import { CONTROL_CHANNEL, EVENTS_CHANNEL, KEYS, QUEUE_NAME, shownRedisUrl, type EventMessage, type PromptJobData, type PromptJobResult } from './protocol.ts';

export interface RedisQueueOptions {
  url: string;
  clients: Broadcaster;
  outDir: string;
  tempDir: string;
  log?: (line: string) => void;
  /** How often finished jobs are looked for besides the completion events (ms). */
  sweepMs?: number;
}

/** Retries back off up to 5 s: a Redis restart is picked up within seconds. */
const retryStrategy = (times: number) => Math.min(200 * 2 ** Math.min(times, 5), 5000);

export class RedisPromptQueue implements ServerQueue {
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly queueConnection: Redis;
  private readonly eventsConnection: Redis;
  private readonly bull: Queue;
  private readonly events: QueueEvents;
  private readonly finalizing = new Set<string>();
  /** Finalizations in flight: close() waits for them, so a stop never leaves a written picture unrecorded. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  private constructor(private readonly options: RedisQueueOptions) {
    const { url } = options;
    // Commands fail at once while Redis is down (the routes answer 503) instead of queueing up.
    this.redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy, lazyConnect: true });
    this.sub = new Redis(url, { maxRetriesPerRequest: null, retryStrategy, lazyConnect: true });
    this.queueConnection = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy });
    this.eventsConnection = new Redis(url, { maxRetriesPerRequest: null, retryStrategy });
    for (const c of [this.redis, this.sub, this.queueConnection, this.eventsConnection]) c.on('error', () => {});
    this.bull = new Queue(QUEUE_NAME, { connection: this.queueConnection });
    this.bull.on('error', () => {});
    this.events = new QueueEvents(QUEUE_NAME, { connection: this.eventsConnection });
    this.events.on('error', () => {});
    this.events.on('completed', ({ jobId }) => void this.finalize(jobId));
    this.events.on('failed', ({ jobId }) => void this.finalize(jobId));
    this.sub.on('message', (channel, text) => {
      if (channel === EVENTS_CHANNEL) this.forward(text);
    });
    this.timer = setInterval(() => void this.sweep(), options.sweepMs ?? 1000);
  }

  /** Connects (failing with a clear message when Redis cannot be reached) and finishes jobs done meanwhile. */
  static async open(options: RedisQueueOptions): Promise<RedisPromptQueue> {
    const queue = new RedisPromptQueue(options);
    try {
      await queue.redis.connect();
      await queue.sub.connect();
      await queue.sub.subscribe(EVENTS_CHANNEL);
    } catch (error) {
      await queue.close();
      throw new Error(`cannot reach the job queue's Redis at ${shownRedisUrl(options.url)}: ${(error as Error).message}`);
    }
    void queue.sweep();
    return queue;
  }

  unavailable(): string | undefined {
    if (this.redis.status === 'ready' && this.queueConnection.status === 'ready') return undefined;
    return `the job queue's Redis at ${shownRedisUrl(this.options.url)} is not reachable; prompts cannot be queued or listed until it is back`;
  }

  async remaining(): Promise<number> {
    const counts = await this.bull.getJobCounts('waiting', 'active', 'prioritized', 'delayed', 'paused');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  async enqueue(accepted: AcceptedPrompt, options: { clientId?: string; extraData?: Record<string, unknown>; front?: boolean } = {}): Promise<{ prompt_id: string; number: number }> {
    const number = await this.redis.incr(KEYS.counter);
    const promptId = randomUUID();
    const data: PromptJobData = {
      promptId, number, extraData: options.extraData ?? {}, prompt: accepted.prompt,
      graph: saveGraphText(accepted.graph), origins: accepted.origins, classes: accepted.classes, outputs: accepted.outputs,
      ...(options.clientId ? { clientId: options.clientId } : {}),
    };
    // A job that throws (not one whose prompt fails: that is a result) is retried once; a killed
    // worker's job comes back through BullMQ's stalled-job check.
    await this.bull.add('prompt', data, {
      jobId: promptId, attempts: 2, backoff: { type: 'fixed', delay: 500 },
      removeOnComplete: false, removeOnFail: false, ...(options.front ? { priority: 1 } : {}),
    });
    void this.broadcastStatus();
    return { prompt_id: promptId, number };
  }

  async queue(): Promise<{ queue_running: unknown[]; queue_pending: unknown[] }> {
    const row = (job: Job) => {
      const d = job.data as PromptJobData;
      return [d.number, d.promptId, d.prompt, d.extraData, d.outputs];
    };
    const [active, waiting] = await Promise.all([this.bull.getActive(), this.bull.getJobs(['prioritized', 'waiting'])]);
    return { queue_running: (active as Job[]).map(row), queue_pending: (waiting as Job[]).map(row) };
  }

  async removePending(ids?: readonly string[]): Promise<number> {
    let removed = 0;
    for (const job of (await this.bull.getJobs(['prioritized', 'waiting'])) as Job[]) {
      if (ids !== undefined && !ids.includes(job.id!)) continue;
      try {
        await job.remove();
        removed++;
      } catch {
        // Taken by a worker meanwhile: it runs (interrupt stops it).
      }
    }
    if (removed) void this.broadcastStatus();
    return removed;
  }

  async interrupt(promptId?: string): Promise<boolean> {
    await this.redis.publish(CONTROL_CHANNEL, JSON.stringify({ interrupt: promptId ?? '*' }));
    return true;
  }

  async history(maxItems?: number): Promise<Record<string, HistoryEntry>> {
    const ids = maxItems !== undefined ? await this.redis.zrange(KEYS.historyOrder, -maxItems, -1) : await this.redis.zrange(KEYS.historyOrder, 0, -1);
    if (ids.length === 0) return {};
    const values = await this.redis.hmget(KEYS.history, ...ids);
    const out: Record<string, HistoryEntry> = {};
    ids.forEach((id, i) => {
      if (values[i]) out[id] = JSON.parse(values[i]!) as HistoryEntry;
    });
    return out;
  }

  async historyOf(id: string): Promise<Record<string, HistoryEntry>> {
    const value = await this.redis.hget(KEYS.history, id);
    return value ? { [id]: JSON.parse(value) as HistoryEntry } : {};
  }

  async deleteHistory(ids?: readonly string[]): Promise<void> {
    if (ids === undefined) await this.redis.del(KEYS.history, KEYS.historyOrder);
    else if (ids.length > 0) await this.redis.multi().hdel(KEYS.history, ...ids).zrem(KEYS.historyOrder, ...ids).exec();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
    await Promise.allSettled([this.events.close(), this.bull.close()]);
    for (const c of [this.redis, this.sub, this.queueConnection, this.eventsConnection]) c.disconnect();
  }

  private async broadcastStatus(): Promise<void> {
    try {
      this.options.clients.send(undefined, 'status', { status: { exec_info: { queue_remaining: await this.remaining() } } });
    } catch {
      // Redis went away: the next status follows when it is back.
    }
  }

  private forward(text: string): void {
    let message: EventMessage;
    try {
      message = JSON.parse(text) as EventMessage;
    } catch {
      return;
    }
    if (message.binary !== undefined) {
      if (this.options.clients.hasListener(message.clientId)) this.options.clients.sendBinary(message.clientId, Buffer.from(message.binary, 'base64'));
    } else if (message.type) {
      this.options.clients.send(message.clientId, message.type, message.data ?? {});
      if (message.type === 'execution_start') void this.broadcastStatus();
    }
  }

  /** Finished jobs that no completion event reached (the server was down, say). */
  private async sweep(): Promise<void> {
    if (this.closed || this.unavailable()) return;
    try {
      const done = (await this.bull.getJobs(['completed', 'failed'], 0, 200)) as Job[];
      for (const job of done) await this.finalize(job.id!);
    } catch (error) {
      this.options.log?.(`queue: looking for finished jobs failed: ${(error as Error).message}`);
    }
  }

  /** Writes a finished job's pictures and its history, tells its client, and removes the job. */
  private finalize(jobId: string): Promise<void> {
    if (this.closed || this.finalizing.has(jobId)) return Promise.resolve();
    const running = this.finalizeJob(jobId).finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
    return running;
  }

  private async finalizeJob(jobId: string): Promise<void> {
    if (this.finalizing.has(jobId)) return;
    this.finalizing.add(jobId);
    try {
      const job = (await Job.fromId(this.bull, jobId)) as Job<PromptJobData, PromptJobResult> | undefined;
      // Sweep jobs belong to the `latentloom sweep` that queued them, which collects them itself.
      if (!job || job.name !== 'prompt') return;
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed') return;
      if (await this.redis.hexists(KEYS.history, jobId)) {
        await job.remove();
        return;
      }
      const data = job.data;
      const result: PromptJobResult = state === 'completed' && job.returnvalue ? job.returnvalue : failedResult(data, job.failedReason);
      const outputs: HistoryEntry['outputs'] = {};
      for (const [node, output] of Object.entries(result.outputs)) {
        outputs[node] = { images: await Promise.all((output.images ?? []).map((ref) => this.writePicture(result, ref))) };
      }
      const meta: HistoryEntry['meta'] = {};
      for (const id of Object.keys(outputs)) meta[id] = { node_id: id, display_node: id, parent_node: null, real_node_id: id };
      const [finalType, finalData] = result.final;
      const messages = [...result.messages, [finalType, { ...finalData, timestamp: Date.now() }] as [string, Record<string, unknown>]];
      const entry: HistoryEntry = {
        prompt: [data.number, data.promptId, data.prompt, data.extraData, data.outputs],
        outputs,
        status: { status_str: result.status === 'success' ? 'success' : 'error', completed: result.status === 'success', messages },
        meta,
      };
      await this.redis.multi().hset(KEYS.history, jobId, JSON.stringify(entry)).zadd(KEYS.historyOrder, data.number, jobId).exec();
      await this.trimHistory();
      const send = (type: string, payload: Record<string, unknown>) => this.options.clients.send(data.clientId, type, { ...payload, prompt_id: jobId });
      for (const [node, output] of Object.entries(outputs)) send('executed', { node, display_node: node, output });
      send(finalType, { ...finalData, timestamp: Date.now() });
      send('executing', { node: null, display_node: null });
      await job.remove();
      void this.broadcastStatus();
    } catch (error) {
      this.options.log?.(`queue: finishing job ${jobId} failed: ${(error as Error).message}`);
    } finally {
      this.finalizing.delete(jobId);
    }
  }

  private async trimHistory(): Promise<void> {
    const size = await this.redis.zcard(KEYS.historyOrder);
    if (size <= MAX_HISTORY) return;
    const old = await this.redis.zrange(KEYS.historyOrder, 0, size - MAX_HISTORY - 1);
    if (old.length) await this.redis.multi().hdel(KEYS.history, ...old).zrem(KEYS.historyOrder, ...old).exec();
  }

  /** A worker's picture as a file here: the same bytes already written are referred to, not written again. */
  private async writePicture(result: PromptJobResult, ref: ImageRef): Promise<ImageRef> {
    const picture = result.pictures[ref.filename];
    if (!picture) return ref;
    const bytes = Buffer.from(picture.png, 'base64');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const known = await this.redis.hget(KEYS.files, sha);
    if (known) {
      const existing = JSON.parse(known) as ImageRef;
      const root = existing.type === 'temp' ? this.options.tempDir : this.options.outDir;
      if (await access(join(root, existing.subfolder, existing.filename)).then(() => true, () => false)) return existing;
    }
    const root = picture.type === 'temp' ? this.options.tempDir : this.options.outDir;
    const path = await writeNumberedFile(root, picture.prefix.replace(/^.*[\\/]/, '').replace(/^\.+/, '') || 'LatentLoom', '.png', bytes);
    const written: ImageRef = { filename: basename(path), subfolder: '', type: picture.type };
    await this.redis.hset(KEYS.files, sha, JSON.stringify(written));
    return written;
  }
}

function failedResult(data: PromptJobData, reason: string | undefined): PromptJobResult {
  const message = reason ?? 'the job failed';
  const final: [string, Record<string, unknown>] = ['execution_error', {
    prompt_id: data.promptId, node_id: null, node_type: null, executed: [],
    exception_message: message, exception_type: 'job-failed', traceback: [], current_inputs: {}, current_outputs: {},
  }];
  return { status: 'error', outputs: {}, pictures: {}, messages: [['execution_start', { prompt_id: data.promptId, timestamp: Date.now() }]], final };
}
