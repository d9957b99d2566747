/**
 * Diffusion numerics (schedules, schedulers, guidance): the exports src/index.ts re-exports.
 * The CLIP tokenizer is exported from src/index.ts directly.
 */
export * from './schedulers/index.ts';
export {
  BETA_SCHEDULES,
  TIMESTEP_SPACINGS,
  alphasFromBetas,
  cumprodF32,
  interpOnIndexGrid,
  karrasSigmas,
  makeBetas,
  numpyLinspace,
  rescaleZeroTerminalSnr,
  sigmaToT,
  sigmasFromAlphasCumprod,
  leadingStepsOffset,
  spacedTimesteps,
  torchLinspaceF32,
} from './schedules.ts';
export type { BetaConfig, BetaSchedule, TimestepSpacing } from './schedules.ts';
export { COMFY_SIGMA_SCHEDULES, comfyModelSampling, comfySigmas, isComfySigmaSchedule } from './schedulesComfy.ts';
export type { ComfySigmaSchedule, ModelSamplingTable } from './schedulesComfy.ts';
export { classifierFreeGuidance, classifierFreeGuidanceBatched } from './guidance.ts';
export type { GuidanceOptions } from './guidance.ts';
