/**
 * `sampling/init-state`: the initial SCHEDULER_STATE for a SCHEDULE, with the seeded noise
 * generator that stochastic steps draw from.
 */
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';
import { defineNode } from '../define.ts';
import { requireSchedule, type SchedulerStateValue } from './values.ts';

export const samplingInitState = defineNode({
  type: 'sampling/init-state',
  version: 1,
  title: 'Scheduler state',
  category: 'sampling',
  description:
    'Initial scheduler state for a schedule: feed it to the repeat zone as loop-carried state. `seed` seeds one TorchGenerator ' +
    "that every stochastic step (DDPM, DDIM with eta, Euler ancestral, LCM, unCLIP) draws from in turn, as diffusers does with " +
    '`generator=torch.manual_seed(seed)`; deterministic schedulers ignore it.',
  inputs: { schedule: { type: 'SCHEDULE' } },
  outputs: { state: { type: 'SCHEDULER_STATE' } },
  params: { seed: { kind: 'seed', default: 0 } },
  run(ctx, inputs, params) {
    const schedule = requireSchedule(inputs.schedule, ctx.nodeId);
    const state: SchedulerStateValue = {
      kind: 'scheduler-state',
      name: schedule.name,
      position: schedule.beginIndex,
      state: schedule.scheduler.getState(),
      generator: new TorchGenerator(params.seed),
      seed: params.seed,
    };
    return { state };
  },
});
