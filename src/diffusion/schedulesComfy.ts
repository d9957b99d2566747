/**
 * The sigma schedules a ComfyUI KSampler offers (normal, karras, exponential, sgm_uniform, simple,
 * ddim_uniform), computed as ComfyUI computes them: its ModelSamplingDiscrete table is built in
 * float64 (betas, cumprod, sigmas, log-sigmas) and stored as float32; the schedules themselves
 * run in torch float32 (torch.linspace, exp) with k-diffusion's Karras / exponential formulas.
 * Each returns steps + 1 sigmas, descending, ending at 0 (or at the table's smallest sigma where
 * ComfyUI does so).
 */
import { f32, torchLinspaceF32 } from './schedules.ts';

export const COMFY_SIGMA_SCHEDULES = ['normal', 'karras', 'exponential', 'sgm_uniform', 'simple', 'ddim_uniform'] as const;
export type ComfySigmaSchedule = (typeof COMFY_SIGMA_SCHEDULES)[number];

export function isComfySigmaSchedule(name: unknown): name is ComfySigmaSchedule {
  return typeof name === 'string' && (COMFY_SIGMA_SCHEDULES as readonly string[]).includes(name);
}

/** ComfyUI's ModelSamplingDiscrete tables: sigmas and log-sigmas ascending with t, float32. */
export interface ModelSamplingTable {
  sigmas: Float32Array;
  logSigmas: Float32Array;
}

/** torch.linspace in float64 (the same two-ended fill as the float32 kernel). */
function linspace64(start: number, end: number, steps: number): Float64Array {
  const out = new Float64Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const step = (end - start) / (steps - 1);
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
  return out;
}

/**
 * The sigma table ComfyUI derives from a diffusers-style beta config. diffusers' `scaled_linear`
 * is ComfyUI's "linear" (linspace of square roots, squared); diffusers' `linear` is ComfyUI's
 * "sqrt_linear"; `squaredcos_cap_v2` uses the cosine alpha-bar in float64.
 */
export function comfyModelSampling(config: {
  num_train_timesteps?: number;
  beta_start?: number;
  beta_end?: number;
  beta_schedule?: string;
}): ModelSamplingTable {
  const n = config.num_train_timesteps ?? 1000;
  const start = config.beta_start ?? 0.00085;
  const end = config.beta_end ?? 0.012;
  const schedule = config.beta_schedule ?? 'scaled_linear';
  let betas: Float64Array;
  if (schedule === 'scaled_linear') {
    betas = linspace64(Math.sqrt(start), Math.sqrt(end), n).map((r) => r * r);
  } else if (schedule === 'linear') {
    betas = linspace64(start, end, n);
  } else if (schedule === 'squaredcos_cap_v2') {
    const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * Math.PI / 2) ** 2;
    betas = new Float64Array(n);
    for (let i = 0; i < n; i++) betas[i] = Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), 0.999);
  } else {
    throw new Error(`ComfyUI sigma schedules: unsupported beta_schedule "${schedule}"`);
  }
  const sigmas = new Float32Array(n);
  const logSigmas = new Float32Array(n);
  let acp = 1;
  for (let i = 0; i < n; i++) {
    acp *= 1 - betas[i];
    const s = Math.sqrt((1 - acp) / acp);
    sigmas[i] = s;
    logSigmas[i] = Math.log(s);
  }
  return { sigmas, logSigmas };
}

/** ModelSamplingDiscrete.timestep: index of the nearest log-sigma. */
function timestepOf(table: ModelSamplingTable, sigma: number): number {
  const logSigma = f32(Math.log(sigma));
  let best = 0;
  let bestDist = Infinity;
  for (let i = 0; i < table.logSigmas.length; i++) {
    const d = Math.abs(f32(logSigma - table.logSigmas[i]));
    if (d < bestDist) {
      bestDist = d;
      best = i;
    }
  }
  return best;
}

/** ModelSamplingDiscrete.sigma: log-linear interpolation of the table at a fractional timestep. */
function sigmaOf(table: ModelSamplingTable, timestep: number): number {
  const t = Math.min(Math.max(f32(timestep), 0), table.sigmas.length - 1);
  const low = Math.floor(t);
  const high = Math.ceil(t);
  const w = f32(t - Math.trunc(t));
  const logSigma = f32(f32(f32(1 - w) * table.logSigmas[low]) + f32(w * table.logSigmas[high]));
  return f32(Math.exp(logSigma));
}

function normalSchedule(table: ModelSamplingTable, steps: number, sgm: boolean): Float32Array {
  const start = timestepOf(table, table.sigmas[table.sigmas.length - 1]);
  const end = timestepOf(table, table.sigmas[0]);
  let appendZero = true;
  let timesteps: Float32Array;
  if (sgm) {
    timesteps = torchLinspaceF32(start, end, steps + 1).subarray(0, steps);
  } else {
    let count = steps;
    if (Math.abs(sigmaOf(table, end)) <= 1e-5) {
      count += 1;
      appendZero = false;
    }
    timesteps = torchLinspaceF32(start, end, count);
  }
  const sigs = Array.from(timesteps, (t) => sigmaOf(table, t));
  if (appendZero) sigs.push(0);
  return Float32Array.from(sigs);
}

function karrasSchedule(table: ModelSamplingTable, steps: number, rho = 7): Float32Array {
  const sigmaMin = table.sigmas[0];
  const sigmaMax = table.sigmas[table.sigmas.length - 1];
  const ramp = torchLinspaceF32(0, 1, steps);
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  const diff = f32(minInv - maxInv);
  const out = new Float32Array(steps + 1);
  for (let i = 0; i < steps; i++) out[i] = f32(f32(maxInv) + f32(ramp[i] * diff)) ** rho;
  return out;
}

function exponentialSchedule(table: ModelSamplingTable, steps: number): Float32Array {
  const sigmaMin = table.sigmas[0];
  const sigmaMax = table.sigmas[table.sigmas.length - 1];
  const logs = torchLinspaceF32(Math.log(sigmaMax), Math.log(sigmaMin), steps);
  const out = new Float32Array(steps + 1);
  for (let i = 0; i < steps; i++) out[i] = Math.exp(logs[i]);
  return out;
}

function simpleSchedule(table: ModelSamplingTable, steps: number): Float32Array {
  const n = table.sigmas.length;
  const stride = n / steps;
  const out = new Float32Array(steps + 1);
  for (let x = 0; x < steps; x++) out[x] = table.sigmas[n - 1 - Math.trunc(x * stride)];
  return out;
}

function ddimUniformSchedule(table: ModelSamplingTable, steps: number): Float32Array {
  const n = table.sigmas.length;
  let count = steps;
  const sigs: number[] = [];
  if (Math.abs(table.sigmas[1]) <= 1e-5) count += 1;
  else sigs.push(0);
  const stride = Math.max(Math.floor(n / count), 1);
  for (let x = 1; x < n; x += stride) sigs.push(table.sigmas[x]);
  return Float32Array.from(sigs.reverse());
}

/** A KSampler sigma schedule of `steps` steps (steps + 1 sigmas) for the given sampling table. */
export function comfySigmas(name: ComfySigmaSchedule, steps: number, table: ModelSamplingTable): Float32Array {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(`ComfyUI sigma schedule "${name}": steps must be a positive integer, got ${steps}`);
  }
  switch (name) {
    case 'normal':
      return normalSchedule(table, steps, false);
    case 'sgm_uniform':
      return normalSchedule(table, steps, true);
    case 'karras':
      return karrasSchedule(table, steps);
    case 'exponential':
      return exponentialSchedule(table, steps);
    case 'simple':
      return simpleSchedule(table, steps);
    case 'ddim_uniform':
      return ddimUniformSchedule(table, steps);
    default:
      throw new Error(`Unknown ComfyUI sigma schedule "${String(name)}" (expected ${COMFY_SIGMA_SCHEDULES.join(', ')})`);
  }
}
