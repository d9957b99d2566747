/**
 * Scheduler configs: the snake_case keys of a diffusers `scheduler_config.json`, with each
 * class's own defaults, so a model package's file can be passed as is (unknown keys ignored).
 */
export const SCHEDULER_NAMES = [
  'DDPMScheduler',
  'DDIMScheduler',
  'PNDMScheduler',
  'EulerDiscreteScheduler',
  'EulerAncestralDiscreteScheduler',
  'LMSDiscreteScheduler',
  'HeunDiscreteScheduler',
  'DPMSolverMultistepScheduler',
  'LCMScheduler',
  'UnCLIPScheduler',
] as const;

export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

export function isSchedulerName(name: unknown): name is SchedulerName {
  return typeof name === 'string' && (SCHEDULER_NAMES as readonly string[]).includes(name);
}

export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';

/** Every key any supported scheduler reads. */
export interface SchedulerConfig {
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: string;
  trained_betas: number[] | null;
  prediction_type: PredictionType;
  timestep_spacing: string;
  steps_offset: number;
  clip_sample: boolean;
  clip_sample_range: number;
  set_alpha_to_one: boolean;
  thresholding: boolean;
  dynamic_thresholding_ratio: number;
  sample_max_value: number;
  rescale_betas_zero_snr: boolean;
  variance_type: string | null;
  skip_prk_steps: boolean;
  use_karras_sigmas: boolean;
  /** Sigmas evenly spaced in log-sigma (DPM-Solver's use_lu_lambdas; use_exponential_sigmas elsewhere). */
  use_lu_lambdas: boolean;
  use_exponential_sigmas: boolean;
  /** Euler: 'continuous' feeds the model 0.25·log(sigma) instead of t (with v_prediction). */
  timestep_type: string;
  /** DPM-Solver: drop the last timesteps whose log-SNR lambda is below this (-inf keeps all). */
  lambda_min_clipped: number;
  sigma_min: number | null;
  sigma_max: number | null;
  final_sigmas_type: 'zero' | 'sigma_min';
  solver_order: number;
  algorithm_type: string;
  solver_type: string;
  lower_order_final: boolean;
  euler_at_final: boolean;
  original_inference_steps: number;
  timestep_scaling: number;
}

const COMMON: SchedulerConfig = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  trained_betas: null,
  prediction_type: 'epsilon',
  timestep_spacing: 'leading',
  steps_offset: 0,
  clip_sample: false,
  clip_sample_range: 1.0,
  set_alpha_to_one: true,
  thresholding: false,
  dynamic_thresholding_ratio: 0.995,
  sample_max_value: 1.0,
  rescale_betas_zero_snr: false,
  variance_type: null,
  skip_prk_steps: false,
  use_karras_sigmas: false,
  use_lu_lambdas: false,
  use_exponential_sigmas: false,
  timestep_type: 'discrete',
  lambda_min_clipped: -Infinity,
  sigma_min: null,
  sigma_max: null,
  final_sigmas_type: 'zero',
  solver_order: 2,
  algorithm_type: 'dpmsolver++',
  solver_type: 'midpoint',
  lower_order_final: true,
  euler_at_final: false,
  original_inference_steps: 50,
  timestep_scaling: 10.0,
};

/** Where each class's __init__ defaults differ from COMMON. */
const CLASS_DEFAULTS: Record<SchedulerName, Partial<SchedulerConfig>> = {
  DDPMScheduler: { clip_sample: true, variance_type: 'fixed_small' },
  DDIMScheduler: { clip_sample: true, set_alpha_to_one: true },
  PNDMScheduler: { set_alpha_to_one: false },
  EulerDiscreteScheduler: { timestep_spacing: 'linspace' },
  EulerAncestralDiscreteScheduler: { timestep_spacing: 'linspace' },
  LMSDiscreteScheduler: { timestep_spacing: 'linspace' },
  HeunDiscreteScheduler: { timestep_spacing: 'linspace', clip_sample: false },
  DPMSolverMultistepScheduler: { timestep_spacing: 'linspace' },
  LCMScheduler: { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', set_alpha_to_one: true },
  UnCLIPScheduler: { beta_schedule: 'squaredcos_cap_v2', clip_sample: true, variance_type: 'fixed_small_log' },
};

type KeyKind = 'number' | 'int' | 'boolean' | 'string' | 'string|null' | 'number|null' | 'numbers|null' | 'number|-inf';

const KEY_KINDS: Record<keyof SchedulerConfig, KeyKind> = {
  num_train_timesteps: 'int',
  beta_start: 'number',
  beta_end: 'number',
  beta_schedule: 'string',
  trained_betas: 'numbers|null',
  prediction_type: 'string',
  timestep_spacing: 'string',
  steps_offset: 'int',
  clip_sample: 'boolean',
  clip_sample_range: 'number',
  set_alpha_to_one: 'boolean',
  thresholding: 'boolean',
  dynamic_thresholding_ratio: 'number',
  sample_max_value: 'number',
  rescale_betas_zero_snr: 'boolean',
  variance_type: 'string|null',
  skip_prk_steps: 'boolean',
  use_karras_sigmas: 'boolean',
  use_lu_lambdas: 'boolean',
  use_exponential_sigmas: 'boolean',
  timestep_type: 'string',
  lambda_min_clipped: 'number|-inf',
  sigma_min: 'number|null',
  sigma_max: 'number|null',
  final_sigmas_type: 'string',
  solver_order: 'int',
  algorithm_type: 'string',
  solver_type: 'string',
  lower_order_final: 'boolean',
  euler_at_final: 'boolean',
  original_inference_steps: 'int',
  timestep_scaling: 'number',
};

const ENUMS: Partial<Record<keyof SchedulerConfig, readonly string[]>> = {
  beta_schedule: ['linear', 'scaled_linear', 'squaredcos_cap_v2'],
  prediction_type: ['epsilon', 'v_prediction', 'sample'],
  timestep_spacing: ['leading', 'linspace', 'trailing'],
  final_sigmas_type: ['zero', 'sigma_min'],
  algorithm_type: ['dpmsolver++', 'dpmsolver'],
  solver_type: ['midpoint', 'heun'],
  timestep_type: ['discrete', 'continuous'],
};

function checkKind(key: string, value: unknown, kind: KeyKind): string | undefined {
  const isNum = typeof value === 'number' && Number.isFinite(value);
  switch (kind) {
    case 'number':
      return isNum ? undefined : 'a finite number';
    case 'int':
      return isNum && Number.isInteger(value) ? undefined : 'an integer';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'string':
      return typeof value === 'string' ? undefined : 'a string';
    case 'string|null':
      return value === null || typeof value === 'string' ? undefined : 'a string or null';
    case 'number|-inf':
      // JSON has no -Infinity: null and the string "-inf" mean it too.
      return isNum || value === -Infinity || value === null || value === '-inf' ? undefined : 'a number (or null for -inf)';
    case 'number|null':
      return value === null || isNum ? undefined : 'a number or null';
    case 'numbers|null':
      return value === null || (Array.isArray(value) && value.every((v) => typeof v === 'number'))
        ? undefined
        : 'a list of numbers or null';
  }
  return `a valid value for ${key}`;
}

/**
 * Merge a user config (snake_case, possibly a whole scheduler_config.json) over the class
 * defaults. Unknown keys are ignored; known keys of the wrong type throw naming the key.
 */
export function resolveSchedulerConfig(name: SchedulerName, raw: Record<string, unknown> = {}): SchedulerConfig {
  const config: SchedulerConfig = { ...COMMON, ...CLASS_DEFAULTS[name] };
  for (const key of Object.keys(KEY_KINDS) as (keyof SchedulerConfig)[]) {
    if (!(key in raw) || raw[key] === undefined) continue;
    const value = raw[key];
    const problem = checkKind(key, value, KEY_KINDS[key]);
    if (problem) {
      throw new Error(`${name} config: "${key}" must be ${problem}, got ${JSON.stringify(value)}`);
    }
    const allowed = ENUMS[key];
    if (allowed && !allowed.includes(value as string)) {
      throw new Error(`${name} config: "${key}" must be one of ${allowed.join(', ')}, got "${String(value)}"`);
    }
    const stored = KEY_KINDS[key] === 'number|-inf' && (value === null || value === '-inf') ? -Infinity : value;
    (config as unknown as Record<string, unknown>)[key] = Array.isArray(stored) ? [...stored] : stored;
  }
  if (config.num_train_timesteps < 1) {
    throw new Error(`${name} config: "num_train_timesteps" must be at least 1, got ${config.num_train_timesteps}`);
  }
  return config;
}
