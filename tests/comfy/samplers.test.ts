/**
 * KSamplerAdvanced cuts and the split-sampler family (KSamplerSelect, BasicScheduler,
 * KarrasScheduler, RandomNoise, DisableNoise, CFGGuider, BasicGuider, SamplerCustom,
 * SamplerCustomAdvanced): conversion, and runs on the toy model against a plain KSampler.
 */
import { importComfyWorkflow, readWidgets } from '../../src/interop/comfy/index.ts';
import { sigmaRange } from '../../nodes/sampling/scheduler.ts';
import { readPicture } from '../toy/analysis.ts';
import { engineFor, nodeRuntime, pngImage, runForPngs } from '../toy/graphRunner.ts';
import { convert, fixture, shape } from './helpers.ts';
import type { GraphDocument } from '../../src/graph/document.ts';

type Api = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** txt2img with KSampler "3" at 64×64 on toy-shapes, euler normal, seed 42, cfg 7.5. */
function ksampler(steps: number): Api {
  const w = fixture('txt2img-api.json') as Api;
  w['3'].inputs.steps = steps;
  return w;
}

/** The same workflow with SamplerCustomAdvanced in place of KSampler "3". */
function customAdvanced(steps: number, sampler = 'euler', scheduler = 'normal'): Api {
  const w = ksampler(steps);
  w['3'] = { class_type: 'SamplerCustomAdvanced', inputs: { noise: ['20', 0], guider: ['21', 0], sampler: ['22', 0], sigmas: ['23', 0], latent_image: ['5', 0] } };
  w['20'] = { class_type: 'RandomNoise', inputs: { noise_seed: 42 } };
  w['21'] = { class_type: 'CFGGuider', inputs: { model: ['4', 0], positive: ['6', 0], negative: ['7', 0], cfg: 7.5 } };
  w['22'] = { class_type: 'KSamplerSelect', inputs: { sampler_name: sampler } };
  w['23'] = { class_type: 'BasicScheduler', inputs: { model: ['4', 0], scheduler, steps, denoise: 1 } };
  return w;
}

function advanced(inputs: Record<string, unknown>, latent: [string, number]): Api[string] {
  return {
    class_type: 'KSamplerAdvanced',
    inputs: {
      add_noise: 'enable', noise_seed: 42, steps: 20, cfg: 7.5, sampler_name: 'euler', scheduler: 'normal',
      start_at_step: 0, end_at_step: 10000, return_with_leftover_noise: 'disable',
      model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: latent, ...inputs,
    },
  };
}

async function pictures(graphs: GraphDocument[]): Promise<Uint8Array[]> {
  const runtime = nodeRuntime();
  try {
    const engine = engineFor(runtime);
    const out: Uint8Array[] = [];
    for (const g of graphs) out.push(...Object.values(await runForPngs(engine, g)).flat());
    return out;
  } finally {
    await runtime.release();
  }
}

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

const of = (g: GraphDocument, type: string) => g.nodes.filter((n) => n.type === type);

describe('ComfyUI split samplers: conversion', () => {
  it('SamplerCustomAdvanced builds the KSampler zone, carrying the x0 prediction too', () => {
    const g = convert(customAdvanced(10));
    const plain = convert(ksampler(10));
    expect(of(g, 'sampling/scheduler')[0].params).toEqual(of(plain, 'sampling/scheduler')[0].params);
    expect(of(g, 'noise/gaussian')[0].params).toEqual(of(plain, 'noise/gaussian')[0].params);
    expect(of(g, 'guidance/cfg')[0].params).toMatchObject({ scale: 7.5 });
    expect(of(g, 'diffusion/denoise')).toHaveLength(2);
    expect((of(g, 'flow/repeat-input')[0].params.state as { name: string }[]).map((s) => s.name)).toEqual(['latent', 'state', 'denoised']);
  });

  it('SamplerCustom takes model, add_noise, noise_seed, cfg and the conditioning itself', () => {
    const w = customAdvanced(8, 'dpmpp_2m', 'karras');
    w['3'] = {
      class_type: 'SamplerCustom',
      inputs: { model: ['4', 0], add_noise: true, noise_seed: 7, cfg: 5, positive: ['6', 0], negative: ['7', 0], sampler: ['22', 0], sigmas: ['23', 0], latent_image: ['5', 0] },
    };
    const g = convert(w);
    expect(of(g, 'sampling/scheduler')[0].params).toMatchObject({ scheduler: 'DPMSolverMultistepScheduler', sigma_schedule: 'karras', steps: 8 });
    expect(of(g, 'noise/gaussian')[0].params.seed).toBe(7);
    expect(of(g, 'sampling/init-state')[0].params.seed).toBe(7);
    expect(of(g, 'guidance/cfg')[0].params.scale).toBe(5);
    (w['3'].inputs as Record<string, unknown>).add_noise = false;
    const quiet = convert(w);
    expect(of(quiet, 'noise/gaussian')).toHaveLength(0);
    expect(of(quiet, 'sampling/add-noise')).toHaveLength(0);
  });

  it('BasicGuider is one denoiser call per step and no CFG; DisableNoise adds no noise', () => {
    const w = customAdvanced(10);
    w['21'] = { class_type: 'BasicGuider', inputs: { model: ['4', 0], conditioning: ['6', 0] } };
    w['20'] = { class_type: 'DisableNoise', inputs: {} };
    const g = convert(w);
    expect(of(g, 'diffusion/denoise')).toHaveLength(1);
    expect(of(g, 'guidance/cfg')).toHaveLength(0);
    expect(of(g, 'noise/gaussian')).toHaveLength(0);
    const step = of(g, 'sampling/step')[0].id;
    expect(g.edges.some((e) => e.to.node === step && e.to.port === 'model_output' && e.from.port === 'noise_pred')).toBe(true);
  });

  it('BasicScheduler at denoise < 1 runs the tail of a longer schedule, as KSampler does', () => {
    const w = customAdvanced(6);
    w['23'].inputs.denoise = 0.5;
    expect(of(convert(w), 'sampling/scheduler')[0].params).toMatchObject({ steps: 12, denoise: 0.5 });
  });

  it('KarrasScheduler at its defaults is the model\'s karras schedule; other values are refused by node and class', () => {
    const w = customAdvanced(10);
    w['23'] = { class_type: 'KarrasScheduler', inputs: { steps: 9, sigma_max: 14.614642, sigma_min: 0.0291675, rho: 7 } };
    const result = importComfyWorkflow(w);
    expect(result.warnings.some((m) => /node 23 \(KarrasScheduler\)/.test(m))).toBe(true);
    expect(of(convert(w), 'sampling/scheduler')[0].params).toMatchObject({ sigma_schedule: 'karras', steps: 9 });
    w['23'].inputs.rho = 3;
    expect(() => importComfyWorkflow(w)).toThrow(/node 23 \(KarrasScheduler\): rho 3 is not supported/);
  });

  it('wrong kinds of input are named: a SIGMAS where a SAMPLER goes', () => {
    const w = customAdvanced(10);
    w['3'].inputs.sampler = ['23', 0];
    expect(() => importComfyWorkflow(w)).toThrow(/node 3 \(SamplerCustomAdvanced\): input sampler must be a SAMPLER \(KSamplerSelect\), not a SIGMAS/);
    const u = customAdvanced(10);
    u['22'].inputs.sampler_name = 'dpmpp_sde';
    expect(() => importComfyWorkflow(u)).toThrow(/node 22 \(KSamplerSelect\): sampler_name "dpmpp_sde" is not supported/);
  });

  it('sampler_name lcm runs diffusers\' LCMScheduler (with a warning)', () => {
    const w = ksampler(4);
    Object.assign(w['3'].inputs, { sampler_name: 'lcm', scheduler: 'sgm_uniform', cfg: 1.5 });
    const result = importComfyWorkflow(w);
    expect(result.warnings.some((m) => /node 3 \(KSampler\): lcm runs diffusers' LCMScheduler/.test(m))).toBe(true);
    expect(of(convert(w), 'sampling/scheduler')[0].params).toMatchObject({ scheduler: 'LCMScheduler', sigma_schedule: 'default', steps: 4 });
    w['3'].inputs.scheduler = 'karras';
    expect(() => importComfyWorkflow(w)).toThrow(/node 3 \(KSampler\): sampler lcm takes scheduler normal or sgm_uniform or simple or ddim_uniform here, not "karras"/);
  });

  it('KSamplerAdvanced cuts: start / end / leftover noise on the scheduler; add_noise disable starts from the latent', () => {
    const w = ksampler(20);
    w['3'] = advanced({ end_at_step: 10, return_with_leftover_noise: 'enable' }, ['5', 0]);
    w['11'] = advanced({ add_noise: 'disable', start_at_step: 10 }, ['3', 0]);
    w['8'].inputs.samples = ['11', 0];
    const g = convert(w);
    const first = g.nodes.find((n) => n.id === 'n3_scheduler')!;
    const second = g.nodes.find((n) => n.id === 'n11_scheduler')!;
    expect(first.params).toMatchObject({ steps: 20, start_at_step: 0, end_at_step: 10, leftover_noise: true });
    expect(second.params).toMatchObject({ steps: 20, start_at_step: 10, end_at_step: 10000, leftover_noise: false });
    expect(g.nodes.some((n) => n.id === 'n11_noise' || n.id === 'n11_start')).toBe(false);
    expect(g.edges.some((e) => e.from.node === 'n3_loop_out' && e.to.node === 'n11_loop_in' && e.to.port === 'latent')).toBe(true);
    w['3'].inputs.sampler_name = 'heun';
    expect(() => importComfyWorkflow(w)).toThrow(/node 3 \(KSamplerAdvanced\): return_with_leftover_noise "enable" with sampler heun is not supported/);
    w['3'].inputs.sampler_name = 'euler';
    w['11'].inputs.sampler_name = 'ddim';
    expect(() => importComfyWorkflow(w)).toThrow(/node 11 \(KSamplerAdvanced\): sampler ddim runs over the whole schedule only here/);
    w['11'].inputs.add_noise = 'maybe';
    expect(() => importComfyWorkflow(w)).toThrow(/node 11 \(KSamplerAdvanced\): add_noise must be "enable" or "disable"/);
  });

  it('sigmaRange cuts a schedule as ComfyUI\'s KSamplerAdvanced does', () => {
    const s = Float32Array.from([5, 4, 3, 2, 1, 0]);
    expect(Array.from(sigmaRange(s, 0, 3, false))).toEqual([5, 4, 3, 0]);
    expect(Array.from(sigmaRange(s, 0, 3, true))).toEqual([5, 4, 3, 2]);
    expect(Array.from(sigmaRange(s, 3, 10000, false))).toEqual([2, 1, 0]);
    expect(Array.from(sigmaRange(s, 1, 4, true))).toEqual([4, 3, 2, 1]);
    expect(Array.from(sigmaRange(s, 0, 10000, true))).toEqual([5, 4, 3, 2, 1, 0]);
    expect(() => sigmaRange(s, 5, 10000, false)).toThrow(/leaves no step/);
  });

  it('UI widget orders: RandomNoise and SamplerCustom skip the control value after noise_seed', () => {
    expect(readWidgets('RandomNoise', [42, 'randomize'])).toEqual({ noise_seed: 42 });
    expect(readWidgets('SamplerCustom', [true, 42, 'fixed', 7.5])).toEqual({ add_noise: true, noise_seed: 42, cfg: 7.5 });
    expect(readWidgets('BasicScheduler', ['karras', 20, 1])).toEqual({ scheduler: 'karras', steps: 20, denoise: 1 });
    expect(readWidgets('KarrasScheduler', [20, 14.614642, 0.0291675, 7])).toEqual({ steps: 20, sigma_max: 14.614642, sigma_min: 0.0291675, rho: 7 });
    expect(readWidgets('KSamplerSelect', ['euler'])).toEqual({ sampler_name: 'euler' });
    expect(readWidgets('CFGGuider', [8])).toEqual({ cfg: 8 });
  });
});

describe('ComfyUI split samplers: UI format', () => {
  it('a UI-format SamplerCustomAdvanced workflow converts as its API form does', () => {
    interface UiNode { id: number; type: string; mode: number; inputs?: { name: string; type: string; link: number | null }[]; outputs?: unknown[]; widgets_values?: unknown[] }
    const ui = fixture('txt2img-ui.json') as unknown as { nodes: UiNode[]; links: unknown[][]; last_link_id?: number };
    const linkTo = (id: number, from: number, slot: number, to: number, toSlot: number, type: string) => ui.links.push([id, from, slot, to, toSlot, type]);
    const k = ui.nodes.find((n) => n.type === 'KSampler')!;
    const byName = Object.fromEntries(k.inputs!.map((i) => [i.name, ui.links.find((l) => l[0] === i.link)!]));
    const model = byName.model;
    const latent = byName.latent_image;
    const pos = byName.positive;
    const neg = byName.negative;
    ui.links = ui.links.filter((l) => l[3] !== 3);
    linkTo(101, 20, 0, 3, 0, 'NOISE');
    linkTo(102, 21, 0, 3, 1, 'GUIDER');
    linkTo(103, 22, 0, 3, 2, 'SAMPLER');
    linkTo(104, 23, 0, 3, 3, 'SIGMAS');
    linkTo(105, latent[1] as number, latent[2] as number, 3, 4, 'LATENT');
    linkTo(106, model[1] as number, model[2] as number, 21, 0, 'MODEL');
    linkTo(107, pos[1] as number, pos[2] as number, 21, 1, 'CONDITIONING');
    linkTo(108, neg[1] as number, neg[2] as number, 21, 2, 'CONDITIONING');
    linkTo(109, model[1] as number, model[2] as number, 23, 0, 'MODEL');
    Object.assign(k, {
      type: 'SamplerCustomAdvanced', widgets_values: [],
      inputs: [['noise', 'NOISE', 101], ['guider', 'GUIDER', 102], ['sampler', 'SAMPLER', 103], ['sigmas', 'SIGMAS', 104], ['latent_image', 'LATENT', 105]].map(([name, type, link]) => ({ name, type, link })),
    });
    ui.nodes.push(
      { id: 20, type: 'RandomNoise', mode: 0, widgets_values: [42, 'fixed'] },
      { id: 21, type: 'CFGGuider', mode: 0, inputs: [{ name: 'model', type: 'MODEL', link: 106 }, { name: 'positive', type: 'CONDITIONING', link: 107 }, { name: 'negative', type: 'CONDITIONING', link: 108 }], widgets_values: [7.5] },
      { id: 22, type: 'KSamplerSelect', mode: 0, widgets_values: ['euler'] },
      { id: 23, type: 'BasicScheduler', mode: 0, inputs: [{ name: 'model', type: 'MODEL', link: 109 }], widgets_values: ['normal', 10, 1] },
    );
    expect(shape(convert(ui))).toEqual(shape(convert(customAdvanced(10))));
  });
});

describe('ComfyUI split samplers: runs on the toy model', () => {
  it('SamplerCustomAdvanced (RandomNoise, CFGGuider, euler, BasicScheduler normal) draws exactly what KSampler draws', async () => {
    const custom = customAdvanced(10);
    // denoised_output decoded as well: the last step's x0 prediction.
    custom['12'] = { class_type: 'VAEDecode', inputs: { samples: ['3', 1], vae: ['4', 2] } };
    custom['13'] = { class_type: 'SaveImage', inputs: { filename_prefix: 'denoised', images: ['12', 0] } };
    const [plain, output, denoised] = await pictures([convert(ksampler(10)), convert(custom)]);
    // The PNGs embed their own graphs: compare the pixels.
    expect(pngImage(output).data).toEqual(pngImage(plain).data);
    const reading = readPicture(pngImage(denoised).data);
    expect(reading).toMatchObject({ colour: 'red', shape: 'circle' });
  }, 120_000);

  it('SamplerCustom draws exactly what KSampler draws', async () => {
    const w = customAdvanced(10);
    w['3'] = {
      class_type: 'SamplerCustom',
      inputs: { model: ['4', 0], add_noise: true, noise_seed: 42, cfg: 7.5, positive: ['6', 0], negative: ['7', 0], sampler: ['22', 0], sigmas: ['23', 0], latent_image: ['5', 0] },
    };
    const [plain, custom] = await pictures([convert(ksampler(10)), convert(w)]);
    expect(pngImage(custom).data).toEqual(pngImage(plain).data);
  }, 120_000);

  it('KSamplerAdvanced 0–10 with leftover noise, then 10–20 without adding noise, matches a 20-step KSampler', async () => {
    const w = ksampler(20);
    w['3'] = advanced({ end_at_step: 10, return_with_leftover_noise: 'enable' }, ['5', 0]);
    w['11'] = advanced({ add_noise: 'disable', start_at_step: 10 }, ['3', 0]);
    w['8'].inputs.samples = ['11', 0];
    const [plain, split] = await pictures([convert(ksampler(20)), convert(w)]);
    const diff = meanAbsDiff(pngImage(plain).data, pngImage(split).data);
    console.log(`two KSamplerAdvanced halves vs one KSampler (euler, 20 steps): mean |Δ| = ${diff.toExponential(3)}`);
    // Euler is deterministic and both cut at the same sigma: equal, to the pixel.
    expect(diff).toBe(0);
    expect(readPicture(pngImage(split).data)).toMatchObject({ colour: 'red', shape: 'circle' });
  }, 120_000);

  it('BasicGuider and an lcm KSampler run', async () => {
    const basic = customAdvanced(10);
    basic['21'] = { class_type: 'BasicGuider', inputs: { model: ['4', 0], conditioning: ['6', 0] } };
    const lcm = ksampler(4);
    Object.assign(lcm['3'].inputs, { sampler_name: 'lcm', scheduler: 'sgm_uniform' });
    const pngs = await pictures([convert(basic), convert(lcm)]);
    expect(pngs).toHaveLength(2);
    for (const png of pngs) expect(pngImage(png).width).toBe(64);
  }, 120_000);
});
