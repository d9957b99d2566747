/**
 * The toy-shapes training data: small images of one coloured shape on a plain background, each
 * with a caption. Everything is rendered procedurally and deterministically, so the models fitted
 * to it (src/toy/*) are reproducible bit for bit.
 */
import { mulberry32, randomInt } from './rng.ts';

export const IMAGE_SIZE = 64;

export const COLOURS = {
  red: [220, 38, 38],
  green: [34, 177, 76],
  blue: [37, 99, 235],
  yellow: [250, 204, 21],
  purple: [147, 51, 234],
} as const satisfies Record<string, readonly [number, number, number]>;

export const BACKGROUNDS = {
  black: [0, 0, 0],
  white: [255, 255, 255],
} as const satisfies Record<string, readonly [number, number, number]>;

export const SHAPES = ['circle', 'square', 'triangle', 'cross'] as const;

export type ColourName = keyof typeof COLOURS;
export type BackgroundName = keyof typeof BACKGROUNDS;
export type ShapeName = (typeof SHAPES)[number];

export const COLOUR_NAMES = Object.keys(COLOURS) as ColourName[];
export const BACKGROUND_NAMES = Object.keys(BACKGROUNDS) as BackgroundName[];

/** Shape sizes (half extent in pixels) and how many placements each (colour, shape, background) gets. */
export const SHAPE_SIZES = [12, 17] as const;
export const PLACEMENTS_PER_SIZE = 3;
const PLACEMENT_SEED = 20260521;
/** Supersampling per axis when rendering, for anti-aliased edges. */
const SUPERSAMPLE = 4;

export interface ShapePlacement {
  shape: ShapeName;
  /** Centre in pixel coordinates (pixel centres are at i + 0.5). */
  cx: number;
  cy: number;
  /** Half extent in pixels. */
  r: number;
}

export interface ToyItem extends ShapePlacement {
  index: number;
  colour: ColourName;
  background: BackgroundName;
  caption: string;
  /** [3, H, W] in [-1, 1], channel-major like an NCHW image tensor without the batch axis. */
  pixels: Float32Array;
}

/** Whether the point (x, y) lies inside the placed shape. */
export function insideShape(p: ShapePlacement, x: number, y: number): boolean {
  const dx = x - p.cx;
  const dy = y - p.cy;
  switch (p.shape) {
    case 'circle':
      return dx * dx + dy * dy <= p.r * p.r;
    case 'square': {
      // Slightly smaller than the bounding box so its area is close to the circle's.
      const h = p.r * 0.88;
      return Math.abs(dx) <= h && Math.abs(dy) <= h;
    }
    case 'triangle': {
      // Upright isosceles: apex at cy - r, base at cy + 0.8 r, base half-width r.
      const top = -p.r;
      const bottom = 0.8 * p.r;
      if (dy < top || dy > bottom) return false;
      return Math.abs(dx) <= (p.r * (dy - top)) / (bottom - top);
    }
    case 'cross': {
      const arm = p.r / 3;
      return (Math.abs(dx) <= p.r && Math.abs(dy) <= arm) || (Math.abs(dy) <= p.r && Math.abs(dx) <= arm);
    }
  }
}

/** Fraction of each pixel covered by the shape, [H*W] in [0, 1] (supersampled). */
export function renderCoverage(p: ShapePlacement, size = IMAGE_SIZE): Float32Array {
  const out = new Float32Array(size * size);
  const n = SUPERSAMPLE;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          if (insideShape(p, x + (sx + 0.5) / n, y + (sy + 0.5) / n)) hits++;
        }
      }
      out[y * size + x] = hits / (n * n);
    }
  }
  return out;
}

/** Paints a coverage mask in `colour` over `background`; result [3, H, W] in [-1, 1]. */
export function paint(
  coverage: Float32Array,
  colour: readonly number[],
  background: readonly number[],
  size = IMAGE_SIZE,
): Float32Array {
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      const v = background[c] + (colour[c] - background[c]) * coverage[i];
      out[c * plane + i] = v / 127.5 - 1;
    }
  }
  return out;
}

export function captionFor(colour: ColourName, shape: ShapeName, background: BackgroundName): string {
  return `a ${colour} ${shape} on ${background}`;
}

/** Every (shape, size, placement) the data uses; the same placements recur for each colour/background. */
export function placements(): ShapePlacement[] {
  const rand = mulberry32(PLACEMENT_SEED);
  const out: ShapePlacement[] = [];
  for (const shape of SHAPES) {
    for (const r of SHAPE_SIZES) {
      for (let k = 0; k < PLACEMENTS_PER_SIZE; k++) {
        const margin = r + 4;
        out.push({ shape, r, cx: randomInt(rand, margin, IMAGE_SIZE - margin), cy: randomInt(rand, margin, IMAGE_SIZE - margin) });
      }
    }
  }
  return out;
}

/** The whole training set, in a fixed order: colour, then background, then placement. */
export function buildDataset(): ToyItem[] {
  const items: ToyItem[] = [];
  const layouts = placements().map((p) => ({ p, coverage: renderCoverage(p) }));
  for (const colour of COLOUR_NAMES) {
    for (const background of BACKGROUND_NAMES) {
      for (const { p, coverage } of layouts) {
        items.push({
          ...p,
          index: items.length,
          colour,
          background,
          caption: captionFor(colour, p.shape, background),
          pixels: paint(coverage, COLOURS[colour], BACKGROUNDS[background]),
        });
      }
    }
  }
  return items;
}
