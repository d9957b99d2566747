/**
 * Runtime benchmark on the tiny SD 1.5-style package (256×256 image, 32×32 latent, PNDM, CFG 7.5):
 * - a 20-step text-to-image run through the engine (the shipped toy graph: repeat zone, two
 *   denoise nodes, CFG node, scheduler step node) vs a plain loop calling the same ONNX sessions
 *   and scheduler functions directly; the ratio engine / direct should be close to 1;
 * - peak memory of 10 vs 50 steps (must not grow with steps): the engine's peak live bytes and
 *   the process's peak ArrayBuffer bytes sampled at every node finish.
 */
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { packageFileRef } from '../../src/runtime/handles.ts';
import { ClipTokenizer } from '../../src/diffusion/clipTokenizer.ts';
import { createScheduler } from '../../src/diffusion/schedulers/index.ts';
import { classifierFreeGuidance } from '../../src/diffusion/guidance.ts';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import type { SchedulerName } from '../../src/diffusion/schedulers/config.ts';
import { makeTinySdPackages } from '../fixtures/tinySd.ts';
import { txt2imgGraph } from '../nodes/modelGraph.ts';
import { medianWallAndCpuMs, type BenchFigure } from './run.ts';

const SIZE = 256;
const STEPS = 20;

export async function figures(): Promise<BenchFigure[]> {
  const fixtures = makeTinySdPackages(['sd15']);
  const dir = fixtures.packages.sd15.dir;
  const runtime = createNodeRuntime({ backend: createNodeBackend() });
  const registry = defaultRegistry();
  try {
    const graphOf = (steps: number) => txt2imgGraph(dir, { steps, size: SIZE });
    const runEngine = async (steps: number, onEvent?: () => void) => {
      const r = await createEngine({ registry, services: { runtime } }).run(graphOf(steps), { outputs: ['decode'], onEvent });
      if (!r.ok) throw new Error(`${r.error?.node}: ${r.error?.message}`);
      return r;
    };

    // The same work without the engine: same sessions (through the runtime cache), same scheduler.
    const pkg = await runtime.openPackage({ source: dir });
    const tokenizer = await ClipTokenizer.fromFolder(join(dir, 'tokenizer'));
    const textEncoder = await runtime.session(packageFileRef(pkg, 'text_encoder/model.onnx'));
    const unet = await runtime.session(packageFileRef(pkg, 'unet/model.onnx'));
    const vae = await runtime.session(packageFileRef(pkg, 'vae_decoder/model.onnx'));
    const encode = async (text: string) => {
      const { ids } = tokenizer.encode(text);
      const out = await textEncoder.run({ input_ids: new Tensor('int32', [1, ids.length], Int32Array.from(ids)) });
      return out.last_hidden_state as Tensor<'float32'>;
    };
    const runDirect = async (steps: number) => {
      const [pos, neg] = await Promise.all([encode('a red circle on black'), encode('blurry, low quality')]);
      const scheduler = createScheduler(pkg.schedulerConfig?._class_name as SchedulerName, pkg.schedulerConfig);
      scheduler.setTimesteps(steps);
      const noise = new TorchGenerator(42).randn([1, 4, SIZE / 8, SIZE / 8]);
      let latent = new Tensor('float32', [1, 4, SIZE / 8, SIZE / 8], noise.map((v) => v * scheduler.initNoiseSigma));
      for (const t of scheduler.timesteps) {
        const input = scheduler.scaleModelInput(latent, t);
        const cond = (await unet.run({ sample: input, timestep: t, encoder_hidden_states: pos })).out_sample as Tensor<'float32'>;
        const uncond = (await unet.run({ sample: input, timestep: t, encoder_hidden_states: neg })).out_sample as Tensor<'float32'>;
        latent = scheduler.step(classifierFreeGuidance(cond, uncond, 7.5), t, latent).prevSample;
      }
      const z = new Tensor('float32', latent.shape, latent.data.map((v) => v / pkg.vaeScalingFactor));
      return vae.run({ latent_sample: z });
    };

    // Warm up sessions and JIT on both paths before timing.
    for (let i = 0; i < 2; i++) {
      await runEngine(STEPS);
      await runDirect(STEPS);
    }
    const engineTime = await medianWallAndCpuMs(() => runEngine(STEPS), 7);
    const directTime = await medianWallAndCpuMs(() => runDirect(STEPS), 7);
    // Per-step cost from 10- vs 50-step runs: what each loop iteration adds on either path.
    const [e10, e50, d10, d50] = [
      await medianWallAndCpuMs(() => runEngine(10), 5),
      await medianWallAndCpuMs(() => runEngine(50), 5),
      await medianWallAndCpuMs(() => runDirect(10), 5),
      await medianWallAndCpuMs(() => runDirect(50), 5),
    ];
    const perStep = (a: { wall: number; cpu: number }, b: { wall: number; cpu: number }) => ({ wall: (b.wall - a.wall) / 40, cpu: (b.cpu - a.cpu) / 40 });
    const enginePerStep = perStep(e10, e50);
    const directPerStep = perStep(d10, d50);

    const memoryOf = async (steps: number) => {
      let peakArrayBuffers = 0;
      const sample = () => {
        peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
      };
      globalThis.gc?.();
      const r = await runEngine(steps, sample);
      return { live: r.stats.peakLiveBytes, arrayBuffers: peakArrayBuffers };
    };
    const m10 = await memoryOf(10);
    const m50 = await memoryOf(50);
    const ms = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(1)} ms wall, ${t.cpu.toFixed(1)} ms CPU`;
    return [
      { name: `tiny SD 1.5, ${SIZE}px, ${STEPS} steps + CFG: engine`, value: engineTime.wall, unit: 'ms', note: ms(engineTime) },
      { name: `tiny SD 1.5, ${SIZE}px, ${STEPS} steps + CFG: direct loop`, value: directTime.wall, unit: 'ms', note: ms(directTime) },
      { name: 'engine / direct (wall)', value: engineTime.wall / directTime.wall, unit: '×', note: `CPU ratio ${(engineTime.cpu / directTime.cpu).toFixed(3)}` },
      { name: 'per step (2 UNet calls + CFG + step): engine', value: enginePerStep.wall, unit: 'ms', note: `${enginePerStep.cpu.toFixed(2)} ms CPU` },
      { name: 'per step (2 UNet calls + CFG + step): direct loop', value: directPerStep.wall, unit: 'ms', note: `${directPerStep.cpu.toFixed(2)} ms CPU` },
      { name: 'engine peak live bytes, 10 steps', value: m10.live / 1024, unit: 'KiB' },
      { name: 'engine peak live bytes, 50 steps', value: m50.live / 1024, unit: 'KiB', note: `ratio 50/10 = ${(m50.live / m10.live).toFixed(3)}` },
      { name: 'process peak ArrayBuffer bytes, 10 steps', value: m10.arrayBuffers / 2 ** 20, unit: 'MiB' },
      { name: 'process peak ArrayBuffer bytes, 50 steps', value: m50.arrayBuffers / 2 ** 20, unit: 'MiB', note: `ratio 50/10 = ${(m50.arrayBuffers / m10.arrayBuffers).toFixed(3)}` },
    ];
  } finally {
    await runtime.release();
    fixtures.cleanup();
  }
}
