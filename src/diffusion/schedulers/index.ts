/**
 * createScheduler(name, config): a diffusers-compatible scheduler from its class name and a
 * `scheduler_config.json`-style object (snake_case keys; `_class_name` used when name is omitted).
 */
import type { Scheduler } from './base.ts';
import { isSchedulerName, resolveSchedulerConfig, SCHEDULER_NAMES, type SchedulerName } from './config.ts';
import { DDIMScheduler } from './ddim.ts';
import { DDPMScheduler } from './ddpm.ts';
import { DPMSolverMultistepScheduler } from './dpmSolver.ts';
import { EulerAncestralDiscreteScheduler, EulerDiscreteScheduler } from './euler.ts';
import { LCMScheduler, UnCLIPScheduler } from './lcmUnclip.ts';
import { HeunDiscreteScheduler, LMSDiscreteScheduler } from './lmsHeun.ts';
import { PNDMScheduler } from './pndm.ts';

export function createScheduler(config: Record<string, unknown>): Scheduler;
export function createScheduler(name: SchedulerName | undefined | null, config?: Record<string, unknown>): Scheduler;
export function createScheduler(
  nameOrConfig: SchedulerName | Record<string, unknown> | undefined | null,
  maybeConfig: Record<string, unknown> = {},
): Scheduler {
  // createScheduler(config) reads the class from the config's _class_name.
  const [name, config] =
    nameOrConfig !== null && typeof nameOrConfig === 'object'
      ? [undefined, nameOrConfig]
      : [nameOrConfig as SchedulerName | undefined | null, maybeConfig];
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new Error(`createScheduler: config must be an object of scheduler_config.json keys, got ${JSON.stringify(config)}`);
  }
  const resolvedName = name ?? config._class_name;
  if (!isSchedulerName(resolvedName)) {
    const given = resolvedName === undefined ? 'no name and no _class_name in the config' : `"${String(resolvedName)}"`;
    throw new Error(`createScheduler: unknown scheduler ${given}; supported: ${SCHEDULER_NAMES.join(', ')}`);
  }
  const resolved = resolveSchedulerConfig(resolvedName, config);
  switch (resolvedName) {
    case 'DDPMScheduler':
      return new DDPMScheduler(resolved);
    case 'DDIMScheduler':
      return new DDIMScheduler(resolved);
    case 'PNDMScheduler':
      return new PNDMScheduler(resolved);
    case 'EulerDiscreteScheduler':
      return new EulerDiscreteScheduler(resolved);
    case 'EulerAncestralDiscreteScheduler':
      return new EulerAncestralDiscreteScheduler(resolved);
    case 'LMSDiscreteScheduler':
      return new LMSDiscreteScheduler(resolved);
    case 'HeunDiscreteScheduler':
      return new HeunDiscreteScheduler(resolved);
    case 'DPMSolverMultistepScheduler':
      return new DPMSolverMultistepScheduler(resolved);
    case 'LCMScheduler':
      return new LCMScheduler(resolved);
    case 'UnCLIPScheduler':
      return new UnCLIPScheduler(resolved);
  }
}

export { SCHEDULER_NAMES, isSchedulerName, resolveSchedulerConfig };
export type { SchedulerName, SchedulerConfig, PredictionType } from './config.ts';
export type { Scheduler, SchedulerState, StepOptions, StepResult, NoiseGenerator } from './base.ts';
export { cloneState, initialState } from './base.ts';
export {
  DDIMScheduler,
  DDPMScheduler,
  DPMSolverMultistepScheduler,
  EulerAncestralDiscreteScheduler,
  EulerDiscreteScheduler,
  HeunDiscreteScheduler,
  LCMScheduler,
  LMSDiscreteScheduler,
  PNDMScheduler,
  UnCLIPScheduler,
};
export { SigmaSchedulerBase } from './sigmaBase.ts';
