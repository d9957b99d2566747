import { featherRamp, planTiles, runTiled, tileStarts } from '../../src/tensor/tiling.ts';
import { scaleTensor } from '../../src/tensor/resample.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

function randomImage(shape: number[], seed = 7): Tensor<'float32'> {
  let s = seed;
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = s / 2147483648;
  }
  return Tensor.float32(shape, data);
}

/** A 3×3 box blur with edge replication: a model with a receptive field, so tile edges differ. */
function boxBlur(t: Tensor<'float32'>): Tensor<'float32'> {
  const [b, c, h, w] = t.shape;
  const out = new Float32Array(t.size);
  const at = (p: number, y: number, x: number) =>
    t.data[p * h * w + Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))];
  for (let p = 0; p < b * c; p++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) acc += at(p, y + dy, x + dx);
        out[p * h * w + y * w + x] = acc / 9;
      }
    }
  }
  return Tensor.float32(t.shape, out);
}

const maxAbsDiff = (a: Tensor<'float32'>, b: Tensor<'float32'>) => {
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
};

describe('tile planning', () => {
  it('steps by tile − overlap and ends flush with the edge', () => {
    expect(tileStarts(100, 64, 8)).toEqual([0, 36]);
    expect(tileStarts(10, 4, 1)).toEqual([0, 3, 6]);
    expect(tileStarts(200, 64, 16)).toEqual([0, 48, 96, 136]);
    expect(tileStarts(64, 64, 8)).toEqual([0]);
    expect(tileStarts(30, 64, 8)).toEqual([0]);
  });

  it('covers every pixel, with every tile inside the image', () => {
    for (const [h, w, tile, overlap] of [[37, 53, 16, 4], [8, 100, 32, 0], [129, 65, 64, 16]]) {
      const covered = new Uint8Array(h * w);
      for (const r of planTiles(h, w, tile, overlap)) {
        expect(r.y + r.h).toBeLessThanOrEqual(h);
        expect(r.x + r.w).toBeLessThanOrEqual(w);
        for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) covered[y * w + x] = 1;
      }
      expect(covered.every((v) => v === 1)).toBe(true);
    }
  });

  it('rejects overlaps that leave no step', () => {
    expect(() => tileStarts(100, 16, 16)).toThrow(/overlap/);
    expect(() => tileStarts(100, 0, 0)).toThrow(/Tile size/);
  });

  it('ramps weights only at inner edges, dropping the outer quarter of the overlap', () => {
    expect([...featherRamp(6, 2, true, false)]).toEqual([1 / 3, 2 / 3, 1, 1, 1, 1].map(Math.fround));
    expect([...featherRamp(6, 2, false, true)]).toEqual([1, 1, 1, 1, 2 / 3, 1 / 3].map(Math.fround));
    expect([...featherRamp(4, 0, true, true)]).toEqual([1, 1, 1, 1]);
    expect([...featherRamp(10, 8, true, false)]).toEqual([0, 0, 0.2, 0.4, 0.6, 0.8, 1, 1, 1, 1].map(Math.fround));
  });

  it('gives two tiles overlapping by the feather width weights that sum to one', () => {
    const left = featherRamp(12, 8, false, true);
    const right = featherRamp(12, 8, true, false);
    for (let d = 0; d < 8; d++) expect(left[4 + d] + right[d]).toBeCloseTo(1, 6);
  });
});

describe('runTiled', () => {
  it('equals the untiled result exactly for a pixel-local ×2 model, whatever the tiling', async () => {
    const image = randomImage([2, 3, 37, 29]);
    const whole = scaleTensor(image, 2, 'nearest');
    for (const [tileSize, overlap] of [[16, 4], [10, 0], [64, 8], [7, 3]]) {
      let calls = 0;
      const tiled = await runTiled(image, { tileSize, overlap, scale: 2 }, (tile) => {
        calls++;
        expect(tile.shape[2]).toBeLessThanOrEqual(tileSize);
        return scaleTensor(tile, 2, 'nearest');
      });
      expect(tiled.shape).toEqual([2, 3, 74, 58]);
      expect(maxAbsDiff(tiled, whole)).toBeLessThan(1e-6);
      expect(calls).toBe(2 * planTiles(37, 29, tileSize, overlap).length);
    }
  });

  it('hides seams of a model with a receptive field when tiles overlap', async () => {
    const image = randomImage([1, 1, 48, 48], 3);
    const model = (t: Tensor<'float32'>) => scaleTensor(boxBlur(t), 2, 'nearest');
    const whole = model(image);
    const noOverlap = await runTiled(image, { tileSize: 16, overlap: 0, scale: 2 }, model);
    const overlapped = await runTiled(image, { tileSize: 16, overlap: 6, scale: 2 }, model);
    const seamError = maxAbsDiff(noOverlap, whole);
    const blendedError = maxAbsDiff(overlapped, whole);
    expect(seamError).toBeGreaterThan(0.05);
    // The blur reaches 1 pixel past a cut; the dropped quarter of a 6-pixel overlap covers it.
    expect(blendedError).toBeLessThan(1e-6);
  });

  it('reports progress per tile and stops when aborted', async () => {
    const image = randomImage([1, 1, 20, 20]);
    const seen: string[] = [];
    await runTiled(image, { tileSize: 12, overlap: 4, scale: 1, onTile: (d, t) => seen.push(`${d}/${t}`) }, (t) => t);
    expect(seen).toEqual(['1/4', '2/4', '3/4', '4/4']);
    const controller = new AbortController();
    const run = runTiled(image, { tileSize: 12, overlap: 4, scale: 1, signal: controller.signal }, (t) => {
      controller.abort();
      return t;
    });
    await expect(run).rejects.toThrow();
  });

  it('names the tile when the model returns the wrong size', async () => {
    const image = randomImage([1, 3, 20, 20]);
    await expect(runTiled(image, { tileSize: 12, overlap: 4, scale: 2 }, (t) => t)).rejects.toThrow(
      /Tile 12×12 at \(0, 0\) gave \[1, 3, 12, 12\]; expected \[1, C, 24, 24\]/,
    );
  });
});
