/**
 * Output cache across runs of one engine: signature → a node's outputs, with a byte budget and
 * least-recently-used eviction. A Map iterates in insertion order, so re-inserting on each hit
 * keeps the least recently used entry first.
 */
import { collectBuffers } from './signature.ts';

export interface CacheStats {
  entries: number;
  bytes: number;
  budget: number;
  hits: number;
  misses: number;
  evictions: number;
}

interface Entry {
  outputs: Record<string, unknown>;
  bytes: number;
}

export const DEFAULT_CACHE_BYTES = 2 * 1024 ** 3;

export class OutputCache {
  private entries = new Map<string, Entry>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(private budget: number = DEFAULT_CACHE_BYTES) {}

  get(signature: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(signature);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.entries.delete(signature);
    this.entries.set(signature, entry);
    this.hits++;
    return entry.outputs;
  }

  /** Whether an entry exists, without counting a hit or refreshing its recency. */
  has(signature: string): boolean {
    return this.entries.has(signature);
  }

  /** Stores outputs unless they alone exceed the budget; evicts the least recently used to fit. */
  set(signature: string, outputs: Record<string, unknown>, bytes: number): boolean {
    const old = this.entries.get(signature);
    if (old) {
      this.entries.delete(signature);
      this.bytes -= old.bytes;
    }
    if (bytes > this.budget) return false;
    this.evictToFit(this.budget - bytes);
    this.entries.set(signature, { outputs, bytes });
    this.bytes += bytes;
    return true;
  }

  /** Buffers the cache holds: they must be copied, not transferred, when sent elsewhere. */
  heldBuffers(): Set<ArrayBufferLike> {
    const held = new Set<ArrayBufferLike>();
    for (const entry of this.entries.values()) collectBuffers(entry.outputs, held);
    return held;
  }

  setBudget(budget: number): void {
    this.budget = budget;
    this.evictToFit(budget);
  }

  private evictToFit(limit: number): void {
    while (this.bytes > limit && this.entries.size > 0) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldestKey);
      this.bytes -= oldest.bytes;
      this.evictions++;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  stats(): CacheStats {
    return {
      entries: this.entries.size,
      bytes: this.bytes,
      budget: this.budget,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
    };
  }
}
