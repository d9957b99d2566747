/**
 * Scheduler step throughput on a [1, 4, 128, 128] latent, in GB/s of latent data read and
 * written per step (model output + sample read, next sample written: 3 latents), next to a plain
 * Float32Array copy of the same latent (1 read + 1 write: the memory-bandwidth ceiling), with the
 * ratio. GB/s come from CPU time (the machine may be shared); wall-clock figures are in the note.
 * Run with `npm run bench -- scheduler` or alone with `npx tsx tests/bench/scheduler.bench.ts`.
 */
import { pathToFileURL } from 'node:url';
import { createScheduler, type SchedulerName } from '../../src/diffusion/schedulers/index.ts';
import { classifierFreeGuidance } from '../../src/diffusion/guidance.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';
import { medianWallAndCpuMs, type BenchFigure } from './run.ts';

export interface BenchCase {
  name: string;
  /** Bytes of latent data one iteration reads and writes. */
  bytes: number;
  /** Iterations per run. */
  iterations: number;
  run(): void;
}

const SHAPE = [1, 4, 128, 128];
const SIZE = 4 * 128 * 128;
const LATENT_BYTES = SIZE * 4;
const STEPS = 25;
const sample = new Tensor('float32', SHAPE, new TorchGenerator(1).randn(SHAPE));
const modelOutput = new Tensor('float32', SHAPE, new TorchGenerator(2).randn(SHAPE));
const noise = new Tensor('float32', SHAPE, new TorchGenerator(3).randn(SHAPE));

export function schedulerCase(name: SchedulerName, config: Record<string, unknown> = {}): BenchCase {
  const scheduler = createScheduler(name, { beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, ...config });
  scheduler.setTimesteps(STEPS);
  const template = scheduler.clone();
  return {
    name: `${name} step`,
    bytes: 3 * LATENT_BYTES,
    iterations: template.timesteps.length,
    run() {
      const s = template.clone();
      let x = sample;
      // Pre-drawn noise keeps the measurement on the step itself, not on the generator.
      for (const t of s.timesteps) x = s.step(modelOutput, t, x, { varianceNoise: noise }).prevSample;
    },
  };
}

const copySource = new Float32Array(sample.data);
const copyTarget = new Float32Array(SIZE);

/** The memory-bandwidth ceiling the steps are compared with. */
export const copyCase: BenchCase = {
  name: 'Float32Array copy (ceiling)',
  bytes: 2 * LATENT_BYTES,
  iterations: STEPS,
  run() {
    for (let i = 0; i < STEPS; i++) copyTarget.set(copySource);
  },
};

export const schedulerBenchmarks: BenchCase[] = [
  copyCase,
  schedulerCase('EulerDiscreteScheduler'),
  schedulerCase('EulerAncestralDiscreteScheduler'),
  schedulerCase('DDIMScheduler', { clip_sample: false, set_alpha_to_one: false, steps_offset: 1 }),
  schedulerCase('DPMSolverMultistepScheduler'),
  schedulerCase('HeunDiscreteScheduler'),
  schedulerCase('LMSDiscreteScheduler'),
  schedulerCase('PNDMScheduler', { skip_prk_steps: true }),
  schedulerCase('DDPMScheduler'),
  {
    name: 'CFG (cond, uncond → guided)',
    bytes: 3 * LATENT_BYTES,
    iterations: STEPS,
    run() {
      for (let i = 0; i < STEPS; i++) classifierFreeGuidance(modelOutput, sample, 7.5);
    },
  },
];

/** GB/s of `iterations` × `bytes` done in `ms`. */
export function throughput(c: BenchCase, ms: number): number {
  return (c.bytes * c.iterations) / (ms / 1000) / 1e9;
}

/**
 * One figure per case: GB/s from the median CPU time of this process (the work itself on a busy
 * machine), with wall-clock GB/s and the ratio to the Float32Array copy in the note.
 */
export async function figures(): Promise<BenchFigure[]> {
  const out: BenchFigure[] = [];
  let ceiling = 0;
  let slowest = { ratio: Infinity, name: '' };
  for (const c of schedulerBenchmarks) {
    c.run(); // extra warm-up so the JIT has optimised the loops
    const { wall, cpu } = await medianWallAndCpuMs(() => c.run(), 9);
    const byCpu = throughput(c, Math.max(cpu, 1e-3));
    const byWall = throughput(c, wall);
    if (ceiling === 0) ceiling = byCpu;
    out.push({
      name: c.name,
      value: byCpu,
      unit: 'GB/s',
      note: `${(wall / c.iterations).toFixed(3)} ms/step wall, ${byWall.toFixed(2)} GB/s wall, ratio to copy ${(byCpu / ceiling).toFixed(3)}`,
    });
    if (c.name.endsWith(' step') && byCpu / ceiling < slowest.ratio) slowest = { ratio: byCpu / ceiling, name: c.name.slice(0, -' step'.length) };
  }
  // The slowest of the step() figures above: allocation of the results and copies included.
  out.push({
    name: `slowest scheduler step() ÷ copy (${slowest.name})`,
    value: slowest.ratio,
    unit: '×',
    limit: { value: 0.5, kind: '≥' },
  });
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const f of await figures()) console.log(`${f.name.padEnd(40)} ${f.value.toFixed(2).padStart(8)} ${f.unit}   (${f.note})`);
}
