/**
 * GPU-resident sampling on WebGPU (SwiftShader) in the built app's engine worker: toy-txt2img at
 * 20 steps keeps its latents in GPU buffers through the repeat zone (UNet outputs, CFG, DDIM step
 * on the GPU) and copies to the CPU only at the end (plus throttled previews), where the host
 * path copies every UNet output every step; the picture matches the wasm one.
 *
 * toy-txt2img with PNDM (skip_prk_steps, as SD 1.5 ships it: its model outputs and saved sample
 * resident), LMS (its derivatives resident), DDPM, LCM, and DDIM and Euler on v-predictions (SD
 * 2.x 768 models), and graphs/toy-schedulers.json's DDIM, Euler
 * ancestral, DPM++ 2M Karras (its x0 history resident) and Heun (its derivative and saved sample
 * resident) run on the GPU, each picture matching wasm.
 *
 * Order: wasm; WebGPU with the resident path off (LATENTLOOM_RESIDENT_TENSORS = false in the
 * worker, before its WebGPU backend starts); wasm again; WebGPU with it on. Each backend change
 * remakes the worker's runtime, so each WebGPU run gets the setting it was started with.
 */
import { existsSync } from 'node:fs';
import type { StaticServer } from './server.ts';
import { HAS_CHROMIUM, SKIP_REASON, openEditor, startSession, type Session } from './harness.ts';
import {
  TOY_GRAPH,
  TOY_PACKAGE,
  chooseBackend,
  countGpuDispatches,
  engineWorker,
  exampleGraph,
  openGraph,
  runForImage,
  runForImages,
  serveAppWith,
  takeGpuDispatches,
  toyGraph,
  webGpuUnavailableReason,
  type BrowserRun,
} from './workerRuns.ts';
import { copyCounts, countsSince, rgbDiff, setResidentTensors, watchGpuReadbacks, type CopyCounts } from './residentRuns.ts';

const STEPS = 20;
/** Largest byte difference allowed between the WebGPU and wasm pictures (GPU float32 rounding). */
const MAX_BYTE_DIFF = 2;

describe.skipIf(!HAS_CHROMIUM || !existsSync(TOY_GRAPH) || !existsSync(TOY_PACKAGE))('GPU-resident sampling (browser, WebGPU via SwiftShader)', () => {
  let s: Session;
  let app: StaticServer;
  let webGpuMissing: string | undefined;

  beforeAll(async () => {
    const settled = await Promise.allSettled([
      startSession({ webgpu: true }).then((started) => void (s = started)),
      serveAppWith({}).then((server) => void (app = server)),
    ]);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    await openEditor(s.page, app.url, '?fresh&example=math-demo');
    const worker = engineWorker(s.page);
    webGpuMissing = await webGpuUnavailableReason(worker);
    await countGpuDispatches(worker);
    await watchGpuReadbacks(worker);
  });
  afterAll(async () => {
    await s?.close();
    await app?.close();
  });

  /** Without an adapter: a failure under CI (nothing may be skipped there), else a skip that says why. */
  function skipWithoutWebGpu(ctx: { skip(): void }): void {
    if (!webGpuMissing) return;
    if (process.env.CI === 'true') throw new Error(webGpuMissing);
    console.log(`skipped: ${webGpuMissing}`);
    ctx.skip();
  }

  async function run(backend: 'wasm' | 'webgpu', seedName: string): Promise<{ run: BrowserRun; counts: CopyCounts; dispatches: number }> {
    const worker = engineWorker(s.page);
    await openGraph(s.page, toyGraph(STEPS), `toy-resident-${seedName}.json`);
    await chooseBackend(s.page, backend);
    const before = await copyCounts(worker);
    const result = await runForImage(s.page, 'save', 300_000);
    expect(result.status).toMatch(/^Done in/);
    const counts = countsSince(before, await copyCounts(worker));
    const dispatches = await takeGpuDispatches(worker);
    return { run: result, counts, dispatches };
  }

  it(`keeps the latent on the GPU for ${STEPS} steps: ≤ 2 copies to the CPU besides previews, and the wasm picture`, async (ctx) => {
    skipWithoutWebGpu(ctx);
    const worker = engineWorker(s.page);
    const wasm = await run('wasm', 'wasm');
    expect(wasm.dispatches).toBe(0);

    await setResidentTensors(worker, false);
    const hostPath = await run('webgpu', 'host');
    expect(hostPath.dispatches).toBeGreaterThan(0);

    await setResidentTensors(worker, true);
    const wasmAgain = await run('wasm', 'wasm-again');
    expect(rgbDiff(wasmAgain.run.rgba, wasm.run.rgba).max).toBe(0);
    const resident = await run('webgpu', 'resident');
    expect(resident.dispatches).toBeGreaterThan(0);

    const vsWasm = rgbDiff(resident.run.rgba, wasm.run.rgba);
    const hostVsWasm = rgbDiff(hostPath.run.rgba, wasm.run.rgba);
    const line = (name: string, r: { run: BrowserRun; counts: CopyCounts; dispatches: number }) =>
      `${name}: ${r.run.ms} ms, ${r.counts.readbacks} GPU buffer readbacks (app: ${r.counts.downloads} latent downloads, ` +
      `${r.counts.previewDownloads} of them for previews, ${r.counts.outputDownloads} other outputs), ${r.dispatches} dispatches`;
    console.log(
      [
        line('WebGPU, host path', hostPath),
        line('WebGPU, resident path', resident),
        `wasm: ${wasm.run.ms} ms`,
        `picture vs wasm: resident max ${vsWasm.max} mean ${vsWasm.mean.toFixed(4)}; host path max ${hostVsWasm.max} mean ${hostVsWasm.mean.toFixed(4)} (bytes)`,
      ].join('\n'),
    );
    // The resident path downloads the loop's latent once, for the VAE decode (plus throttled previews)…
    const previews = resident.counts.previewDownloads;
    expect(resident.counts.downloads - previews).toBeLessThanOrEqual(2);
    expect(previews).toBeLessThanOrEqual(Math.ceil(resident.run.ms / 1000) + 1);
    // …where the host path (onnxruntime-web reading every output back) copies both UNet
    // predictions of every step: the GPU's own readback count shows the difference.
    expect(hostPath.counts.downloads).toBe(0);
    expect(hostPath.counts.readbacks - resident.counts.readbacks).toBeGreaterThanOrEqual(2 * STEPS - 2 - previews);
    expect(vsWasm.max).toBeLessThanOrEqual(MAX_BYTE_DIFF);
    expect(s.errors).toEqual([]);
  });

  // SD 1.5 packages ship PNDM with skip_prk_steps: its multistep steps (and LMS's) keep the
  // model-output or derivative history on the GPU; DDPM and LCM upload their host-drawn noise.
  it.for([
    ['PNDM (skip_prk_steps)', { scheduler: 'PNDMScheduler', config: '{"skip_prk_steps": true}' }],
    ['PNDM with the Runge-Kutta warm-up', { scheduler: 'PNDMScheduler', config: '{"skip_prk_steps": false}' }],
    ['LMS', { scheduler: 'LMSDiscreteScheduler' }],
    ['DPM++ 3M', { scheduler: 'DPMSolverMultistepScheduler', config: '{"solver_order": 3}' }],
    ['DDPM (variance noise)', { scheduler: 'DDPMScheduler' }],
    // Dynamic thresholding (DeepFloyd IF's DDPM): the per-item quantile by TopK on the device.
    ['DDPM with dynamic thresholding', { scheduler: 'DDPMScheduler', config: '{"thresholding": true, "sample_max_value": 1.5}' }],
    ['DDIM with clip_sample (its class default)', { scheduler: 'DDIMScheduler', config: '{"clip_sample": true, "clip_sample_range": 0.5}' }],
    ['LCM (renoising)', { scheduler: 'LCMScheduler' }],
    // SD 2.1 (768, v-prediction) ships DDIM; Euler is the usual choice for such models elsewhere.
    ['DDIM with v_prediction', { scheduler: 'DDIMScheduler', config: '{"prediction_type": "v_prediction"}' }],
    ['Euler with v_prediction', { scheduler: 'EulerDiscreteScheduler', config: '{"prediction_type": "v_prediction"}' }],
    // PNDM's and LMS's histories on a v-prediction model: the conversion happens on the GPU too.
    ['PNDM with v_prediction', { scheduler: 'PNDMScheduler', config: '{"skip_prk_steps": true, "prediction_type": "v_prediction"}' }],
    ['LMS with v_prediction', { scheduler: 'LMSDiscreteScheduler', config: '{"prediction_type": "v_prediction"}' }],
  ] as const)('runs %s on the GPU with the latent kept there, matching wasm', async ([name, schedulerParams], ctx) => {
    skipWithoutWebGpu(ctx);
    const worker = engineWorker(s.page);
    const graph = exampleGraph('toy-txt2img.json', { scheduler: { steps: 10, ...schedulerParams }, noise: { seed: 7 }, scheduler_state: { seed: 7 } });
    const pictures: Partial<Record<'wasm' | 'webgpu', BrowserRun>> = {};
    let counts: CopyCounts | undefined;
    for (const backend of ['wasm', 'webgpu'] as const) {
      await openGraph(s.page, graph, `toy-${backend}-${schedulerParams.scheduler}.json`);
      await chooseBackend(s.page, backend);
      const before = await copyCounts(worker);
      pictures[backend] = await runForImage(s.page, 'save', 300_000);
      counts = countsSince(before, await copyCounts(worker));
    }
    const diff = rgbDiff(pictures.webgpu!.rgba, pictures.wasm!.rgba);
    console.log(`${name}, WebGPU (resident) vs wasm: max ${diff.max} mean ${diff.mean.toFixed(4)}; ${counts!.downloads} latent downloads (${counts!.previewDownloads} for previews)`);
    expect(counts!.downloads - counts!.previewDownloads).toBeLessThanOrEqual(2);
    expect(diff.max).toBeLessThanOrEqual(MAX_BYTE_DIFF);
    expect(s.errors).toEqual([]);
  });

  it('runs DDIM, Euler ancestral, DPM++ 2M and Heun on the GPU, each matching wasm', async (ctx) => {
    skipWithoutWebGpu(ctx);
    const saves = ['ddim_save', 'euler_a_save', 'dpmpp_save', 'heun_save'];
    const graph = exampleGraph('toy-schedulers.json');
    const pictures: Partial<Record<'wasm' | 'webgpu', Record<string, BrowserRun>>> = {};
    for (const backend of ['wasm', 'webgpu'] as const) {
      await openGraph(s.page, graph, `toy-schedulers-${backend}.json`);
      await chooseBackend(s.page, backend);
      pictures[backend] = await runForImages(s.page, saves, 300_000);
    }
    const diffs = saves.map((id) => ({ id, ...rgbDiff(pictures.webgpu![id].rgba, pictures.wasm![id].rgba) }));
    console.log(`toy-schedulers, WebGPU (resident) vs wasm: ${diffs.map((d) => `${d.id} max ${d.max} mean ${d.mean.toFixed(4)}`).join('; ')}`);
    for (const d of diffs) expect(d.max, d.id).toBeLessThanOrEqual(MAX_BYTE_DIFF);
    expect(s.errors).toEqual([]);
  });
});

if (!HAS_CHROMIUM) it.skip(SKIP_REASON, () => {});
