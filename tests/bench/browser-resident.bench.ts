/**
 * GPU-resident sampling on WebGPU (issue 15): toy-txt2img's per-step time in headless Chromium's
 * engine worker on onnxruntime-web WebGPU (SwiftShader, a CPU emulation of a GPU) with the
 * latents kept in GPU buffers through the repeat zone, and with every UNet output read back to
 * the CPU and CFG + the DDIM step on the CPU (LATENTLOOM_RESIDENT_TENSORS = false), plus the GPU
 * buffer readbacks of a 20-step run. Per step = (median 20-step run − median 2-step run) / 18, so
 * the fixed cost of a run (text encoders, VAE, the editor) cancels out.
 * `npm run bench -- browser-resident`. Needs /usr/bin/chromium with a SwiftShader adapter.
 */
import { existsSync } from 'node:fs';
import type { BenchFigure } from './run.ts';
import { HAS_CHROMIUM, SKIP_REASON, openEditor, startSession } from '../e2e/harness.ts';
import { TOY_GRAPH, TOY_PACKAGE, chooseBackend, engineWorker, openGraph, runForImage, toyGraph, webGpuUnavailableReason } from '../e2e/workerRuns.ts';
import { copyCounts, countsSince, setResidentTensors, watchGpuReadbacks } from '../e2e/residentRuns.ts';

const RUNS = 3;
const [FEW, MANY] = [2, 20];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function figures(): Promise<BenchFigure[]> {
  if (!existsSync(TOY_GRAPH) || !existsSync(TOY_PACKAGE)) {
    console.log(`${TOY_GRAPH} or ${TOY_PACKAGE} is missing: not timed`);
    return [];
  }
  if (!HAS_CHROMIUM) {
    console.log(SKIP_REASON);
    return [];
  }
  const s = await startSession({ webgpu: true });
  try {
    await openEditor(s.page, s.server.url, '?fresh&example=math-demo');
    const worker = engineWorker(s.page);
    const reason = await webGpuUnavailableReason(worker);
    if (reason) {
      console.log(`not timed: ${reason}`);
      return [];
    }
    await watchGpuReadbacks(worker);
    let seed = 1000;
    const runMs = async (steps: number) => {
      await openGraph(s.page, toyGraph(steps, seed++), `toy-resident-bench-${seed}.json`);
      return (await runForImage(s.page, 'save', 300_000)).ms;
    };
    const out: BenchFigure[] = [];
    for (const resident of [false, true]) {
      // A backend change remakes the worker's runtime, which reads the setting when it starts.
      await setResidentTensors(worker, resident);
      await chooseBackend(s.page, 'wasm');
      await runMs(FEW);
      await chooseBackend(s.page, 'webgpu');
      await runMs(MANY); // warm-up: sessions made, shaders compiled
      const before = await copyCounts(worker);
      const many: number[] = [];
      for (let i = 0; i < RUNS; i++) many.push(await runMs(MANY));
      const counts = countsSince(before, await copyCounts(worker));
      const few: number[] = [];
      for (let i = 0; i < RUNS; i++) few.push(await runMs(FEW));
      const perStep = (median(many) - median(few)) / (MANY - FEW);
      const label = resident ? 'latents on the GPU' : 'latents read back every step';
      out.push(
        { name: `toy-txt2img on WebGPU (SwiftShader), ${label}: per step`, value: perStep, unit: 'ms', note: `(median of ${RUNS} ${MANY}-step runs ${median(many)} ms − ${FEW}-step ${median(few)} ms) / ${MANY - FEW}` },
        { name: `toy-txt2img on WebGPU (SwiftShader), ${label}: GPU readbacks per ${MANY}-step run`, value: counts.readbacks / RUNS, unit: 'copies', note: `app latent downloads ${counts.downloads / RUNS} (previews ${counts.previewDownloads / RUNS})` },
      );
    }
    if (s.errors.length) console.log(`page errors: ${s.errors.join('; ')}`);
    return out;
  } finally {
    await s.close();
  }
}
