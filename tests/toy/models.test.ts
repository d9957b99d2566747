/**
 * The toy-shapes models, driven by a plain sampling loop over the committed package (real ONNX
 * sessions, the project's tokenizer, schedulers and torch-compatible noise): pictures follow the
 * prompt, guidance helps, and every scheduler ends on a clean picture.
 */
import { SCHEDULER_NAMES, type SchedulerName } from '../../src/diffusion/schedulers/index.ts';
import { buildDataset, COLOUR_NAMES, SHAPES, BACKGROUND_NAMES } from '../../src/toy/dataset.ts';
import { cleanPictures, openToy, txt2img, type Toy } from './directSampler.ts';
import { leftoverNoise, readPicture } from './analysis.ts';
import { writeContactSheet } from './contactSheet.ts';

let toy: Toy;
let clean: Float32Array[];
beforeAll(async () => {
  toy = await openToy();
  clean = await cleanPictures(toy, buildDataset());
});

/** Every colour and every shape at least once (colour i with shape i mod 4, alternating backgrounds), plus the missing pairs' shapes. */
const CASES = COLOUR_NAMES.map((colour, i) => ({ colour, shape: SHAPES[i % SHAPES.length], background: BACKGROUND_NAMES[i % 2] }))
  .concat([{ colour: 'yellow', shape: 'circle', background: 'white' }, { colour: 'purple', shape: 'triangle', background: 'black' }] as const);
const SEEDS = [0, 1, 2, 3];

async function agreement(guidance: number): Promise<{ full: number; colourShape: number; total: number }> {
  let full = 0;
  let colourShape = 0;
  let total = 0;
  for (const c of CASES) {
    for (const seed of SEEDS) {
      const r = readPicture(await txt2img(toy, { prompt: `a ${c.colour} ${c.shape} on ${c.background}`, seed, guidance }));
      const cs = r.colour === c.colour && r.shape === c.shape;
      colourShape += cs ? 1 : 0;
      full += cs && r.background === c.background ? 1 : 0;
      total++;
    }
  }
  return { full, colourShape, total };
}

describe('toy-shapes text-to-image', () => {
  it('draws the colour and shape asked for, for every colour and shape, over several seeds (CFG 7)', async () => {
    const sheet: { data: Float32Array; size: number }[] = [];
    for (const c of CASES) {
      for (const seed of SEEDS) {
        const prompt = `a ${c.colour} ${c.shape} on ${c.background}`;
        const img = await txt2img(toy, { prompt, seed, guidance: 7 });
        sheet.push({ data: img, size: 64 });
        const r = readPicture(img);
        expect({ colour: r.colour, shape: r.shape, background: r.background }, `${prompt}, seed ${seed}`).toEqual(c);
        expect(r.shapeIou, `${prompt}, seed ${seed}: shape overlap`).toBeGreaterThan(0.5);
      }
    }
    console.log(`pictures (one row per prompt, ${SEEDS.length} seeds): ${writeContactSheet('toy-prompts.png', sheet, 64, SEEDS.length)}`);
  });

  it('guidance scale 7 agrees with the prompt more than scale 1', async () => {
    const low = await agreement(1);
    const high = await agreement(7);
    console.log(`prompt agreement (colour+shape+background): scale 1 ${low.full}/${low.total}, scale 7 ${high.full}/${high.total}`);
    expect(high.full).toBeGreaterThan(low.full);
    expect(high.full).toBe(high.total);
  });

  it('a negative prompt steers away from what it names', async () => {
    const colours = async (negative: string) => {
      const out: string[] = [];
      for (let seed = 0; seed < 12; seed++) out.push(readPicture(await txt2img(toy, { prompt: 'a circle', negative, seed, guidance: 7 })).colour);
      return out;
    };
    expect(await colours('')).toContain('red');
    expect(await colours('red')).not.toContain('red');
  });

  it('different seeds give different pictures, the same seed the same one', async () => {
    const a = await txt2img(toy, { prompt: 'a red circle on black', seed: 5 });
    const b = await txt2img(toy, { prompt: 'a red circle on black', seed: 5 });
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    const distinct = new Set<string>();
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      const img = await txt2img(toy, { prompt: 'a red circle on black', seed });
      distinct.add(Buffer.from(img.buffer).toString('base64'));
    }
    expect(distinct.size).toBeGreaterThan(2);
  });

  const STEPS: Partial<Record<SchedulerName, number>> = { LCMScheduler: 8, UnCLIPScheduler: 25, HeunDiscreteScheduler: 15 };
  // Scheduler settings that a toy (SD-schedule, ε-prediction) model needs beyond the package config.
  const CONFIG: Partial<Record<SchedulerName, Record<string, unknown>>> = { UnCLIPScheduler: { clip_sample: false }, LCMScheduler: { original_inference_steps: 100 } };

  /** 0–255 RMS: under 2% of the range; a schedule that stops short of t=0 is well above it (see below). */
  const CLEAN = 4;

  it('the leftover-noise measure sees an unfinished schedule', async () => {
    // SD's own DDIM setting (set_alpha_to_one=false) stops at ᾱ_0 < 1 and leaves √(1-ᾱ_0)·ε in the latent.
    const early = await txt2img(toy, { prompt: 'a green triangle on white', seed: 0, steps: 20, schedulerConfig: { set_alpha_to_one: false } });
    const n = leftoverNoise(early, clean);
    console.log(`DDIM with set_alpha_to_one=false: leftover noise ${n.toFixed(2)}`);
    expect(n).toBeGreaterThan(CLEAN);
  });

  it.each(SCHEDULER_NAMES.map((n) => [n]))('%s ends on a clean picture that follows the prompt', async (name) => {
    const noise: number[] = [];
    let matches = 0;
    for (const seed of [0, 1, 2]) {
      const img = await txt2img(toy, { prompt: 'a green triangle on white', seed, scheduler: name, steps: STEPS[name] ?? 20, schedulerConfig: CONFIG[name] });
      noise.push(leftoverNoise(img, clean));
      const r = readPicture(img);
      if (r.colour === 'green' && r.shape === 'triangle') matches++;
    }
    console.log(`${name}: leftover noise ${noise.map((n) => n.toFixed(3)).join(', ')} (0-255 RMS), ${matches}/3 follow the prompt`);
    for (const n of noise) expect(n).toBeLessThan(CLEAN);
    expect(matches).toBeGreaterThanOrEqual(2);
  });
});
