/** `sampling/scale-input`: the scheduler's scale_model_input for the current step. */
import { defineNode } from '../define.ts';
import { positionOf, requireLatentSamples, requireSchedule, requireState } from './values.ts';

export const samplingScaleInput = defineNode({
  type: 'sampling/scale-input',
  version: 1,
  title: 'Scale model input',
  category: 'sampling',
  description:
    "Scale the latent for the denoiser at this step (Euler-family schedulers divide by sqrt(σ² + 1); others pass it through). " +
    "The step comes from the state or from `index`. Also outputs the step's timestep for the denoiser.",
  inputs: {
    schedule: { type: 'SCHEDULE' },
    latent: { type: 'LATENT' },
    state: { type: 'SCHEDULER_STATE', optional: true },
    index: { type: 'INT', optional: true, description: 'Loop iteration (0-based) when no state is connected.' },
  },
  outputs: { latent: { type: 'LATENT' }, timestep: { type: 'FLOAT' } },
  params: {},
  run(ctx, inputs) {
    const schedule = requireSchedule(inputs.schedule, ctx.nodeId);
    const state = inputs.state === undefined ? undefined : requireState(inputs.state, ctx.nodeId, schedule);
    const position = positionOf(ctx.nodeId, schedule, state, inputs.index);
    const samples = requireLatentSamples(inputs.latent, ctx.nodeId, 'latent');
    const scheduler = schedule.scheduler.clone();
    const base = state ? state.state : scheduler.getState();
    scheduler.setState({ ...base, stepIndex: position });
    const timestep = schedule.timesteps[position];
    const scaled = scheduler.scaleModelInput(samples, timestep);
    return { latent: { ...inputs.latent, samples: scaled }, timestep };
  },
});
