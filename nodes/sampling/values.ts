/**
 * The SCHEDULE and SCHEDULER_STATE port values and the checks the sampling nodes share.
 *
 * A SCHEDULE holds a scheduler already set up for its steps; nodes treat it as a read-only
 * template and work on clones. A SCHEDULER_STATE is the loop-carried part (the scheduler's
 * multistep history, the step position and the noise generator); the step node never mutates the
 * state it receives, it returns a new one, because the engine caches and re-runs nodes.
 */
import type { Scheduler, SchedulerName, SchedulerState } from '../../src/diffusion/schedulers/index.ts';
import type { TorchGenerator } from '../../src/tensor/torchGenerator.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { isResident, type AnyFloatTensor } from '../../src/tensor/resident.ts';

export interface ScheduleValue {
  kind: 'schedule';
  name: SchedulerName;
  /** Set up for `steps` (with begin index for denoise < 1); a template: clone before stepping. */
  scheduler: Scheduler;
  /** Every timestep of the schedule (model evaluations); the loop runs from `beginIndex` on. */
  timesteps: number[];
  /** Sigma per entry of `timesteps` plus the final one, where the scheduler defines sigmas. */
  sigmas: number[] | undefined;
  beginIndex: number;
  /** Iterations of the denoising loop: timesteps.length - beginIndex. */
  iterations: number;
  /** Steps asked for (before denoise strength). */
  steps: number;
  denoise: number;
  initNoiseSigma: number;
}

export interface SchedulerStateValue {
  kind: 'scheduler-state';
  name: SchedulerName;
  /** Index into the schedule's `timesteps` of the next step. */
  position: number;
  state: SchedulerState;
  /**
   * Noise for stochastic steps (DDPM, DDIM eta > 0, Euler ancestral, LCM, unCLIP): one
   * TorchGenerator seeded once by sampling/init-state and carried from step to step, exactly like
   * diffusers' `generator=torch.manual_seed(seed)` passed to every `step`.
   */
  generator: TorchGenerator;
  seed: number;
}

export function requireSchedule(value: unknown, nodeId: string, port = 'schedule'): ScheduleValue {
  const v = value as ScheduleValue | undefined;
  if (!v || v.kind !== 'schedule' || !v.scheduler) {
    throw new Error(`node "${nodeId}": input \`${port}\` must be a SCHEDULE from sampling/scheduler`);
  }
  return v;
}

export function requireState(value: unknown, nodeId: string, schedule: ScheduleValue, port = 'state'): SchedulerStateValue {
  const v = value as SchedulerStateValue | undefined;
  if (!v || v.kind !== 'scheduler-state' || !v.state) {
    throw new Error(`node "${nodeId}": input \`${port}\` must be a SCHEDULER_STATE from sampling/init-state or sampling/step`);
  }
  if (v.name !== schedule.name) {
    throw new Error(`node "${nodeId}": input \`${port}\` belongs to a ${v.name}, but the schedule is a ${schedule.name}`);
  }
  return v;
}

/** The schedule position for this evaluation: from the state, else beginIndex + index. */
export function positionOf(
  nodeId: string,
  schedule: ScheduleValue,
  state: SchedulerStateValue | undefined,
  index: number | undefined,
): number {
  let position: number;
  if (state) {
    position = state.position;
    if (index !== undefined && schedule.beginIndex + index !== position) {
      throw new Error(
        `node "${nodeId}": input \`index\` is ${index} but the scheduler state is at step ${position - schedule.beginIndex}; ` +
          'carry the state through the repeat zone (or leave `index` unconnected)',
      );
    }
  } else if (index !== undefined) {
    if (!Number.isInteger(index) || index < 0) throw new Error(`node "${nodeId}": input \`index\` must be an integer >= 0, got ${index}`);
    position = schedule.beginIndex + index;
  } else {
    throw new Error(`node "${nodeId}": connect \`state\` or \`index\` to say which step this is`);
  }
  if (position >= schedule.timesteps.length) {
    throw new Error(
      `node "${nodeId}": step ${position - schedule.beginIndex} is past the end of the schedule (${schedule.iterations} steps); ` +
        "wire the repeat zone's count from the scheduler's `steps` output",
    );
  }
  return position;
}

/**
 * `latent` with other samples, which may be resident: a LATENT's `samples` is typed as a host
 * tensor because every node without `residentInputs` sees one (the engine downloads residents
 * for them); nodes with it build their outputs here.
 */
export function latentWithSamples<L extends { samples: Tensor<'float32'> }>(latent: L, samples: AnyFloatTensor): L {
  return { ...latent, samples: samples as Tensor<'float32'> };
}

/** A LATENT's samples, on the host or resident on a device (for nodes with `residentInputs`). */
export function requireLatentSamplesAnywhere(value: unknown, nodeId: string, port: string): AnyFloatTensor {
  const samples = (value as { samples?: unknown } | undefined)?.samples;
  return isResident(samples) ? samples : requireLatentSamples(value, nodeId, port);
}

export function requireLatentSamples(value: unknown, nodeId: string, port: string): Tensor<'float32'> {
  const samples = (value as { samples?: Tensor<'float32'> } | undefined)?.samples;
  if (!samples || samples.dtype !== 'float32' || !(samples.data instanceof Float32Array)) {
    throw new Error(`node "${nodeId}": input \`${port}\` must be a LATENT holding a float32 tensor`);
  }
  return samples;
}
