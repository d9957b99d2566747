/** `sampling/scale-input`: the scheduler's scale_model_input for the current step. */
import { defineNode } from '../define.ts';
import { isResident } from '../../src/tensor/resident.ts';
import { latentWithSamples, positionOf, requireLatentSamplesAnywhere, requireSchedule, requireState } from './values.ts';

export const samplingScaleInput = defineNode({
  type: 'sampling/scale-input',
  version: 1,
  // A resident latent is scaled on its device (WebGPU), so the loop's latent stays there.
  residentInputs: true,
  title: 'Scale model input',
  category: 'sampling',
  description:
    "Scale the latent for the denoiser at this step (Euler-family schedulers divide by sqrt(σ² + 1); others pass it through). " +
    "The step comes from the state, from `index`, or from `timestep` (the schedule's first match from its start); " +
    "a connected `timestep` is checked against the step. Also outputs the step's timestep for the denoiser.",
  inputs: {
    schedule: { type: 'SCHEDULE' },
    latent: { type: 'LATENT' },
    state: { type: 'SCHEDULER_STATE', optional: true },
    index: { type: 'INT', optional: true, description: 'Loop iteration (0-based) when no state is connected.' },
    timestep: { type: 'FLOAT', optional: true, description: 'The timestep t (e.g. from sampling/timestep).' },
  },
  outputs: { latent: { type: 'LATENT' }, timestep: { type: 'FLOAT' } },
  params: {},
  run(ctx, inputs) {
    const schedule = requireSchedule(inputs.schedule, ctx.nodeId);
    const state = inputs.state === undefined ? undefined : requireState(inputs.state, ctx.nodeId, schedule);
    let position: number;
    if (!state && inputs.index === undefined && inputs.timestep !== undefined) {
      position = schedule.timesteps.indexOf(inputs.timestep, schedule.beginIndex);
      if (position < 0) {
        throw new Error(`node "${ctx.nodeId}": input \`timestep\` ${inputs.timestep} is not one of the schedule's timesteps`);
      }
    } else {
      position = positionOf(ctx.nodeId, schedule, state, inputs.index);
      if (inputs.timestep !== undefined && inputs.timestep !== schedule.timesteps[position]) {
        throw new Error(
          `node "${ctx.nodeId}": input \`timestep\` is ${inputs.timestep} but step ${position - schedule.beginIndex} ` +
            `of the schedule is at ${schedule.timesteps[position]}`,
        );
      }
    }
    const samples = requireLatentSamplesAnywhere(inputs.latent, ctx.nodeId, 'latent');
    const timestep = schedule.timesteps[position];
    if (isResident(samples)) {
      return schedule.scheduler
        .scaleModelInputAtOnDevice(samples.device, samples, position)
        .then((scaled) => ({ latent: latentWithSamples(inputs.latent, scaled), timestep }));
    }
    // Pure: the shared scheduler is read at this position, never cloned or stepped.
    const scaled = schedule.scheduler.scaleModelInputAt(samples, position);
    return { latent: { ...inputs.latent, samples: scaled }, timestep };
  },
});
