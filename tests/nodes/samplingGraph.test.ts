/**
 * The sampling nodes through the engine and a repeat zone, against diffusers' full-loop values:
 * a stand-in denoiser node (diffusers' dummy model, sample * t / (t + 1)) defined here only.
 */
import { describe, expect, it } from 'vitest';
import { defineNode } from '../../nodes/define.ts';
import { ALL_NODES } from '../../nodes/index.ts';
import { createEngine } from '../../src/engine/index.ts';
import { createRegistry } from '../../src/graph/registry.ts';
import type { GraphDocument, GraphEdge, GraphNode } from '../../src/graph/document.ts';
import type { LatentValue } from '../../nodes/types.ts';
import { dummyModel, dummySampleDeter, meanAbs, sumAbs } from '../diffusion/schedulerFixtures.ts';

let modelRuns = 0;
const testModel = defineNode({
  type: 'test/dummy-denoiser',
  version: 1,
  title: 'Dummy denoiser',
  category: 'test',
  description: "diffusers' scheduler-test model: sample * t / (t + 1).",
  inputs: { latent: { type: 'LATENT' }, timestep: { type: 'FLOAT' } },
  outputs: { noise_pred: { type: 'LATENT' } },
  params: {},
  run(_ctx, inputs) {
    modelRuns++;
    return { noise_pred: { samples: dummyModel(inputs.latent.samples, inputs.timestep) } };
  },
});
const fixtureLatent = defineNode({
  type: 'test/fixture-latent',
  version: 1,
  title: 'Fixture latent',
  category: 'test',
  description: "diffusers' dummy_sample_deter as a LATENT and as NOISE.",
  inputs: {},
  outputs: { latent: { type: 'LATENT' }, noise: { type: 'NOISE' } },
  params: {},
  run() {
    return { latent: { samples: dummySampleDeter() }, noise: dummySampleDeter() };
  },
});
const sink = defineNode({
  type: 'test/sink', version: 1, title: 'Sink', category: 'test', description: 'Output.', isOutput: true,
  inputs: { value: { type: 'ANY' } }, outputs: { value: { type: 'ANY' } }, params: {},
  run: (_ctx, inputs) => ({ value: inputs.value }),
});
const registry = createRegistry([...ALL_NODES, testModel, fixtureLatent, sink]);

const n = (id: string, type: string, params: Record<string, unknown> = {}, zone?: string): GraphNode =>
  ({ id, type, version: 1, params, ...(zone ? { zone } : {}) });
const edges = (specs: string[]): GraphEdge[] =>
  specs.map((s) => {
    const [from, to] = s.split('->');
    const [fn, fp] = from.split('.');
    const [tn, tp] = to.split('.');
    return { from: { node: fn, port: fp }, to: { node: tn, port: tp } };
  });

/** scheduler → init-state · start latent → zone { scale-input → model → step } → sink. */
function samplingGraph(scheduler: string, config: Record<string, unknown>, opts: { seed?: number; fromNoise?: boolean; steps?: number; stepOnScaled?: boolean } = {}): GraphDocument {
  const state = [{ name: 'latent', type: 'LATENT' }, { name: 'state', type: 'SCHEDULER_STATE' }];
  const nodes = [
    n('sched', 'sampling/scheduler', { scheduler, steps: opts.steps ?? 10, denoise: 1, sigma_schedule: 'default', config: JSON.stringify(config) }),
    n('init', 'sampling/init-state', { seed: opts.seed ?? 0 }),
    n('fixture', 'test/fixture-latent'),
    n('rin', 'flow/repeat-input', { state }, 'loop'),
    n('scale', 'sampling/scale-input', {}, 'loop'),
    n('model', 'test/dummy-denoiser', {}, 'loop'),
    n('step', 'sampling/step', { eta: 0 }, 'loop'),
    n('rout', 'flow/repeat-output', { state }, 'loop'),
    n('out', 'test/sink'),
  ];
  const wires = [
    'sched.schedule->init.schedule', 'sched.steps->rin.count', 'init.state->rin.state',
    'sched.schedule->scale.schedule', 'rin.latent->scale.latent', 'rin.state->scale.state',
    'scale.latent->model.latent', 'scale.timestep->model.timestep',
    'sched.schedule->step.schedule', 'rin.state->step.state', 'model.noise_pred->step.model_output',
    opts.stepOnScaled ? 'scale.latent->step.sample' : 'rin.latent->step.sample', 'rin.index->step.index',
    'step.sample->rout.latent', 'step.state->rout.state', 'rout.latent->out.value',
  ];
  if (opts.fromNoise) {
    nodes.push(n('start', 'sampling/add-noise'));
    wires.push('sched.schedule->start.schedule', 'fixture.noise->start.noise', 'start.latent->rin.latent');
  } else {
    wires.push('fixture.latent->rin.latent');
  }
  return { format: 'latentloom.graph', version: 1, meta: {}, models: {}, nodes, edges: edges(wires) };
}

async function runLatent(graph: GraphDocument, engine = createEngine({ registry })) {
  const result = await engine.run(graph);
  expect(result.error).toBeUndefined();
  return (result.outputs.out.value as LatentValue).samples;
}

const DDIM = { num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear', clip_sample: true };
const SIGMA = { num_train_timesteps: 1100, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' };

describe('sampling nodes in a repeat zone', () => {
  it('reproduces the DDIM loop: 172.0067 / 0.223967', async () => {
    modelRuns = 0;
    const x = await runLatent(samplingGraph('DDIMScheduler', DDIM));
    expect(Math.abs(sumAbs(x) - 172.0067)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(x) - 0.223967)).toBeLessThan(1e-3);
    expect(modelRuns).toBe(10);
  });
  // diffusers' Euler-family test loops overwrite `sample` with scale_model_input's result and step
  // on it; wiring the scaled latent into the step's `sample` reproduces that loop.
  it('reproduces Euler with init noise sigma and input scaling: 10.0807 / 0.0131', async () => {
    const x = await runLatent(samplingGraph('EulerDiscreteScheduler', SIGMA, { fromNoise: true, stepOnScaled: true }));
    expect(Math.abs(sumAbs(x) - 10.0807)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(x) - 0.0131)).toBeLessThan(1e-3);
  });
  it('carries the seeded generator: Euler ancestral with seed 0 gives 152.3192 / 0.1983', async () => {
    const x = await runLatent(samplingGraph('EulerAncestralDiscreteScheduler', SIGMA, { fromNoise: true, seed: 0, stepOnScaled: true }));
    expect(Math.abs(sumAbs(x) - 152.3192)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(x) - 0.1983)).toBeLessThan(1e-3);
    const other = await runLatent(samplingGraph('EulerAncestralDiscreteScheduler', SIGMA, { fromNoise: true, seed: 1, stepOnScaled: true }));
    expect(sumAbs(other)).not.toBeCloseTo(sumAbs(x), 3);
  });
  it('runs multistep state (PNDM PRK + PLMS, 19 iterations): 198.1318 / 0.2580', async () => {
    modelRuns = 0;
    const x = await runLatent(samplingGraph('PNDMScheduler', { num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' }));
    expect(modelRuns).toBe(19);
    expect(Math.abs(sumAbs(x) - 198.1318)).toBeLessThan(1e-2);
  });
  it('runs Heun (two evaluations per step) and LMS: 0.1233 / 0.0002 and 1006.388 / 1.31', async () => {
    modelRuns = 0;
    const heun = await runLatent(samplingGraph('HeunDiscreteScheduler', SIGMA, { fromNoise: true, stepOnScaled: true }));
    expect(modelRuns).toBe(19);
    expect(Math.abs(sumAbs(heun) - 0.1233)).toBeLessThan(1e-2);
    const lms = await runLatent(samplingGraph('LMSDiscreteScheduler', SIGMA, { fromNoise: true, stepOnScaled: true }));
    expect(Math.abs(sumAbs(lms) - 1006.388)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(lms) - 1.31)).toBeLessThan(1e-3);
  });
  it('runs DPM-Solver++ 2M: mean 0.3301', async () => {
    const config = { lower_order_final: false, final_sigmas_type: 'sigma_min' };
    const x = await runLatent(samplingGraph('DPMSolverMultistepScheduler', config));
    expect(Math.abs(meanAbs(x) - 0.3301)).toBeLessThan(1e-3);
  });
  it('runs 1000 DDPM steps drawing from the carried generator: 258.9606 / 0.3372', async () => {
    const config = { num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear', variance_type: 'fixed_small', clip_sample: true };
    const x = await runLatent(samplingGraph('DDPMScheduler', config, { steps: 1000, seed: 0 }));
    expect(Math.abs(sumAbs(x) - 258.9606)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(x) - 0.3372)).toBeLessThan(1e-3);
  });
  it('serves a second identical run from the cache with the same result', async () => {
    const engine = createEngine({ registry });
    const first = await runLatent(samplingGraph('DPMSolverMultistepScheduler', {}), engine);
    modelRuns = 0;
    const result = await engine.run(samplingGraph('DPMSolverMultistepScheduler', {}));
    expect(result.stats.executed).toBe(0);
    expect(modelRuns).toBe(0);
    expect(Array.from((result.outputs.out.value as LatentValue).samples.data)).toEqual(Array.from(first.data));
  });
  it('names the node when the scheduler config is bad', async () => {
    const g = samplingGraph('DDIMScheduler', {});
    g.nodes[0].params.config = '{"beta_schedule": "cosine"}';
    const result = await createEngine({ registry }).run(g);
    expect(result.error?.node).toBe('sched');
    expect(result.error?.message).toMatch(/"beta_schedule" must be one of/);
  });
});
