/**
 * The resident-tensor path through a repeat zone, on onnxruntime-node with `resident: true` (the
 * WebGPU path's logic on the CPU: UNet outputs kept as onnxruntime tensors, CFG, scale-input and
 * the scheduler step as the device graphs, the latent downloaded once at the end): toy-txt2img
 * gives the host path's picture and copies to the host once per run instead of every step.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/engine.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { residentStats } from '../../src/tensor/resident.ts';

const ROOT = join(import.meta.dirname, '../..');
type Json = { nodes: { id: string; type: string; params: Record<string, unknown> }[]; edges: { from: { node: string; port: string }; to: { node: string; port: string } }[] };

function toyGraph(steps: number, scheduler = 'auto', config?: Record<string, unknown>): Json {
  const graph = JSON.parse(readFileSync(join(ROOT, 'graphs/toy-txt2img.json'), 'utf8')) as Json;
  Object.assign(graph.nodes.find((n) => n.id === 'scheduler')!.params, { steps, scheduler, ...(config ? { config: JSON.stringify(config) } : {}) });
  return graph;
}

/** The same graph with the scheduler step's eta set. */
function withStepEta(graph: Json, eta: number): Json {
  Object.assign(graph.nodes.find((n) => n.id === 'step')!.params, { eta });
  return graph;
}

/** The same graph with one denoise node making both predictions in one batch-2 call. */
function batchedCfg(graph: Json): Json {
  const g = structuredClone(graph);
  g.nodes = g.nodes.filter((n) => n.id !== 'denoise_negative');
  g.edges = g.edges.filter((e) => e.from.node !== 'denoise_negative' && e.to.node !== 'denoise_negative');
  g.edges.push({ from: { node: 'text_encoding', port: 'negative' }, to: { node: 'denoise', port: 'negative' } });
  g.edges.push({ from: { node: 'denoise', port: 'noise_pred_uncond' }, to: { node: 'cfg', port: 'uncond' } });
  return g;
}

async function decode(graph: Json, runtime: Runtime): Promise<Float32Array> {
  const loaded = loadGraph(graph);
  if (!loaded.ok) throw new Error(`graph does not load: ${JSON.stringify(loaded).slice(0, 300)}`);
  const result = await createEngine({ registry: defaultRegistry(), services: { runtime } }).run(loaded.graph, { outputs: ['decode'] });
  if (!result.ok) throw new Error(`run failed at ${result.error?.node}: ${result.error?.message}`);
  return (result.outputs.decode.image as { data: Float32Array }).data;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('resident tensors through the sampling zone (onnxruntime-node)', () => {
  const host = createNodeRuntime({ backend: createNodeBackend() });
  const resident = createNodeRuntime({ backend: createNodeBackend({ resident: true }) });

  it.each([
    ['DDIM (the toy default), two denoise nodes', toyGraph(20)],
    ['Euler', toyGraph(20, 'EulerDiscreteScheduler')],
    ['Euler ancestral (noise from the carried generator)', toyGraph(20, 'EulerAncestralDiscreteScheduler')],
    ['DPM++ 2M (resident x0 history)', toyGraph(20, 'DPMSolverMultistepScheduler')],
    ['Heun (resident derivative and saved sample; 39 evaluations)', toyGraph(20, 'HeunDiscreteScheduler')],
    // The final state keeps PNDM's last four model outputs and LMS's last four derivatives.
    ['PNDM with skip_prk_steps, as SD 1.5 ships it (resident model outputs and saved sample)', toyGraph(20, 'PNDMScheduler', { skip_prk_steps: true }), 5],
    ['LMS (resident derivative history)', toyGraph(20, 'LMSDiscreteScheduler'), 5],
    ['DDIM, CFG in one batch-2 call', batchedCfg(toyGraph(20))],
    ['DDIM with eta 0.5 (noise from the carried generator)', withStepEta(toyGraph(20), 0.5)],
    ["DDIM, clip_sample (DDIMScheduler's own default)", toyGraph(20, 'DDIMScheduler', { clip_sample: true, clip_sample_range: 0.5 })],
    ['Heun, clip_sample', toyGraph(20, 'HeunDiscreteScheduler', { clip_sample: true, clip_sample_range: 0.5 })],
    ['DPM-Solver (algorithm_type dpmsolver) 2M', toyGraph(20, 'DPMSolverMultistepScheduler', { algorithm_type: 'dpmsolver', final_sigmas_type: 'sigma_min' })],
    ['DDPM with dynamic thresholding (as DeepFloyd IF ships it)', toyGraph(20, 'DDPMScheduler', { thresholding: true, sample_max_value: 1.5 })],
    ['DPM++ 2M with dynamic thresholding', toyGraph(20, 'DPMSolverMultistepScheduler', { thresholding: true, sample_max_value: 1.5 })],
    ['DDIM, clip_sample, v_prediction, eta 0.5', withStepEta(toyGraph(20, 'DDIMScheduler', { clip_sample: true, prediction_type: 'v_prediction' }), 0.5)],
    ['DDPM (fixed_small variance, noise from the carried generator)', toyGraph(20, 'DDPMScheduler')],
    ['DDPM, clip_sample', toyGraph(20, 'DDPMScheduler', { clip_sample: true, clip_sample_range: 1 })],
    ['unCLIP (fixed_small_log variance)', toyGraph(20, 'UnCLIPScheduler', { variance_type: 'fixed_small_log' })],
    ['LCM (renoised from the carried generator)', toyGraph(20, 'LCMScheduler')],
    // SD 2.x 768 models predict v (the toy UNet does not, but the steps' arithmetic is the same).
    ['DDIM, v_prediction (SD 2.1 ships this)', toyGraph(20, 'DDIMScheduler', { prediction_type: 'v_prediction' })],
    ['DDIM, v_prediction, eta 0.5', withStepEta(toyGraph(20, 'DDIMScheduler', { prediction_type: 'v_prediction' }), 0.5)],
    ['Euler, v_prediction', toyGraph(20, 'EulerDiscreteScheduler', { prediction_type: 'v_prediction' })],
    ['Euler ancestral, v_prediction', toyGraph(20, 'EulerAncestralDiscreteScheduler', { prediction_type: 'v_prediction' })],
    ['DPM++ 2M, v_prediction', toyGraph(20, 'DPMSolverMultistepScheduler', { prediction_type: 'v_prediction' })],
    ['PNDM with skip_prk_steps, v_prediction', toyGraph(20, 'PNDMScheduler', { skip_prk_steps: true, prediction_type: 'v_prediction' }), 5],
    ['LMS, v_prediction', toyGraph(20, 'LMSDiscreteScheduler', { prediction_type: 'v_prediction' }), 5],
    ['Heun, v_prediction', toyGraph(20, 'HeunDiscreteScheduler', { prediction_type: 'v_prediction' })],
    ['DDPM, v_prediction', toyGraph(20, 'DDPMScheduler', { prediction_type: 'v_prediction' })],
    ['LCM, v_prediction', toyGraph(20, 'LCMScheduler', { prediction_type: 'v_prediction' })],
  ] as [string, Json, number?][])('%s: 20 steps give the host picture with one download', async (_name, graph, live = 3) => {
    const expected = await decode(graph, host);
    const before = { ...residentStats };
    const image = await decode(graph, resident);
    const downloads = residentStats.downloads - before.downloads;
    const created = residentStats.created - before.created;
    const disposed = residentStats.disposed - before.disposed;
    const diff = maxAbsDiff(image, expected);
    console.log(`${_name}: max |resident − host| = ${diff}; ${downloads} download(s), ${created} resident tensors made, ${disposed} disposed in the loop`);
    // The zone frees what no later step needs: only the final state (cached) outlives the loop.
    expect(created - disposed).toBeLessThanOrEqual(live);
    // Same float32 operations in the same order on the same CPU: the same picture.
    expect(diff).toBeLessThanOrEqual(1e-6);
    expect(downloads).toBe(1);
    expect(residentStats.created - before.created).toBeGreaterThanOrEqual(20 * 3);
  });

  it.each(['epsilon', 'v_prediction'])('DPM++ 3M (%s): every order on the device from the resident x0 history, one download', async (prediction_type) => {
    const graph = toyGraph(16, 'DPMSolverMultistepScheduler', { solver_order: 3, prediction_type });
    const expected = await decode(graph, host);
    const before = residentStats.downloads;
    expect(maxAbsDiff(await decode(graph, resident), expected)).toBeLessThanOrEqual(1e-6);
    expect(residentStats.downloads - before).toBe(1);
  });

  it.each(['epsilon', 'v_prediction'])('PNDM with the Runge-Kutta warm-up (%s): the 12 warm-up sub-steps and the multistep steps on the device, one download', async (prediction_type) => {
    const graph = toyGraph(10, 'PNDMScheduler', { skip_prk_steps: false, prediction_type });
    const expected = await decode(graph, host);
    const before = { ...residentStats };
    expect(maxAbsDiff(await decode(graph, resident), expected)).toBeLessThanOrEqual(1e-6);
    expect(residentStats.downloads - before.downloads).toBe(1);
    // 12 + 7 steps; what outlives the loop: the final state's four model outputs and saved sample, and the latent.
    expect(residentStats.created - before.created).toBeGreaterThanOrEqual(19 * 3);
    expect(residentStats.created - before.created - (residentStats.disposed - before.disposed)).toBeLessThanOrEqual(6);
  });

  it('falls back to the host for steps it has no device path for (LMS on a sample-predicting model), with the same picture', async () => {
    const graph = toyGraph(5, 'LMSDiscreteScheduler', { prediction_type: 'sample' });
    const expected = await decode(graph, host);
    const before = residentStats.downloads;
    expect(maxAbsDiff(await decode(graph, resident), expected)).toBeLessThanOrEqual(1e-6);
    // Each step downloads the guided prediction (the sample is then on the host already).
    expect(residentStats.downloads - before).toBeGreaterThanOrEqual(5);
  });
});

describe('resident tensors across zones and example graphs (onnxruntime-node)', () => {
  const host = createNodeRuntime({ backend: createNodeBackend() });
  const resident = createNodeRuntime({ backend: createNodeBackend({ resident: true }) });

  /** Every output node's PNGs of a shipped graph, run with every output node as a target. */
  async function pngs(name: string, runtime: Runtime): Promise<Record<string, number[][]>> {
    const loaded = loadGraph(JSON.parse(readFileSync(join(ROOT, 'graphs', name), 'utf8')));
    if (!loaded.ok) throw new Error(`graphs/${name} does not load`);
    const result = await createEngine({ registry: defaultRegistry(), services: { runtime } }).run(loaded.graph);
    if (!result.ok) throw new Error(`graphs/${name}: run failed at ${result.error?.node}: ${result.error?.message}`);
    const out: Record<string, number[][]> = {};
    for (const [id, outputs] of Object.entries(result.outputs)) {
      const png = outputs.png as Uint8Array[] | undefined;
      if (png) out[id] = png.map((p) => Array.from(p));
    }
    return out;
  }

  // The cascade hands one zone's resident latent to the next zone's initial state; img2img starts
  // mid-schedule; the scheduler comparison mixes device steps with host fallbacks; classifier
  // guidance reads the prediction on the host (the engine downloads it) between device nodes.
  it.each(['toy-cascade.json', 'toy-img2img.json', 'toy-schedulers.json', 'toy-classifier-guidance.json', 'toy-upscale.json'])('%s: the same pictures as the host path', async (name) => {
    const expected = await pngs(name, host);
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    expect(await pngs(name, resident)).toEqual(expected);
  });
});
