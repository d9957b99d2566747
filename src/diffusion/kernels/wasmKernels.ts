/**
 * The kernels on wasm SIMD (simdKernels.wat), with operands resident in the kernels' memory
 * between calls (wasmMemory.ts). Same results as scalarKernels.ts, bit for bit.
 */
import type { StepKernels, StepOutput, StepOutputWithDerivative } from './kernelTypes.ts';
import { KernelMemory } from './wasmMemory.ts';

type Ptr = number;

/** The exports of simdKernels.wat (byte offsets, byte counts, float32 scalars). */
export interface KernelExports {
  memory: WebAssembly.Memory;
  /** `bytes` arguments must be multiples of this (16 bytes × the build's unrolling). */
  vectorBytes: WebAssembly.Global;
  eulerEpsilon(m: Ptr, s: Ptr, out: Ptr, x0: Ptr, bytes: number, sigma: number, dt: number): void;
  eulerAncestralEpsilon(m: Ptr, s: Ptr, noise: Ptr, out: Ptr, x0: Ptr, bytes: number, sigma: number, dt: number, up: number): void;
  ddimEpsilon(m: Ptr, s: Ptr, out: Ptr, x0: Ptr, bytes: number, a: number, b: number, x0Coeff: number, dirCoeff: number): void;
  ddpmEpsilon(m: Ptr, s: Ptr, out: Ptr, x0: Ptr, bytes: number, a: number, b: number, lo: number, hi: number, c0: number, cs: number): void;
  dpmFirstOrder(m: Ptr, s: Ptr, out: Ptr, x0: Ptr, bytes: number, alpha: number, sigma: number, cs: number, cd: number): void;
  dpmSecondOrder(
    m: Ptr, s: Ptr, prev: Ptr, out: Ptr, x0: Ptr, bytes: number,
    alpha: number, sigma: number, cs: number, c0: number, c1: number, invR0: number,
  ): void;
  plmsEpsilon(m: Ptr, p1: Ptr, p2: Ptr, p3: Ptr, s: Ptr, out: Ptr, bytes: number, order: number, cs: number, diff: number, denom: number): void;
  lmsEpsilon(
    m: Ptr, s: Ptr, d1: Ptr, d2: Ptr, d3: Ptr, out: Ptr, x0: Ptr, d0: Ptr, bytes: number, terms: number,
    sigma: number, c0: number, c1: number, c2: number, c3: number,
  ): void;
  heunFirstEpsilon(m: Ptr, s: Ptr, out: Ptr, x0: Ptr, deriv: Ptr, bytes: number, sigma: number, dt: number): void;
  heunSecondEpsilon(m: Ptr, s: Ptr, prevD: Ptr, base: Ptr, out: Ptr, x0: Ptr, bytes: number, sigmaNext: number, dt: number): void;
  linearCombination(x: Ptr, y: Ptr, out: Ptr, bytes: number, a: number, b: number): void;
  addScaled(x: Ptr, y: Ptr, out: Ptr, bytes: number, scale: number): void;
  divide(x: Ptr, out: Ptr, bytes: number, d: number): void;
  guidance(u: Ptr, c: Ptr, out: Ptr, bytes: number, scale: number): void;
  latentToRgb(src: Ptr, dst: Ptr, stride: number, ...factors: number[]): void;
}

/** Bytes a preview plane takes: whole 4-lane vectors. */
function planeBytes(n: number): number {
  return Math.ceil(n / 4) * 16;
}

function sameLength(who: string, n: number, ...arrays: Float32Array[]): void {
  for (const a of arrays) {
    if (a.length !== n) throw new Error(`${who}: operands have ${a.length} and ${n} elements`);
  }
}

function pair([out, x0]: Float32Array[]): StepOutput {
  return { out, x0 };
}

function triple([out, x0, derivative]: Float32Array[]): StepOutputWithDerivative {
  return { out, x0, derivative };
}

type Operation = (...args: unknown[]) => unknown;

/**
 * Kernels on an instance of the compiled module. Latents too big for the capped kernel memory
 * run on `fallback` (the JS kernels: the same bits).
 */
export function createWasmKernels(
  exports: KernelExports,
  fallback: StepKernels,
): StepKernels & { memory: KernelMemory; exports: KernelExports } {
  const mem = new KernelMemory(exports.memory, exports.vectorBytes.value as number);
  const wasm = wasmOperations(exports, mem, fallback);
  const guarded: Record<string, unknown> = { ...wasm };
  for (const [name, run] of Object.entries(wasm)) {
    const js = (fallback as unknown as Record<string, Operation>)[name];
    if (typeof run !== 'function' || name === 'isResult' || typeof js !== 'function') continue;
    guarded[name] = (...args: unknown[]) => {
      const first = args.find((a): a is Float32Array => a instanceof Float32Array);
      return first && !mem.fits(first.length) ? js.apply(fallback, args) : (run as Operation).apply(wasm, args);
    };
  }
  return guarded as unknown as ReturnType<typeof wasmOperations>;
}

function wasmOperations(
  k: KernelExports,
  mem: KernelMemory,
  fallback: StepKernels,
): StepKernels & { memory: KernelMemory; exports: KernelExports } {
  const step = k.vectorBytes.value as number;
  /** Bytes a kernel sweeps for `n` elements: whole unrolled loop turns (slots are padded). */
  const vectorBytes = (n: number): number => Math.ceil((n * 4) / step) * step;
  return {
    backend: 'wasm',
    memory: mem,
    exports: k,

    isResult(data) {
      return mem.isResult(data);
    },

    eulerEpsilon(m, s, sigma, dt) {
      const n = s.length;
      sameLength('eulerEpsilon', n, m);
      mem.begin(n);
      k.eulerEpsilon(mem.input(m), mem.input(s), mem.output(n), mem.output(n), vectorBytes(n), sigma, dt);
      return pair(mem.finish());
    },

    eulerAncestralEpsilon(m, s, noise, sigma, dt, sigmaUp) {
      const n = s.length;
      sameLength('eulerAncestralEpsilon', n, m, noise);
      mem.begin(n);
      const [pm, ps, pn] = [mem.input(m), mem.input(s), mem.input(noise)];
      k.eulerAncestralEpsilon(pm, ps, pn, mem.output(n), mem.output(n), vectorBytes(n), sigma, dt, sigmaUp);
      return pair(mem.finish());
    },

    ddimEpsilon(m, s, a, b, x0Coeff, dirCoeff) {
      const n = s.length;
      sameLength('ddimEpsilon', n, m);
      mem.begin(n);
      k.ddimEpsilon(mem.input(m), mem.input(s), mem.output(n), mem.output(n), vectorBytes(n), a, b, x0Coeff, dirCoeff);
      return pair(mem.finish());
    },

    ddpmEpsilon(m, s, a, b, clip, c0, cs) {
      const n = s.length;
      sameLength('ddpmEpsilon', n, m);
      mem.begin(n);
      k.ddpmEpsilon(mem.input(m), mem.input(s), mem.output(n), mem.output(n), vectorBytes(n), a, b, -clip, clip, c0, cs);
      return pair(mem.finish());
    },

    dpmFirstOrder(m, s, alpha, sigma, cs, cd) {
      const n = s.length;
      sameLength('dpmFirstOrder', n, m);
      mem.begin(n);
      k.dpmFirstOrder(mem.input(m), mem.input(s), mem.output(n), mem.output(n), vectorBytes(n), alpha, sigma, cs, cd);
      return pair(mem.finish());
    },

    dpmSecondOrder(m, s, prevX0, c) {
      const n = s.length;
      sameLength('dpmSecondOrder', n, m, prevX0);
      mem.begin(n);
      const [pm, ps, pp] = [mem.input(m), mem.input(s), mem.input(prevX0)];
      k.dpmSecondOrder(pm, ps, pp, mem.output(n), mem.output(n), vectorBytes(n), c.alpha, c.sigma, c.cs, c.c0, c.c1, c.invR0);
      return pair(mem.finish());
    },

    plmsEpsilon(m, older, order, s, c) {
      const n = s.length;
      const reads = order === 0 ? 1 : Math.max(order - 1, 0);
      if (!Number.isInteger(order) || order < 0 || order > 4 || older.length < reads) {
        throw new Error(`plmsEpsilon: order ${order} needs ${reads} older model outputs, got ${older.length}`);
      }
      sameLength('plmsEpsilon', n, m, ...older.slice(0, reads));
      mem.begin(n);
      const pm = mem.input(m);
      const ps = mem.input(s);
      const pp = [0, 1, 2].map((i) => (i < reads ? mem.input(older[i]) : pm));
      k.plmsEpsilon(pm, pp[0], pp[1], pp[2], ps, mem.output(n), vectorBytes(n), order, c.cs, c.diff, c.denom);
      return mem.finish()[0];
    },

    lmsEpsilon(m, s, older, sigma, coefficients) {
      const n = s.length;
      const terms = coefficients.length;
      if (terms < 1 || terms > 4 || older.length < terms - 1) {
        throw new Error(`lmsEpsilon: ${terms} coefficients need ${terms - 1} older derivatives, got ${older.length}`);
      }
      sameLength('lmsEpsilon', n, m, ...older.slice(0, terms - 1));
      mem.begin(n);
      const pm = mem.input(m);
      const ps = mem.input(s);
      const pd = [0, 1, 2].map((i) => (i < terms - 1 ? mem.input(older[i]) : ps));
      const [c0, c1 = 0, c2 = 0, c3 = 0] = coefficients;
      k.lmsEpsilon(pm, ps, pd[0], pd[1], pd[2], mem.output(n), mem.output(n), mem.output(n), vectorBytes(n), terms, sigma, c0, c1, c2, c3);
      return triple(mem.finish());
    },

    heunFirstEpsilon(m, s, sigma, dt) {
      const n = s.length;
      sameLength('heunFirstEpsilon', n, m);
      mem.begin(n);
      k.heunFirstEpsilon(mem.input(m), mem.input(s), mem.output(n), mem.output(n), mem.output(n), vectorBytes(n), sigma, dt);
      return triple(mem.finish());
    },

    heunSecondEpsilon(m, s, prevDerivative, base, sigmaNext, dt) {
      const n = s.length;
      sameLength('heunSecondEpsilon', n, m, prevDerivative, base);
      mem.begin(n);
      const [pm, ps, pd, pb] = [mem.input(m), mem.input(s), mem.input(prevDerivative), mem.input(base)];
      k.heunSecondEpsilon(pm, ps, pd, pb, mem.output(n), mem.output(n), vectorBytes(n), sigmaNext, dt);
      return pair(mem.finish());
    },

    linearCombination(a, x, b, y) {
      const n = x.length;
      sameLength('linearCombination', n, y);
      mem.begin(n);
      k.linearCombination(mem.input(x), mem.input(y), mem.output(n), vectorBytes(n), a, b);
      return mem.finish()[0];
    },

    addScaled(x, y, scale) {
      const n = x.length;
      sameLength('addScaled', n, y);
      mem.begin(n);
      k.addScaled(mem.input(x), mem.input(y), mem.output(n), vectorBytes(n), scale);
      return mem.finish()[0];
    },

    divide(x, d) {
      const n = x.length;
      mem.begin(n);
      k.divide(mem.input(x), mem.output(n), vectorBytes(n), d);
      return mem.finish()[0];
    },

    guidance(u, c, scale) {
      const n = c.length;
      sameLength('guidance', n, u);
      mem.begin(n);
      k.guidance(mem.input(u), mem.input(c), mem.output(n), vectorBytes(n), scale);
      return mem.finish()[0];
    },

    latentToRgb(latent, batch, plane, factors, bias) {
      // The SIMD kernel maps 4 channels with no bias; other packages' maps take the JS kernel.
      if (factors.length !== 4 || factors.some((row) => row.length !== 3) || bias?.some((b) => b !== 0)) {
        return fallback.latentToRgb(latent, batch, plane, factors, bias);
      }
      // Planes padded to whole vectors, so a plane's last vector never spills into the next one.
      const stride = planeBytes(plane);
      const strideFloats = stride >> 2;
      // Sized like the whole latent, so a preview between steps keeps the steps' slots.
      mem.begin(Math.max(latent.length, 4 * strideFloats));
      const src = mem.scratch();
      const dst = mem.scratch();
      const flat = factors.flat();
      const out = new Float32Array(batch * 3 * plane);
      for (let b = 0; b < batch; b++) {
        const heap = mem.heap;
        for (let c = 0; c < 4; c++) {
          const from = (b * 4 + c) * plane;
          heap.set(latent.subarray(from, from + plane), (src >> 2) + c * strideFloats);
        }
        k.latentToRgb(src, dst, stride, ...flat);
        for (let c = 0; c < 3; c++) {
          const at = (dst >> 2) + c * strideFloats;
          out.set(heap.subarray(at, at + plane), (b * 3 + c) * plane);
        }
      }
      return out;
    },
  };
}
