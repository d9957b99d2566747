/**
 * The shipped toy example graphs, loaded from graphs/ and run through the engine on the Node
 * runtime with the built-in toy-shapes package: they validate, follow their prompt, reproduce
 * byte for byte from a seed, and every scheduler ends on a clean picture inside the repeat zone.
 */
import { readdirSync } from 'node:fs';
import { SCHEDULER_NAMES, type SchedulerName } from '../../src/diffusion/schedulers/index.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import type { Engine } from '../../src/engine/index.ts';
import { buildDataset } from '../../src/toy/dataset.ts';
import { cleanPictures, openToy } from './directSampler.ts';
import { leftoverNoise, readPicture } from './analysis.ts';
import { GRAPHS_DIR, engineFor, loadExample, nodeRuntime, pngImage, registry, runForPngs, withParams } from './graphRunner.ts';

let runtime: Runtime;
let engine: Engine;
let clean: Float32Array[];
beforeAll(async () => {
  runtime = nodeRuntime();
  engine = engineFor(runtime);
  clean = await cleanPictures(await openToy(), buildDataset());
});
afterAll(async () => {
  await runtime.release();
});

const EXAMPLES = readdirSync(GRAPHS_DIR).filter((f) => f.startsWith('toy-') || f.startsWith('sd'));

describe('example graphs', () => {
  it.each(EXAMPLES.map((f) => [f]))('%s loads and validates without errors', (file) => {
    const graph = loadExample(file);
    const errors = validateGraph(graph, registry).filter((i) => i.severity !== 'warning');
    expect(errors).toEqual([]);
  });

  it('toy-txt2img draws its prompt', async () => {
    const graph = loadExample('toy-txt2img.json');
    const prompt = graph.nodes.find((n) => n.id === 'prompt')!.params.text;
    expect(prompt).toBe('a red circle on black');
    const { save } = await runForPngs(engine, graph);
    const img = pngImage(save[0]);
    expect([img.width, img.height]).toEqual([64, 64]);
    expect(readPicture(img.data)).toMatchObject({ colour: 'red', shape: 'circle', background: 'black' });
    expect(leftoverNoise(img.data, clean)).toBeLessThan(4);
  });

  it('toy-txt2img follows other prompts', async () => {
    const cases = [
      ['a green square on white', { colour: 'green', shape: 'square', background: 'white' }],
      ['a purple cross on black', { colour: 'purple', shape: 'cross', background: 'black' }],
      ['a blue triangle on white', { colour: 'blue', shape: 'triangle', background: 'white' }],
    ] as const;
    for (const [text, expected] of cases) {
      const { save } = await runForPngs(engine, withParams(loadExample('toy-txt2img.json'), { prompt: { text } }));
      expect(readPicture(pngImage(save[0]).data), text).toMatchObject(expected);
    }
  });

  it('same seed, same graph → identical PNG bytes; another seed → another picture', async () => {
    const graph = loadExample('toy-txt2img.json');
    const first = (await runForPngs(engineFor(runtime), graph)).save[0];
    const again = (await runForPngs(engineFor(runtime), graph)).save[0];
    expect(Buffer.compare(Buffer.from(first), Buffer.from(again))).toBe(0);
    const pictures = new Set<string>();
    for (const seed of [1, 2, 3, 4]) {
      const reseeded = withParams(graph, { noise: { seed }, scheduler_state: { seed } });
      const png = (await runForPngs(engine, reseeded)).save[0];
      pictures.add(Buffer.from(png).toString('base64'));
    }
    pictures.add(Buffer.from(first).toString('base64'));
    expect(pictures.size).toBeGreaterThan(2);
  });

  const STEPS: Partial<Record<SchedulerName, number>> = { LCMScheduler: 8, UnCLIPScheduler: 25, HeunDiscreteScheduler: 15 };
  const CONFIG: Partial<Record<SchedulerName, Record<string, unknown>>> = { UnCLIPScheduler: { clip_sample: false }, LCMScheduler: { original_inference_steps: 100 } };

  async function zoneSample(name: SchedulerName): Promise<Float32Array> {
    const graph = withParams(loadExample('toy-txt2img.json'), {
      prompt: { text: 'a yellow cross on white' },
      scheduler: { scheduler: name, steps: STEPS[name] ?? 20, config: JSON.stringify(CONFIG[name] ?? {}) },
    });
    return pngImage((await runForPngs(engine, graph)).save[0]).data;
  }

  it.each(SCHEDULER_NAMES.map((n) => [n]))('%s in the repeat zone ends on a clean picture of the prompt', async (name) => {
    const img = await zoneSample(name);
    const noise = leftoverNoise(img, clean);
    console.log(`${name} through the zone: leftover noise ${noise.toFixed(3)} (0-255 RMS)`);
    expect(noise).toBeLessThan(4);
    expect(readPicture(img)).toMatchObject({ colour: 'yellow', shape: 'cross' });
  });

  it('toy-img2img recolours the input square in place', async () => {
    const graph = loadExample('toy-img2img.json');
    const { save } = await runForPngs(engine, graph);
    const out = pngImage(save[0]).data;
    const input = pngImage(Buffer.from(String(graph.nodes.find((n) => n.id === 'input_image')!.params.source).split(',')[1], 'base64')).data;
    expect(readPicture(input)).toMatchObject({ colour: 'red', shape: 'square', background: 'white' });
    expect(readPicture(out)).toMatchObject({ colour: 'blue', shape: 'square', background: 'white' });
    // Same place and size: the foregrounds overlap almost entirely.
    const fg = (img: Float32Array): number[] => Array.from({ length: 64 * 64 }, (_, i) => (img[i] + img[4096 + i] + img[8192 + i] < 2.4 ? 1 : 0));
    const a = fg(input);
    const b = fg(out);
    let inter = 0;
    let union = 0;
    a.forEach((v, i) => {
      inter += v & b[i];
      union += v | b[i];
    });
    expect(inter / union).toBeGreaterThan(0.8);
  });

  it('toy-schedulers: at 4 steps the samplers part ways, at 20 all four give the prompt', async () => {
    const base = loadExample('toy-schedulers.json');
    const samplers = ['ddim', 'euler_a', 'dpmpp', 'heun'];
    for (const s of samplers) expect(base.nodes.find((n) => n.id === `${s}_scheduler`)?.params.steps, s).toBe(4);
    const few = await runForPngs(engine, base);
    expect(Object.keys(few).sort()).toEqual(['ddim_save', 'dpmpp_save', 'euler_a_save', 'heun_save']);
    const read = (outputs: Record<string, Uint8Array[]>, s: string) => readPicture(pngImage(outputs[`${s}_save`][0]).data);
    // What the example's description says of 4 steps.
    const prompt = { colour: 'yellow', shape: 'triangle', background: 'black' };
    expect(read(few, 'ddim')).toMatchObject(prompt);
    expect(read(few, 'euler_a')).toMatchObject(prompt);
    expect(read(few, 'dpmpp')).toMatchObject({ shape: 'triangle', background: 'black' });
    expect(read(few, 'dpmpp').colour).not.toBe('yellow');
    expect(read(few, 'heun')).not.toMatchObject({ colour: 'yellow', shape: 'triangle' });
    const many = await runForPngs(engine, withParams(base, Object.fromEntries(samplers.map((s) => [`${s}_scheduler`, { steps: 20 }]))));
    for (const s of samplers) {
      const img = pngImage(many[`${s}_save`][0]).data;
      expect(readPicture(img), s).toMatchObject(prompt);
      expect(leftoverNoise(img, clean), s).toBeLessThan(4);
    }
  });

  it('toy-cascade: prior → decoder → super-resolution gives a 64×64 picture of the prompt', async () => {
    const base = loadExample('toy-cascade.json');
    const cases = [
      ['a blue cross on white', { colour: 'blue', shape: 'cross', background: 'white' }],
      ['a red triangle on black', { colour: 'red', shape: 'triangle', background: 'black' }],
    ] as const;
    for (const [text, expected] of cases) {
      const graph = withParams(base, { prompt: { text } });
      const result = await engine.run(graph);
      expect(result.ok, JSON.stringify(result.error)).toBe(true);
      const low = pngImage((result.outputs.preview_low_res.png as Uint8Array[])[0]);
      expect([low.width, low.height]).toEqual([16, 16]);
      const final = pngImage((result.outputs.save.png as Uint8Array[])[0]);
      expect([final.width, final.height]).toEqual([64, 64]);
      expect(readPicture(final.data), text).toMatchObject(expected);
      expect(leftoverNoise(final.data, clean)).toBeLessThan(4);
    }
  });

  it('toy-upscale: diffusion super-resolution of the 16×16 input, sharper than bicubic', async () => {
    const graph = loadExample('toy-upscale.json');
    const { save, save_bicubic: bicubic } = await runForPngs(engine, graph);
    const sr = pngImage(save[0]);
    const plain = pngImage(bicubic[0]);
    expect([sr.width, sr.height, plain.width, plain.height]).toEqual([64, 64, 64, 64]);
    expect(readPicture(sr.data)).toMatchObject({ colour: 'green', shape: 'cross', background: 'black' });
    // Sharper: the super-resolved picture is a clean toy picture; bicubic of 16×16 is far from any.
    const srNoise = leftoverNoise(sr.data, clean);
    const bicubicNoise = leftoverNoise(plain.data, clean);
    console.log(`toy-upscale: distance to the nearest clean picture ${srNoise.toFixed(2)} (diffusion) vs ${bicubicNoise.toFixed(2)} (bicubic)`);
    expect(srNoise).toBeLessThan(4);
    expect(bicubicNoise).toBeGreaterThan(3 * srNoise + 4);
  });
});
