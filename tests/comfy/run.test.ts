/**
 * The converted ComfyUI txt2img workflow runs on the built-in toy model and draws what the
 * native toy-txt2img graph draws at the same settings.
 */
import { readPicture } from '../toy/analysis.ts';
import { engineFor, loadExample, nodeRuntime, pngImage, runForPngs, withParams } from '../toy/graphRunner.ts';
import { convert, fixture } from './helpers.ts';

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

describe('a converted ComfyUI workflow runs', () => {
  it('draws a red circle on black, matching the native graph', async () => {
    const runtime = nodeRuntime();
    const engine = engineFor(runtime);
    try {
      const converted = convert(fixture('txt2img-api.json'));
      const pngs = Object.values(await runForPngs(engine, converted)).flat();
      expect(pngs).toHaveLength(1);
      const picture = pngImage(pngs[0]);
      expect([picture.width, picture.height]).toEqual([64, 64]);
      const reading = readPicture(picture.data);
      expect(reading).toMatchObject({ colour: 'red', shape: 'circle', background: 'black' });
      expect(reading.shapeIou).toBeGreaterThan(0.5);

      const native = withParams(loadExample('toy-txt2img.json'), {
        scheduler: { scheduler: 'EulerDiscreteScheduler', steps: 10, sigma_schedule: 'normal' },
        noise: { seed: 42 },
        scheduler_state: { seed: 42 },
        cfg: { scale: 7.5 },
      });
      const nativePicture = pngImage(Object.values(await runForPngs(engine, native)).flat()[0]);
      const diff = meanAbsDiff(picture.data, nativePicture.data);
      console.log(`converted vs native toy-txt2img: mean |Δ| = ${diff.toExponential(3)} (IoU ${reading.shapeIou.toFixed(3)})`);
      expect(diff).toBeLessThan(1e-6);
    } finally {
      await runtime.release();
    }
  }, 120_000);
});

describe('every supported sampler runs after conversion', () => {
  const CASES: [string, string][] = [
    ['euler_ancestral', 'normal'], ['heun', 'karras'], ['dpmpp_2m', 'karras'], ['lms', 'exponential'],
    ['euler', 'sgm_uniform'], ['euler', 'simple'], ['euler', 'ddim_uniform'], ['ddim', 'ddim_uniform'], ['ddpm', 'normal'],
  ];
  it.each(CASES)('%s %s draws the prompt', async (sampler, scheduler) => {
    const runtime = nodeRuntime();
    try {
      const w = fixture('txt2img-api.json') as Record<string, { inputs: Record<string, unknown> }>;
      Object.assign(w['3'].inputs, { sampler_name: sampler, scheduler, steps: sampler === 'ddpm' ? 30 : 12 });
      const pngs = Object.values(await runForPngs(engineFor(runtime), convert(w))).flat();
      const reading = readPicture(pngImage(pngs[0]).data);
      console.log(`${sampler} ${scheduler}: ${reading.colour} ${reading.shape}, IoU ${reading.shapeIou.toFixed(3)}`);
      expect(reading.colour).toBe('red');
      expect(reading.shapeIou).toBeGreaterThan(0.5);
    } finally {
      await runtime.release();
    }
  }, 120_000);
});

describe('a two-pass workflow runs after conversion', () => {
  // The toy denoiser takes 16×16 latents only, so the second pass stays at 64 px (a hires fix on SD would go up).
  it('KSampler → LatentUpscale → KSampler at denoise 0.5 → picture', async () => {
    const runtime = nodeRuntime();
    try {
      const w = fixture('txt2img-api.json') as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
      w['10'] = { class_type: 'LatentUpscale', inputs: { samples: ['3', 0], upscale_method: 'bilinear', width: 64, height: 64, crop: 'disabled' } };
      w['11'] = { class_type: 'KSampler', inputs: { ...w['3'].inputs, latent_image: ['10', 0], denoise: 0.5, steps: 6 } };
      w['8'].inputs.samples = ['11', 0];
      const graph = convert(w);
      expect(graph.nodes.filter((n) => n.type === 'flow/repeat-input')).toHaveLength(2);
      const second = graph.nodes.find((n) => n.id === 'n11_scheduler')!;
      expect(second.params).toMatchObject({ steps: 12, denoise: 0.5 });
      const pngs = Object.values(await runForPngs(engineFor(runtime), graph)).flat();
      const picture = pngImage(pngs[0]);
      expect([picture.width, picture.height]).toEqual([64, 64]);
      expect(readPicture(picture.data)).toMatchObject({ colour: 'red', shape: 'circle' });
    } finally {
      await runtime.release();
    }
  }, 120_000);
});
