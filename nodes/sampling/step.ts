/**
 * `sampling/step`: one scheduler step. Pure: it steps a working copy of the scheduler set to the
 * given state, draws noise from a copy of the state's generator, and returns a new state, so
 * cached or repeated runs agree.
 */
import type { NoiseGenerator, Scheduler, StepOptions } from '../../src/diffusion/schedulers/index.ts';
import type { TorchGenerator } from '../../src/tensor/torchGenerator.ts';
import { defineNode } from '../define.ts';
import { deviceOf, isResident, toHost } from '../../src/tensor/resident.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import type { LatentValue } from '../types.ts';
import {
  latentWithSamples,
  positionOf,
  requireLatentSamples,
  requireLatentSamplesAnywhere,
  requireSchedule,
  requireState,
  type ScheduleValue,
  type SchedulerStateValue,
} from './values.ts';

/**
 * One working copy per schedule's template scheduler, reused by every step: stepFrom replaces all
 * the state a step reads or writes, so a reused copy steps exactly as a fresh clone would (steps
 * run synchronously, one at a time), without cloning the scheduler every iteration.
 */
const workingCopies = new WeakMap<Scheduler, Scheduler>();

function workingCopy(template: Scheduler): Scheduler {
  let copy = workingCopies.get(template);
  if (!copy) workingCopies.set(template, (copy = template.clone()));
  return copy;
}

/**
 * The state's generator as a step sees it: copied on the first draw only (deterministic
 * schedulers never draw); an undrawn generator is the same stream, so the next state may share it.
 */
class DrawOnCopy implements NoiseGenerator {
  copy: TorchGenerator | undefined;
  constructor(private readonly source: TorchGenerator) {}
  randn(shape: readonly number[]) {
    return (this.copy ??= this.source.clone()).randn(shape);
  }
}

export const samplingStep = defineNode({
  type: 'sampling/step',
  version: 1,
  // Resident inputs (WebGPU) step on their device where the scheduler has that path (epsilon
  // prediction: DDIM, DDPM and unCLIP with fixed variances, LCM, Euler, Euler ancestral, Heun,
  // LMS, PNDM's multistep steps, DPM-Solver++ 1S/2M); other steps run on host copies.
  residentInputs: true,
  title: 'Scheduler step',
  category: 'sampling',
  description:
    "One scheduler step: from the model's prediction (a LATENT, e.g. the guided noise prediction — epsilon, v or x0 as the " +
    "scheduler's prediction_type says) and the current sample to the next sample. Carries the scheduler state (multistep " +
    'history, position, noise generator) through the repeat zone. `denoised` is the predicted clean latent, for previews.',
  inputs: {
    schedule: { type: 'SCHEDULE' },
    state: { type: 'SCHEDULER_STATE' },
    model_output: { type: 'LATENT', description: "The denoiser's (guided) prediction." },
    sample: { type: 'LATENT', description: 'The current (unscaled) latent.' },
    index: { type: 'INT', optional: true, description: 'Loop iteration, checked against the state when connected.' },
  },
  outputs: {
    sample: { type: 'LATENT' },
    state: { type: 'SCHEDULER_STATE' },
    denoised: { type: 'LATENT', description: 'Predicted x0 (falls back to the next sample where the scheduler has none).' },
  },
  params: {
    eta: { kind: 'float', default: 0, min: 0, max: 1, step: 0.01, description: "DDIM's eta (0 = deterministic)." },
  },
  run(ctx, inputs, params) {
    const schedule = requireSchedule(inputs.schedule, ctx.nodeId);
    const state = requireState(inputs.state, ctx.nodeId, schedule);
    const position = positionOf(ctx.nodeId, schedule, state, inputs.index);
    const at: StepAt = { nodeId: ctx.nodeId, schedule, state, position, eta: params.eta };
    if (deviceOf(inputs.model_output?.samples, inputs.sample?.samples)) return stepResident(at, inputs.model_output, inputs.sample);
    const modelOutput = requireLatentSamples(inputs.model_output, ctx.nodeId, 'model_output');
    const sample = requireLatentSamples(inputs.sample, ctx.nodeId, 'sample');
    if (hasResidentState(state.state)) return withHostHistory(at).then((host) => stepOnHost(host, modelOutput, sample, inputs.sample));
    return stepOnHost(at, modelOutput, sample, inputs.sample);
  },
});

interface StepAt {
  nodeId: string;
  schedule: ScheduleValue;
  state: SchedulerStateValue;
  position: number;
  eta: number;
}

/** The step's options: the generator, eta, and unCLIP's next timestep. */
function stepOptions(at: StepAt, generator: NoiseGenerator): StepOptions {
  const { schedule, position } = at;
  const options: StepOptions = { generator, eta: at.eta };
  // unCLIP steps to the schedule's next timestep (not t - 1), as diffusers' unCLIP pipelines pass it.
  if (schedule.name === 'UnCLIPScheduler' && position + 1 < schedule.timesteps.length) {
    options.prevTimestep = schedule.timesteps[position + 1];
  }
  return options;
}

function stepFailure(nodeId: string, error: unknown): Error {
  return new Error(`node "${nodeId}": ${error instanceof Error ? error.message : String(error)}`);
}

function stepOnHost(at: StepAt, modelOutput: Tensor<'float32'>, sample: Tensor<'float32'>, sampleValue: LatentValue) {
  const { schedule, state, position } = at;
  const scheduler = workingCopy(schedule.scheduler);
  const generator = new DrawOnCopy(state.generator);
  const options = stepOptions(at, generator);
  let result;
  let after;
  try {
    // The position is known exactly: never look it up by timestep value (schedules may repeat one).
    ({ result, state: after } = scheduler.stepFrom(state.state, position, modelOutput, schedule.timesteps[position], sample, options));
  } catch (error) {
    throw stepFailure(at.nodeId, error);
  }
  const next: SchedulerStateValue = { ...state, position: position + 1, state: after, generator: generator.copy ?? state.generator };
  return {
    sample: { ...sampleValue, samples: result.prevSample },
    state: next,
    denoised: { ...sampleValue, samples: result.predOriginalSample ?? result.prevSample },
  };
}

/**
 * A step with a resident input: on its device where the scheduler has that path (see `residentInputs`
 * above), else on host copies.
 */
async function stepResident(at: StepAt, modelOutputValue: LatentValue, sampleValue: LatentValue) {
  const modelOutput = requireLatentSamplesAnywhere(modelOutputValue, at.nodeId, 'model_output');
  const sample = requireLatentSamplesAnywhere(sampleValue, at.nodeId, 'sample');
  const device = deviceOf(modelOutput, sample)!;
  const scheduler = at.schedule.scheduler.clone();
  scheduler.setState({ ...at.state.state, stepIndex: at.position });
  // Stochastic device steps (Euler ancestral) draw their noise from the carried generator, as on the host.
  const generator = at.state.generator.clone();
  let onDevice;
  try {
    onDevice = await scheduler.stepOnDevice?.(device, modelOutput, at.schedule.timesteps[at.position], sample, stepOptions(at, generator));
  } catch (error) {
    throw stepFailure(at.nodeId, error);
  }
  if (!onDevice) {
    const [m, s] = await Promise.all([toHost(modelOutput), toHost(sample)]);
    return stepOnHost(await withHostHistory(at), m, s, sampleValue);
  }
  const next: SchedulerStateValue = { ...at.state, position: at.position + 1, state: scheduler.getState(), generator };
  return {
    sample: latentWithSamples(sampleValue, onDevice.prevSample),
    state: next,
    denoised: latentWithSamples(sampleValue, onDevice.predOriginalSample ?? onDevice.prevSample),
  };
}

/**
 * `at` with the scheduler state's resident values (DPM's x0 history, PNDM's model outputs,
 * running Runge-Kutta sum and saved sample, LMS's derivatives, Heun's derivative and saved
 * sample, left by device steps) copied to the host, for a step on the host.
 */
async function withHostHistory(at: StepAt): Promise<StepAt> {
  const st = at.state.state;
  if (!hasResidentState(st)) return at;
  const host = async <T,>(v: T) => (isResident(v) ? (await v.download()).data : v);
  const history = await Promise.all(st.history.map(host));
  const state = {
    ...st,
    history,
    prevDerivative: await host(st.prevDerivative),
    savedSample: await host(st.savedSample),
    curSample: await host(st.curSample),
    curModelOutput: await host(st.curModelOutput),
  };
  return { ...at, state: { ...at.state, state } };
}

function hasResidentState(st: SchedulerStateValue['state']): boolean {
  return (
    st.history.some(isResident) || isResident(st.prevDerivative) || isResident(st.savedSample) || isResident(st.curSample) || isResident(st.curModelOutput)
  );
}
