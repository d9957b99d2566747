/**
 * Reading a generated toy picture back: its background, the dominant colour of its foreground,
 * its shape (best overlap with the rendered masks of every placement in the data), and how much
 * leftover noise it carries. Images are [3, H, W] in [0, 1] (the IMAGE convention).
 */
import { BACKGROUNDS, BACKGROUND_NAMES, COLOURS, COLOUR_NAMES, IMAGE_SIZE, placements, renderCoverage, type BackgroundName, type ColourName, type ShapeName } from '../../src/toy/dataset.ts';

const SIZE = IMAGE_SIZE;
const PLANE = SIZE * SIZE;
const MASKS = placements().map((p) => ({ shape: p.shape, mask: renderCoverage(p) }));

function rgbAt(img: Float32Array, i: number): [number, number, number] {
  return [img[i] * 255, img[PLANE + i] * 255, img[2 * PLANE + i] * 255];
}

function dist(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

function nearest<K extends string>(rgb: readonly number[], table: Record<K, readonly number[]>, names: readonly K[]): K {
  let best = names[0];
  for (const n of names) if (dist(rgb, table[n]) < dist(rgb, table[best])) best = n;
  return best;
}

export interface PictureReading {
  background: BackgroundName;
  colour: ColourName;
  shape: ShapeName;
  /** Intersection over union of the foreground with the best-matching mask. */
  shapeIou: number;
  foregroundFraction: number;
}

/** Reads one 64×64 image [3,64,64] in [0,1]. */
export function readPicture(img: Float32Array): PictureReading {
  if (img.length !== 3 * PLANE) throw new Error(`readPicture: expected a [3,${SIZE},${SIZE}] image, got ${img.length} values`);
  // Background: mean colour of the outer ring (shapes keep a margin from the border).
  const ring = [0, 0, 0];
  let count = 0;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      if (y > 1 && y < SIZE - 2 && x > 1 && x < SIZE - 2) continue;
      const c = rgbAt(img, y * SIZE + x);
      for (let k = 0; k < 3; k++) ring[k] += c[k];
      count++;
    }
  }
  const bgRgb = ring.map((v) => v / count);
  const background = nearest(bgRgb, BACKGROUNDS, BACKGROUND_NAMES);
  const mask = new Float32Array(PLANE);
  const core = [0, 0, 0];
  let coreCount = 0;
  let fg = 0;
  for (let i = 0; i < PLANE; i++) {
    const c = rgbAt(img, i);
    const d = dist(c, bgRgb);
    mask[i] = d > 60 ? 1 : 0;
    fg += mask[i];
    if (d > 120) {
      for (let k = 0; k < 3; k++) core[k] += c[k];
      coreCount++;
    }
  }
  const colour = nearest(coreCount ? core.map((v) => v / coreCount) : [0, 0, 0], COLOURS, COLOUR_NAMES);
  let shape: ShapeName = MASKS[0].shape;
  let shapeIou = -1;
  for (const m of MASKS) {
    let inter = 0;
    let union = 0;
    for (let i = 0; i < PLANE; i++) {
      const t = m.mask[i] > 0.5 ? 1 : 0;
      inter += t & mask[i];
      union += t | mask[i];
    }
    const iou = union ? inter / union : 0;
    if (iou > shapeIou) [shape, shapeIou] = [m.shape, iou];
  }
  return { background, colour, shape, shapeIou, foregroundFraction: fg / PLANE };
}

/**
 * Leftover noise: RMS distance (0–255 scale) from the image to the nearest clean picture the toy
 * model can make (the VAE reconstructions of the training images). The exact denoiser's samples
 * land on one of them; residual noise, a half-finished schedule or a blend shows up as distance.
 */
export function leftoverNoise(img: Float32Array, cleanPictures: readonly Float32Array[]): number {
  let best = Infinity;
  for (const ref of cleanPictures) {
    let sum = 0;
    for (let i = 0; i < img.length && sum < best; i++) sum += (img[i] - ref[i]) ** 2;
    best = Math.min(best, sum);
  }
  return Math.sqrt(best / img.length) * 255;
}
