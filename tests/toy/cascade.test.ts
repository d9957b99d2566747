/**
 * The DALL·E 2-shaped cascade on toy-shapes, through real sessions: prior (text → image
 * embedding) → decoder (embedding → 16×16) → super-resolution (16×16 → 64×64).
 */
import { lowResOf } from '../../src/toy/family.ts';
import * as ort from 'onnxruntime-node';
import { buildDataset } from '../../src/toy/dataset.ts';
import { cascade, decodeLatent, openToy, sampleLatent, type Toy } from './directSampler.ts';
import { readPicture } from './analysis.ts';
import { writeContactSheet } from './contactSheet.ts';

let toy: Toy;

/** RMS (0–255) between a 64×64 picture shrunk 4× and a 16×16 one. */
function shrunkDistance(image: Float32Array, lowRes: Float32Array): number {
  const shrunk = lowResOf(image.map((v) => v * 2 - 1)).map((v) => (v + 1) / 2);
  let sq = 0;
  for (let i = 0; i < shrunk.length; i++) sq += (shrunk[i] - lowRes[i]) ** 2;
  return Math.sqrt(sq / shrunk.length) * 255;
}
beforeAll(async () => {
  toy = await openToy();
});

describe('toy-shapes cascade', () => {
  it.each([
    ['a red circle on black', { colour: 'red', shape: 'circle', background: 'black' }],
    ['a blue cross on white', { colour: 'blue', shape: 'cross', background: 'white' }],
    ['a yellow triangle on black', { colour: 'yellow', shape: 'triangle', background: 'black' }],
    ['a purple square on white', { colour: 'purple', shape: 'square', background: 'white' }],
  ])('"%s": a 64×64 picture that follows the prompt and refines the 16×16 one', async (prompt, expected) => {
    for (const seed of [0, 1]) {
      const { embedding, lowRes, image } = await cascade(toy, { prompt, seed });
      writeContactSheet(`toy-cascade-${prompt.replaceAll(' ', '-')}-${seed}.png`, [{ data: lowRes, size: 16 }, { data: image, size: 64 }], 64, 2);
      expect(embedding.length).toBe(16);
      expect(lowRes.length).toBe(3 * 16 * 16);
      expect(image.length).toBe(3 * 64 * 64);
      const r = readPicture(image);
      expect({ colour: r.colour, shape: r.shape, background: r.background }, `seed ${seed}`).toEqual(expected);
      // The super-resolved picture, shrunk back, is the low-resolution one (it adds detail, not content).
      const rms = shrunkDistance(image, lowRes);
      console.log(`${prompt} seed ${seed}: low-res vs shrunk super-resolved RMS ${rms.toFixed(1)}`);
      expect(rms, `seed ${seed}: low-res vs shrunk high-res RMS`).toBeLessThan(10);
    }
  });

  it('the distance check separates matching and unrelated stages', async () => {
    const a = await cascade(toy, { prompt: 'a green cross on black', seed: 3 });
    const b = await cascade(toy, { prompt: 'a yellow circle on black', seed: 3 });
    expect(shrunkDistance(a.image, a.lowRes)).toBeLessThan(10);
    expect(shrunkDistance(a.image, b.lowRes)).toBeGreaterThan(10);
  });

  it('super-resolution alone (empty prompt) redraws a 16×16 picture at 64×64', async () => {
    const items = buildDataset().filter((_, n) => n % 37 === 5);
    for (const item of items) {
      const lowRes = lowResOf(item.pixels).map((v) => (v + 1) / 2);
      const latent = await sampleLatent(toy, {
        prompt: '', seed: item.index, guidance: 1, model: toy.superResolution, shape: [1, 4, 16, 16],
        extraFeeds: { image: new ort.Tensor('float32', lowRes, [1, 3, 16, 16]) },
      });
      const r = readPicture(await decodeLatent(toy, latent, 16, 16));
      expect({ colour: r.colour, shape: r.shape, background: r.background }, item.caption).toEqual({ colour: item.colour, shape: item.shape, background: item.background });
    }
  });
});
