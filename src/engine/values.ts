/**
 * Where a run keeps node outputs while it needs them. Every store of one run shares a meter, so
 * the run can report (and tests can check) how many bytes intermediates held at peak.
 */
import { valueBytes } from './signature.ts';

export class LiveMeter {
  bytes = 0;
  values = 0;
  peakBytes = 0;
  peakValues = 0;

  add(bytes: number): void {
    this.bytes += bytes;
    this.values++;
    if (this.bytes > this.peakBytes) this.peakBytes = this.bytes;
    if (this.values > this.peakValues) this.peakValues = this.values;
  }

  remove(bytes: number): void {
    this.bytes -= bytes;
    this.values--;
  }
}

export class ValueStore {
  private entries = new Map<string, { outputs: Record<string, unknown>; bytes: number }>();

  constructor(
    readonly meter: LiveMeter,
    private readonly parent?: ValueStore,
  ) {}

  /** Stores a node's outputs; returns their byte size (measured unless given). */
  set(nodeId: string, outputs: Record<string, unknown>, bytes = valueBytes(outputs)): number {
    this.release(nodeId);
    this.entries.set(nodeId, { outputs, bytes });
    this.meter.add(bytes);
    return bytes;
  }

  /** This store's value, else the parent's (a zone iteration sees the values outside it). */
  get(nodeId: string): Record<string, unknown> | undefined {
    return this.entries.get(nodeId)?.outputs ?? this.parent?.get(nodeId);
  }

  has(nodeId: string): boolean {
    return this.entries.has(nodeId);
  }

  /** Drops a value this run no longer needs (a cache entry may still hold it). */
  release(nodeId: string): void {
    const entry = this.entries.get(nodeId);
    if (!entry) return;
    this.entries.delete(nodeId);
    this.meter.remove(entry.bytes);
  }

  clear(): void {
    for (const id of [...this.entries.keys()]) this.release(id);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Per-run reference counts: a value is released once every edge reading it has been consumed. */
export class RefCounts {
  private counts = new Map<string, number>();

  constructor(private readonly keep: ReadonlySet<string>) {}

  add(nodeId: string, n = 1): void {
    this.counts.set(nodeId, (this.counts.get(nodeId) ?? 0) + n);
  }

  /** Consumes one read of `nodeId`; returns true when the value may be released now. */
  consume(nodeId: string): boolean {
    const left = (this.counts.get(nodeId) ?? 0) - 1;
    this.counts.set(nodeId, left);
    return left <= 0 && !this.keep.has(nodeId);
  }
}
