/**
 * Scheduler-step kernels on a [1, 4, 128, 128] latent, as bandwidth ÷ a Float32Array copy
 * (`dst.set(src)` of the same latent, its 512 KiB in the second-level cache of this machine),
 * counting 3 latents per step (model output and sample read, next sample written) as
 * scheduler.bench.ts does:
 * - kernel, resident: the wasm SIMD kernel on operands already in wasm memory, each step's result
 *   the next step's sample (no copy in or out, no allocation) — what a loop that keeps its
 *   latents in wasm memory gets. The kernels move more than the 3 latents counted (x0 is written
 *   too: Euler and DDIM move 4, DPM++ 2M 5) over a working set of 1.25–2 MiB: the note gives the
 *   bandwidth of what they move, and a copy with the same rotating working set is printed for
 *   comparison (no limit);
 * - step(), wasm / js: `scheduler.step()` as the engine calls it (model output copied in, two
 *   fresh result arrays allocated and copied out, the garbage collection that follows), on the
 *   wasm kernels and on the JS fallback.
 * Euler, DDIM and DPM++ 2M, resident and wasm step(), carry the limit ≥ 0.5 of copy bandwidth
 * into the closing value ÷ limit table (the same figure as printed here, CPU time based).
 * Run with `npm run bench -- kernels`.
 */
import { pathToFileURL } from 'node:url';
import { instantiateWasmKernels, setKernelBackend, type KernelBackendName } from '../../src/diffusion/kernels/index.ts';
import { kernelBytes } from '../../src/diffusion/kernels/kernelBytes.ts';
import type { KernelExports } from '../../src/diffusion/kernels/wasmKernels.ts';
import { slotStride } from '../../src/diffusion/kernels/wasmMemory.ts';
import type { SchedulerName } from '../../src/diffusion/schedulers/index.ts';
import { medianWallAndCpuMs, type BenchFigure } from './run.ts';
import { copyCase, schedulerCase, throughput, type BenchCase } from './scheduler.bench.ts';

const SIZE = 4 * 128 * 128;
const BYTES = SIZE * 4;
const STEPS = 25;

/**
 * The schedulers whose resident and wasm-step figures are held to half of copy bandwidth (higher
 * is better, so the limit is a floor). LMS and Heun are reported without a limit: their kernels
 * already make one pass over the latents, but read more operands (LMS's history, Heun's two halves).
 */
const HELD_TO_HALF_COPY = new Set(['Euler', 'DDIM', 'DPM++ 2M']);

/**
 * A private kernel instance whose memory holds `slots` latents (filled with small values), laid
 * out as the kernels' memory lays out its slots (staggered against 4 KiB aliasing).
 */
function residentMemory(slots: number): { k: KernelExports; at: (slot: number) => number } {
  const kernels = instantiateWasmKernels(kernelBytes);
  if (!kernels) throw new Error('kernels bench: wasm SIMD is not available in this runtime');
  const k = kernels.exports;
  const stride = slotStride(BYTES);
  const need = (slots - 1) * stride + BYTES;
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  const heap = new Float32Array(k.memory.buffer, 0, need / 4);
  for (let i = 0; i < heap.length; i++) heap[i] = Math.sin(i * 0.37) * 0.5;
  return { k, at: (slot) => slot * stride };
}

/** Latents each resident kernel call reads and writes (the figures count 3; Heun: 5 and 6 by halves). */
const MOVED: Record<string, number> = { Euler: 4, DDIM: 4, 'DPM++ 2M': 5, 'LMS (order 4)': 8, Heun: 5.5 };

/** Kernel calls per step on resident slots (slot 0: model output; results rotate into the sample). */
const RESIDENT: Record<string, (k: KernelExports, at: (slot: number) => number, step: number) => void> = {
  Euler: (k, at, i) => k.eulerEpsilon(at(0), at(1 + (i & 1)), at(2 - (i & 1)), at(3), BYTES, 1.5, -0.05),
  DDIM: (k, at, i) => k.ddimEpsilon(at(0), at(1 + (i & 1)), at(2 - (i & 1)), at(3), BYTES, 0.9, 0.43, 0.92, 0.39),
  'DPM++ 2M': (k, at, i) =>
    k.dpmSecondOrder(at(0), at(1 + (i & 1)), at(3 + (i & 1)), at(2 - (i & 1)), at(4 - (i & 1)), BYTES, 0.9, 0.43, 0.95, -0.05, 0.02, 1.1),
  'LMS (order 4)': (k, at, i) =>
    k.lmsEpsilon(at(0), at(1 + (i & 1)), at(3 + ((i + 3) & 3)), at(3 + ((i + 2) & 3)), at(3 + ((i + 1) & 3)),
      at(2 - (i & 1)), at(7), at(3 + (i & 3)), BYTES, 4, 1.5, -0.04, 0.01, -0.005, 0.001),
  // One model evaluation per call: the first half, then the second, alternately.
  Heun: (k, at, i) =>
    i & 1
      ? k.heunSecondEpsilon(at(0), at(2), at(4), at(1), at(1), at(3), BYTES, 1.4, -0.05)
      : k.heunFirstEpsilon(at(0), at(1), at(2), at(3), at(4), BYTES, 1.5, -0.05),
};

const API: Record<string, [SchedulerName, Record<string, unknown>]> = {
  Euler: ['EulerDiscreteScheduler', {}],
  DDIM: ['DDIMScheduler', { clip_sample: false, set_alpha_to_one: false, steps_offset: 1 }],
  'DPM++ 2M': ['DPMSolverMultistepScheduler', {}],
  'LMS (order 4)': ['LMSDiscreteScheduler', {}],
  Heun: ['HeunDiscreteScheduler', {}],
};

function residentCase(name: string): BenchCase {
  const { k, at } = residentMemory(8);
  const step = RESIDENT[name];
  return {
    name: `${name} kernel, resident`,
    bytes: 3 * BYTES,
    iterations: STEPS,
    run() {
      for (let i = 0; i < STEPS; i++) step(k, at, i);
    },
  };
}

/** The scheduler's step through its API on `backend`. */
function apiCase(name: string, backend: KernelBackendName): BenchCase {
  const [scheduler, config] = API[name];
  const c = schedulerCase(scheduler, config);
  return {
    ...c,
    name: `${name} step(), ${backend}`,
    run() {
      setKernelBackend(backend);
      c.run();
    },
  };
}

/** The copy with a working set like the resident kernels': 5 latents, source and target rotating. */
function rotatingCopyCase(): BenchCase {
  const latents = Array.from({ length: 5 }, (_, i) => new Float32Array(SIZE).fill(i));
  return {
    name: 'Float32Array copy, 5 latents rotating',
    bytes: 2 * BYTES,
    iterations: STEPS,
    run() {
      for (let i = 0; i < STEPS; i++) latents[(2 * i + 1) % 5].set(latents[(2 * i) % 5]);
    },
  };
}

/** The copy between two of the resident kernels' slots in wasm memory (the same staggered layout). */
function slotCopyCase(): BenchCase {
  const { k, at } = residentMemory(2);
  const source = new Float32Array(k.memory.buffer, at(0), SIZE);
  const target = new Float32Array(k.memory.buffer, at(1), SIZE);
  return {
    name: 'Float32Array copy between two kernel memory slots',
    bytes: 2 * BYTES,
    iterations: STEPS,
    run() {
      for (let i = 0; i < STEPS; i++) target.set(source);
    },
  };
}

async function cpuMs(c: BenchCase): Promise<{ cpu: number; wall: number }> {
  // Warm-up runs: the JIT's optimised loops and V8's optimising wasm tier, before timing.
  for (let i = 0; i < 4; i++) c.run();
  return medianWallAndCpuMs(() => c.run(), 11);
}

export async function figures(): Promise<BenchFigure[]> {
  const out: BenchFigure[] = [];
  // The ceiling is the best of several copy measurements: two array pairs (JS heap, and two
  // staggered kernel memory slots), each timed before and after the kernels. A single copy
  // measurement moved between 36 and 109 GB/s from one invocation to the next on the same
  // machine (the kernels' own times stayed within a few per cent), which made the ratios swing.
  const slotCopy = slotCopyCase();
  const copyRates: number[] = [];
  const measureCopies = async () => {
    for (const c of [copyCase, slotCopy]) copyRates.push(throughput(c, Math.max((await cpuMs(c)).cpu, 1e-3)));
  };
  await measureCopies();
  const kernelFigures: Array<{ name: string; gbs: number; wall: number; iterations: number; held: boolean; moved: string }> = [];
  const rotating = rotatingCopyCase();
  const spread = await cpuMs(rotating);
  out.push({
    name: rotating.name,
    value: throughput(rotating, Math.max(spread.cpu, 1e-3)),
    unit: 'GB/s',
    note: `${(spread.wall / STEPS).toFixed(4)} ms/copy wall; the working set of the resident kernels`,
  });
  try {
    for (const name of Object.keys(RESIDENT)) {
      for (const c of [residentCase(name), apiCase(name, 'wasm'), apiCase(name, 'js')]) {
        const { cpu, wall } = await cpuMs(c);
        const gbs = throughput(c, Math.max(cpu, 1e-3));
        const held = HELD_TO_HALF_COPY.has(name) && !c.name.endsWith(', js');
        const moved = c.name.endsWith('resident') ? `, ${((gbs * MOVED[name]) / 3).toFixed(2)} GB/s of the ${MOVED[name]} latents moved` : '';
        kernelFigures.push({ name: c.name, gbs, wall, iterations: c.iterations, held, moved });
      }
    }
  } finally {
    setKernelBackend('wasm');
  }
  await measureCopies();
  const ceiling = Math.max(...copyRates);
  out.unshift({
    name: 'Float32Array copy (ceiling)',
    value: ceiling,
    unit: 'GB/s',
    note: `best of ${copyRates.map((r) => r.toFixed(1)).join(', ')} GB/s: JS arrays, kernel slots; before and after the kernels`,
  });
  for (const f of kernelFigures) {
    out.push({
      name: `${f.name} ÷ copy`,
      value: f.gbs / ceiling,
      unit: '',
      note: `${f.gbs.toFixed(2)} GB/s${f.moved}, ${(f.wall / f.iterations).toFixed(4)} ms/step wall`,
      ...(f.held ? { limit: { value: 0.5, kind: '≥' as const } } : {}),
    });
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const f of await figures()) console.log(`${f.name.padEnd(36)} ${f.value.toFixed(3).padStart(8)} ${f.unit}   (${f.note})`);
}
