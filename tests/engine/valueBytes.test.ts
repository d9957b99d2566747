/**
 * valueBytes (src/engine/signature.ts), the live-memory meter's measure: the general walk counts
 * each object once, typed arrays and buffers by byteLength, strings two bytes a character, other
 * primitives 8, class instances (handles) and anything 16 levels down a nominal 64. Its result is
 * checked against a plain reference walk written here, on values with shared objects, cycles,
 * deep nesting and more objects than the walk scans linearly.
 */
import { describe, expect, it } from 'vitest';
import { valueBytes } from '../../src/engine/signature.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';

/** The definition, as simply as it can be written: a stack of { value, depth } and a Set. */
function referenceBytes(value: unknown): number {
  const seen = new Set<object>();
  let total = 0;
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') total += 2 * v.length;
    else if (typeof v !== 'object') total += 8;
    else {
      if (seen.has(v)) continue;
      seen.add(v);
      const proto = Object.getPrototypeOf(v);
      const tensorLike = typeof (v as Tensor).dtype === 'string' && Array.isArray((v as Tensor).shape) && ArrayBuffer.isView((v as Tensor).data);
      if (ArrayBuffer.isView(v)) total += v.byteLength;
      else if (v instanceof ArrayBuffer) total += v.byteLength;
      else if (depth >= 16) total += 64;
      else if (Array.isArray(v)) for (const item of v) stack.push({ v: item, depth: depth + 1 });
      else if (proto === Object.prototype || proto === null || tensorLike) for (const item of Object.values(v)) stack.push({ v: item, depth: depth + 1 });
      else total += 64;
    }
  }
  return total;
}

const latent = () => new Tensor('float32', [1, 4, 8, 8], new Float32Array(256));

describe('valueBytes', () => {
  it('measures a scheduler step’s outputs (a shared tensor, a state with history and a generator) as the reference walk does', () => {
    const sample = latent();
    const history = [new Float32Array(256), null, new Float32Array(256)];
    const state = {
      kind: 'scheduler-state',
      name: 'PNDMScheduler',
      position: 3,
      state: { stepIndex: 3, beginIndex: null, history, counter: 3, curSample: history[0], dt: null },
      generator: new TorchGenerator(7),
      seed: 7,
    };
    const outputs = { sample: { samples: sample }, state, denoised: { samples: sample } };
    expect(valueBytes(outputs)).toBe(referenceBytes(outputs));
    const next = { index: 4, latent: outputs.sample, state };
    expect(valueBytes(next)).toBe(referenceBytes(next));
    // The shared tensor and the shared history array count once.
    expect(valueBytes(outputs)).toBeLessThan(referenceBytes({ a: { samples: latent() }, b: { samples: latent() }, state: { ...state, state: { ...state.state, curSample: new Float32Array(256) } } }));
  });

  it('counts a tensor shared by two records of one outputs object once, as the reference does (the fast path dedupes too)', () => {
    const sample = latent();
    const handle = new TorchGenerator(3);
    const values = [
      { sample: { samples: sample }, denoised: { samples: sample } },
      { list: [sample, sample, { t: sample }], handles: [handle, handle], n: 1, s: 'ab', flag: false, none: null, big: 2n },
      { a: { b: { c: { d: { e: { f: sample } } } } } },
      Object.assign(Object.create(null) as object, { t: sample, again: [sample] }),
    ];
    for (const value of values) expect(valueBytes(value)).toBe(referenceBytes(value));
    expect(valueBytes(values[0])).toBe(referenceBytes({ samples: sample }));
  });

  it('agrees with the reference on cycles, nesting past 16 levels and values of hundreds of objects', () => {
    const cyclic: Record<string, unknown> = { name: 'loop', list: [1, 2, 3] };
    cyclic.self = cyclic;
    (cyclic.list as unknown[]).push(cyclic);
    let deep: Record<string, unknown> = { leaf: new Float64Array(10), text: 'x' };
    const shared = deep.leaf;
    for (let i = 0; i < 20; i++) deep = { next: deep, i, shared: i % 5 === 0 ? shared : undefined };
    const many = { items: Array.from({ length: 300 }, (_, i) => ({ i, t: i % 3 === 0 ? latent() : 'abc'.repeat(i % 4), again: undefined as unknown })) };
    many.items.forEach((item, i) => (item.again = many.items[(i * 7) % 300]));
    const nullProto = Object.assign(Object.create(null) as object, { buffer: new ArrayBuffer(12), flag: true });
    for (const value of [cyclic, deep, many, nullProto, { handle: new Map([[1, 2]]), big: 10n, fn: () => 1 }, [shared, shared, [shared]]]) {
      expect(valueBytes(value)).toBe(referenceBytes(value));
    }
  });
});
