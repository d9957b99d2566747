/**
 * The wasm kernels' memory: equal slots, each big enough for one latent, that keep the arrays the
 * kernels made resident. A kernel's result is copied out into a fresh Float32Array (the caller's
 * tensor) and its slot remembers that array; when the same array comes back as an input (the
 * next step's sample, a multistep history entry, Heun's stored derivative) its slot is used as
 * it is, without copying it in again. That relies on the project's rule that tensors are values:
 * nothing writes into an array after it is made (the engine caches and shares them). Arrays the
 * kernels did not make are always copied in.
 */

/** One latent-sized region of the memory. */
interface Slot {
  /** Byte offset in the memory. */
  offset: number;
  /** Bumped whenever the slot is written: a remembered array is valid for one generation. */
  generation: number;
  /** When the slot was last used (a call counter), for least-recently-used reuse. */
  lastUse: number;
  /** Set when the slot layout changes (another latent size): the slot is gone. */
  retired: boolean;
}

/** Most slots kept: enough for LMS's 8 operands plus what the next steps read back. */
const MAX_SLOTS = 24;
/** Fewest slots a call may need (LMS: 5 operands, 3 results). */
const MIN_SLOTS = 8;
/** The memory is never shrunk, so its slots are capped: fewer for big latents. */
const MAX_BYTES = 256 * 1024 * 1024;
const PAGE = 65536;
/**
 * Slots start this far past a 4 KiB boundary from each other (17 cache lines): with slots a
 * whole number of pages apart, a kernel's store to one operand and its loads of the others at the
 * same element share their low 12 address bits, and CPUs that check store-to-load forwarding on
 * those bits alone (Intel's 4 KiB aliasing) stall on every vector. Measured on a Xeon of this
 * project's test machines, [1, 4, 128, 128] Euler step: 19.8 µs page-aligned, 14.1 µs staggered.
 */
export const SLOT_STAGGER = 1088;

/** Bytes from one slot's start to the next for slots of `slotBytes`. */
export function slotStride(slotBytes: number): number {
  return Math.ceil(slotBytes / 4096) * 4096 + SLOT_STAGGER;
}

export class KernelMemory {
  private readonly memory: WebAssembly.Memory;
  private heapView: Float32Array;
  private slotBytes = 0;
  /** slotStride(slotBytes). */
  private stride = 0;
  private slots: Slot[] = [];
  /**
   * The slot and generation each result array was copied out of. A WeakMap, not WeakRefs:
   * WeakRef targets stay alive until the current job ends, which in a long async loop is never.
   */
  private readonly owners = new WeakMap<Float32Array, { slot: Slot; generation: number }>();
  private clock = 0;
  /** Slots taken by the call in progress. */
  private readonly busy = new Set<Slot>();
  private pending: { slot: Slot; length: number }[] = [];

  /** Slot sizes are multiples of this many bytes (what one unrolled kernel loop turn sweeps). */
  private readonly granularity: number;

  constructor(memory: WebAssembly.Memory, granularity: number) {
    this.memory = memory;
    this.granularity = granularity;
    this.heapView = new Float32Array(memory.buffer);
  }

  /** A float32 view of the whole memory (renewed after the memory grows). */
  get heap(): Float32Array {
    if (this.heapView.buffer !== this.memory.buffer) this.heapView = new Float32Array(this.memory.buffer);
    return this.heapView;
  }

  /** Whether arrays of `elements` floats fit (bigger ones go to the JS kernels). */
  fits(elements: number): boolean {
    return MIN_SLOTS * slotStride(Math.ceil((elements * 4) / this.granularity) * this.granularity) <= MAX_BYTES;
  }

  /** Start a kernel call on arrays of up to `elements` floats. */
  begin(elements: number): void {
    const bytes = Math.ceil((elements * 4) / this.granularity) * this.granularity;
    if (bytes > this.slotBytes || bytes < this.slotBytes / 2) {
      for (const slot of this.slots) slot.retired = true;
      this.slots = [];
      this.slotBytes = Math.max(bytes, this.granularity);
      this.stride = slotStride(this.slotBytes);
    }
    this.clock++;
    this.busy.clear();
    this.pending = [];
  }

  /** Byte offset of `data` in the memory: its resident slot, or a slot it is copied into. */
  input(data: Float32Array): number {
    const owned = this.owners.get(data);
    if (owned && !owned.slot.retired && owned.slot.generation === owned.generation) return this.use(owned.slot).offset;
    const slot = this.take();
    this.heap.set(data, slot.offset >> 2);
    return slot.offset;
  }

  /** Byte offset of a slot for a result of `length` floats (copied out by `finish`). */
  output(length: number): number {
    const slot = this.take();
    this.pending.push({ slot, length });
    return slot.offset;
  }

  /** The results of the call, in `output` order, as fresh arrays whose slots remember them. */
  finish(): Float32Array[] {
    const heap = this.heap;
    return this.pending.map(({ slot, length }) => {
      const start = slot.offset >> 2;
      // A new array filled by set(), not heap.slice(): V8's slice of a 256 KiB float32 view took
      // 20-42 us against 16-19 us for new + set on this project's test machine.
      const data = new Float32Array(length);
      data.set(heap.subarray(start, start + length));
      this.owners.set(data, { slot, generation: slot.generation });
      return data;
    });
  }

  /** Byte offset of a scratch slot (nothing remembers what it holds). */
  scratch(): number {
    return this.take().offset;
  }

  /** Whether `data` is a kernel result (a value: nothing writes into it after it is made). */
  isResult(data: Float32Array): boolean {
    return this.owners.has(data);
  }

  /** Whether `data` sits in a slot (for tests and the bench). */
  isResident(data: Float32Array): boolean {
    const owned = this.owners.get(data);
    return !!owned && !owned.slot.retired && owned.slot.generation === owned.generation;
  }

  get slotCount(): number {
    return this.slots.length;
  }

  /** A slot for new contents (what it held before is forgotten). */
  private take(): Slot {
    const slot = this.use(this.freeSlot());
    slot.generation++;
    return slot;
  }

  private use(slot: Slot): Slot {
    this.busy.add(slot);
    slot.lastUse = this.clock;
    return slot;
  }

  /** A new slot while under MAX_SLOTS, else the least recently used one. */
  private freeSlot(): Slot {
    let best: Slot | null = null;
    for (const slot of this.slots) {
      if (this.busy.has(slot)) continue;
      if (!best || slot.lastUse < best.lastUse) best = slot;
    }
    const cap = Math.max(MIN_SLOTS, Math.min(MAX_SLOTS, Math.floor(MAX_BYTES / this.stride)));
    if (best && this.slots.length >= cap) return best;
    return this.addSlot();
  }

  private addSlot(): Slot {
    const offset = this.slots.length * this.stride;
    const needed = Math.ceil((offset + this.slotBytes) / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (needed > have) this.memory.grow(needed - have);
    const slot: Slot = { offset, generation: 0, lastUse: this.clock, retired: false };
    this.slots.push(slot);
    return slot;
  }
}
