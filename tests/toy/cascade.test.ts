/**
 * The DALL·E 2-shaped cascade on toy-shapes, through real sessions: prior (text → image
 * embedding) → decoder (embedding → 32×32) → super-resolution (32×32 → 64×64).
 */
import { downsample2x } from '../../src/toy/family.ts';
import { cascade, openToy, type Toy } from './directSampler.ts';
import { readPicture } from './analysis.ts';

let toy: Toy;

/** RMS (0–255) between a 64×64 picture shrunk 2× and a 32×32 one. */
function shrunkDistance(image: Float32Array, lowRes: Float32Array): number {
  const shrunk = downsample2x(image.map((v) => v * 2 - 1), 64).map((v) => (v + 1) / 2);
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
  ])('"%s": a 64×64 picture that follows the prompt and refines the 32×32 one', async (prompt, expected) => {
    for (const seed of [0, 1]) {
      const { embedding, lowRes, image } = await cascade(toy, { prompt, seed });
      expect(embedding.length).toBe(16);
      expect(lowRes.length).toBe(3 * 32 * 32);
      expect(image.length).toBe(3 * 64 * 64);
      const r = readPicture(image);
      expect({ colour: r.colour, shape: r.shape, background: r.background }, `seed ${seed}`).toEqual(expected);
      // The super-resolved picture, shrunk back, is the low-resolution one (it adds detail, not content).
      const rms = shrunkDistance(image, lowRes);
      console.log(`${prompt} seed ${seed}: low-res vs shrunk super-resolved RMS ${rms.toFixed(1)}`);
      expect(rms, `seed ${seed}: low-res vs shrunk high-res RMS`).toBeLessThan(25);
    }
  });

  it('the distance check separates matching and unrelated stages', async () => {
    const a = await cascade(toy, { prompt: 'a green cross on black', seed: 3 });
    const b = await cascade(toy, { prompt: 'a yellow circle on black', seed: 3 });
    expect(shrunkDistance(a.image, a.lowRes)).toBeLessThan(25);
    expect(shrunkDistance(a.image, b.lowRes)).toBeGreaterThan(25);
  });
});
