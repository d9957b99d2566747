/** `sampling/timestep`: the timestep (for the denoiser) and sigma of step i of a schedule. */
import { defineNode } from '../define.ts';
import { positionOf, requireSchedule, requireState } from './values.ts';

export const samplingTimestep = defineNode({
  type: 'sampling/timestep',
  version: 1,
  title: 'Timestep',
  category: 'sampling',
  description:
    "Timestep t of loop iteration `index` (or of the state's current step) — what the denoiser takes — and its sigma " +
    '(the schedule\'s sigma where it has one, else sqrt((1 − ᾱ_t) / ᾱ_t)).',
  inputs: {
    schedule: { type: 'SCHEDULE' },
    index: { type: 'INT', optional: true, description: 'Loop iteration (0-based), e.g. the repeat-input index.' },
    state: { type: 'SCHEDULER_STATE', optional: true },
  },
  outputs: { timestep: { type: 'FLOAT' }, sigma: { type: 'FLOAT' } },
  params: {},
  run(ctx, inputs) {
    const schedule = requireSchedule(inputs.schedule, ctx.nodeId);
    const state = inputs.state === undefined ? undefined : requireState(inputs.state, ctx.nodeId, schedule);
    const position = positionOf(ctx.nodeId, schedule, state, inputs.index);
    const timestep = schedule.timesteps[position];
    let sigma: number;
    if (schedule.sigmas) sigma = schedule.sigmas[position];
    else {
      const acp = schedule.scheduler.alphasCumprod[Math.round(timestep)];
      sigma = Math.fround(Math.sqrt(Math.fround(Math.fround(1 - acp) / acp)));
    }
    return { timestep, sigma };
  },
});
