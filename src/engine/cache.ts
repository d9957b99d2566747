/**
 * Output cache across runs of one engine: signature → a node's outputs, bounded two ways so a
 * long-lived engine (the server, the editor) does not grow with every seed it has seen:
 *
 * - at most `entriesPerNode` entries per node id (the most recently used ones), so a node whose
 *   params keep changing holds its last few results, not all of them;
 * - a total byte budget over all entries, least recently used evicted first.
 *
 * A Map iterates in insertion order, so re-inserting on each hit keeps the least recently used
 * entry first, both in the whole cache and in each node's own list.
 */
import { collectBuffers } from './signature.ts';

export interface CacheStats {
  entries: number;
  bytes: number;
  budget: number;
  entriesPerNode: number;
  hits: number;
  misses: number;
  evictions: number;
}

interface Entry {
  outputs: Record<string, unknown>;
  bytes: number;
  /** The node id the entry counts against (the last node that stored it). */
  node: string;
}

export interface CacheLimits {
  /** Total byte budget (default: `defaultCacheBudget()`); 0 disables caching. */
  budgetBytes?: number;
  /** Entries kept per node id (default DEFAULT_CACHE_ENTRIES_PER_NODE); 0 disables caching. */
  entriesPerNode?: number;
}

const MiB = 1024 ** 2;

/** Entries kept per node: the current result and a few before it (an A/B toggle, an undo). */
export const DEFAULT_CACHE_ENTRIES_PER_NODE = 4;

/** Budget where the machine's memory cannot be read: a browser tab, or a Node without getBuiltinModule. */
export const FALLBACK_CACHE_BYTES = 512 * MiB;

/** An eighth of the machine's memory in Node; 512 MiB elsewhere (a browser tab). */
export function defaultCacheBudget(): number {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.versions?.node !== 'string') return FALLBACK_CACHE_BYTES;
  try {
    const os = proc.getBuiltinModule?.('node:os') as { totalmem?: () => number } | undefined;
    const total = os?.totalmem?.();
    if (typeof total === 'number' && total > 0) return Math.floor(total / 8);
  } catch {
    // fall through to the fixed budget
  }
  return FALLBACK_CACHE_BYTES;
}

/** The default byte budget on this machine (`defaultCacheBudget()` when the module loaded). */
export const DEFAULT_CACHE_BYTES = defaultCacheBudget();

export class OutputCache {
  private entries = new Map<string, Entry>();
  /** node id → its entries' signatures, least recently used first. */
  private byNode = new Map<string, Set<string>>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private budget: number;
  private perNode: number;

  /** `limits` may be a plain byte budget (the older form). */
  constructor(limits: CacheLimits | number = {}) {
    const given = typeof limits === 'number' ? { budgetBytes: limits } : limits;
    this.budget = checkLimit(given.budgetBytes ?? defaultCacheBudget(), 'cache budget');
    this.perNode = checkLimit(given.entriesPerNode ?? DEFAULT_CACHE_ENTRIES_PER_NODE, 'cache entries per node');
  }

  /** The entry's outputs, refreshed as most recently used (never evicts anything). */
  get(signature: string): Record<string, unknown> | undefined {
    return this.getEntry(signature)?.outputs;
  }

  /** The entry's outputs and the byte count stored with them (so nobody walks the values again). */
  getEntry(signature: string): { outputs: Record<string, unknown>; bytes: number } | undefined {
    const entry = this.entries.get(signature);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.entries.delete(signature);
    this.entries.set(signature, entry);
    const own = this.byNode.get(entry.node)!;
    own.delete(signature);
    own.add(signature);
    this.hits++;
    return entry;
  }

  /** Whether an entry exists, without counting a hit or refreshing its recency. */
  has(signature: string): boolean {
    return this.entries.has(signature);
  }

  /**
   * Stores `node`'s outputs unless they alone exceed the budget; drops that node's oldest entries
   * beyond the per-node limit, then the least recently used entries to fit the budget. Without
   * a node the entry counts against the byte budget only.
   */
  set(signature: string, outputs: Record<string, unknown>, bytes: number, node?: string): boolean {
    if (this.entries.has(signature)) this.remove(signature);
    if (bytes > this.budget || this.perNode === 0) return false;
    this.evictToFit(this.budget - bytes);
    const owner = node ?? `\0${signature}`; // a slot of its own
    const entry: Entry = { outputs, bytes, node: owner };
    this.entries.set(signature, entry);
    this.bytes += bytes;
    this.attach(signature, entry, owner);
    return true;
  }

  /** Buffers the cache holds: they must be copied, not transferred, when sent elsewhere. */
  heldBuffers(): Set<ArrayBufferLike> {
    const held = new Set<ArrayBufferLike>();
    for (const entry of this.entries.values()) collectBuffers(entry.outputs, held);
    return held;
  }

  setBudget(budget: number): void {
    this.budget = checkLimit(budget, 'cache budget');
    this.evictToFit(this.budget);
  }

  setEntriesPerNode(count: number): void {
    this.perNode = checkLimit(count, 'cache entries per node');
    for (const signatures of [...this.byNode.values()]) this.trimNode(signatures);
  }

  clear(): void {
    this.entries.clear();
    this.byNode.clear();
    this.bytes = 0;
  }

  stats(): CacheStats {
    return {
      entries: this.entries.size,
      bytes: this.bytes,
      budget: this.budget,
      entriesPerNode: this.perNode,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
    };
  }

  /** Makes `signature` the most recent entry of `node` (moving it from another node's list); trims that list. */
  private attach(signature: string, entry: Entry, node: string): void {
    if (entry.node !== node) {
      this.detach(signature, entry.node);
      entry.node = node;
    }
    let signatures = this.byNode.get(node);
    if (!signatures) this.byNode.set(node, (signatures = new Set()));
    signatures.delete(signature);
    signatures.add(signature);
    this.trimNode(signatures);
  }

  private trimNode(signatures: Set<string>): void {
    while (signatures.size > this.perNode) {
      const oldest = signatures.values().next().value as string;
      this.remove(oldest);
      this.evictions++;
    }
  }

  private detach(signature: string, node: string): void {
    const signatures = this.byNode.get(node);
    if (!signatures) return;
    signatures.delete(signature);
    if (signatures.size === 0) this.byNode.delete(node);
  }

  private remove(signature: string): void {
    const entry = this.entries.get(signature);
    if (!entry) return;
    this.entries.delete(signature);
    this.bytes -= entry.bytes;
    this.detach(signature, entry.node);
  }

  private evictToFit(limit: number): void {
    while (this.bytes > limit && this.entries.size > 0) {
      const oldest = this.entries.keys().next().value as string;
      this.remove(oldest);
      this.evictions++;
    }
  }
}

function checkLimit(value: number, what: string): number {
  if (!(typeof value === 'number' && value >= 0) || Number.isNaN(value)) throw new Error(`The ${what} must be a number ≥ 0, got ${String(value)}`);
  return value;
}
