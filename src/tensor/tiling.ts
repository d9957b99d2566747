/**
 * Tiled processing of large images with overlap and feathered blending, so that a model that
 * maps [1, C, h, w] → [1, C', s·h, s·w] (an ESRGAN-style upscaler) can run on an image of any
 * size in bounded memory without visible seams.
 *
 * Tiles all have the same size (fixed-shape models accept them); the last tile of a row or
 * column is moved back to end flush with the image edge, so its overlap may be larger. In the
 * output, each tile's weight is 0 on the outer quarter of the overlap at an inner edge (F =
 * overlap · scale pixels), then ramps linearly to 1 at F pixels inside; it stays 1 at image
 * borders; overlapping tiles are averaged by weight (a feathered blend like ComfyUI's tiled
 * upscaling, which ramps from the very edge instead).
 */
import { Tensor, type TensorLike } from './tensor.ts';

export interface TileRect {
  y: number;
  x: number;
  h: number;
  w: number;
}

/** Start offsets of tiles of `tile` pixels covering `size`, stepping by tile − overlap. */
export function tileStarts(size: number, tile: number, overlap: number): number[] {
  if (!Number.isInteger(tile) || tile < 1) throw new Error(`Tile size must be a positive integer, got ${tile}`);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= tile) {
    throw new Error(`Tile overlap must be an integer in [0, ${tile - 1}] for tiles of ${tile}, got ${overlap}`);
  }
  if (size <= tile) return [0];
  const step = tile - overlap;
  const starts: number[] = [];
  for (let s = 0; s + tile < size; s += step) starts.push(s);
  starts.push(size - tile);
  return starts;
}

/** Tiles covering an H × W image, row by row; tiles are `tile` high and `tileWidth` (default `tile`) wide. */
export function planTiles(height: number, width: number, tile: number, overlap: number, tileWidth = tile): TileRect[] {
  const rows = tileStarts(height, tile, overlap);
  const cols = tileStarts(width, tileWidth, overlap);
  const rects: TileRect[] = [];
  for (const y of rows) {
    for (const x of cols) rects.push({ y, x, h: Math.min(tile, height), w: Math.min(tileWidth, width) });
  }
  return rects;
}

/**
 * 1-D blend weights over a tile of `length` output pixels, for each edge that is not an image
 * border: the outer quarter of the feather zone gets weight 0 (a model's output next to a cut
 * edge saw zero padding, not the neighbouring pixels), then a linear ramp up to 1. Two tiles
 * overlapping by exactly `feather` pixels get weights summing to 1 across the ramp.
 */
export function featherRamp(length: number, feather: number, rampStart: boolean, rampEnd: boolean): Float32Array {
  const weights = new Float32Array(length).fill(1);
  const margin = Math.floor(feather / 4);
  const ramp = feather - 2 * margin;
  for (let d = 0; d < Math.min(feather, length); d++) {
    const w = Math.min(1, Math.max(0, (d - margin + 1) / (ramp + 1)));
    if (rampStart) weights[d] = Math.min(weights[d], w);
    if (rampEnd) weights[length - 1 - d] = Math.min(weights[length - 1 - d], w);
  }
  return weights;
}

/** Copies the rectangle `rect` of batch item `b` of a [B, C, H, W] tensor into a [1, C, h, w] tensor. */
export function extractTile(input: TensorLike<'float32'>, b: number, rect: TileRect): Tensor<'float32'> {
  const [, channels, height, width] = input.shape;
  const out = new Float32Array(channels * rect.h * rect.w);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < rect.h; y++) {
      const from = ((b * channels + c) * height + rect.y + y) * width + rect.x;
      out.set(input.data.subarray(from, from + rect.w), (c * rect.h + y) * rect.w);
    }
  }
  return new Tensor('float32', [1, channels, rect.h, rect.w], out);
}

export interface TiledOptions {
  /** Tile height (and width, unless `tileWidth` is given) in input pixels. */
  tileSize: number;
  tileWidth?: number;
  /** Overlap between neighbouring tiles in input pixels. */
  overlap: number;
  /** Integer output/input size ratio of `process`. */
  scale: number;
  signal?: AbortSignal;
  /** Called after each tile (for progress reporting). */
  onTile?(done: number, total: number): void;
}

/**
 * Runs `process` on overlapping tiles of each batch item of a [B, C, H, W] float32 tensor and
 * blends the results into [B, C', s·H, s·W].
 */
export async function runTiled(
  input: TensorLike<'float32'>,
  options: TiledOptions,
  process: (tile: Tensor<'float32'>) => Promise<TensorLike<'float32'>> | TensorLike<'float32'>,
): Promise<Tensor<'float32'>> {
  if (input.shape.length !== 4) throw new Error(`Tiled processing needs a [B, C, H, W] tensor, got [${input.shape.join(', ')}]`);
  const { scale } = options;
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`Tile scale must be a positive integer, got ${scale}`);
  const [batch, , height, width] = input.shape;
  const rects = planTiles(height, width, options.tileSize, options.overlap, options.tileWidth);
  const outH = height * scale;
  const outW = width * scale;
  const feather = options.overlap * scale;
  let outChannels = -1;
  let accum = new Float32Array(0);
  const weightSum = new Float32Array(outH * outW);
  const total = batch * rects.length;
  let done = 0;

  for (let b = 0; b < batch; b++) {
    weightSum.fill(0);
    for (const rect of rects) {
      options.signal?.throwIfAborted();
      const result = await process(extractTile(input, b, rect));
      const [rb, rc, rh, rw] = result.shape;
      if (result.shape.length !== 4 || rb !== 1 || rh !== rect.h * scale || rw !== rect.w * scale) {
        throw new Error(
          `Tile ${rect.w}×${rect.h} at (${rect.x}, ${rect.y}) gave [${result.shape.join(', ')}]; expected [1, C, ${rect.h * scale}, ${rect.w * scale}] for scale ${scale}`,
        );
      }
      if (outChannels < 0) {
        outChannels = rc;
        accum = new Float32Array(batch * outChannels * outH * outW);
      } else if (rc !== outChannels) {
        throw new Error(`Tiles disagree on channel count: ${rc} vs ${outChannels}`);
      }
      const wy = featherRamp(rh, feather, rect.y > 0, rect.y + rect.h < height);
      const wx = featherRamp(rw, feather, rect.x > 0, rect.x + rect.w < width);
      const oy = rect.y * scale;
      const ox = rect.x * scale;
      for (let y = 0; y < rh; y++) {
        const rowOut = (oy + y) * outW + ox;
        for (let x = 0; x < rw; x++) weightSum[rowOut + x] += wy[y] * wx[x];
      }
      for (let c = 0; c < rc; c++) {
        const plane = (b * outChannels + c) * outH * outW;
        for (let y = 0; y < rh; y++) {
          const rowOut = plane + (oy + y) * outW + ox;
          const rowIn = (c * rh + y) * rw;
          for (let x = 0; x < rw; x++) accum[rowOut + x] += wy[y] * wx[x] * result.data[rowIn + x];
        }
      }
      options.onTile?.(++done, total);
    }
    for (let c = 0; c < outChannels; c++) {
      const plane = (b * outChannels + c) * outH * outW;
      for (let i = 0; i < outH * outW; i++) accum[plane + i] /= weightSum[i];
    }
  }
  return new Tensor('float32', [batch, outChannels, outH, outW], accum);
}

/** Pads a [B, C, H, W] tensor at the bottom and right to at least minH × minW by repeating edge pixels. */
export function padToAtLeast(input: TensorLike<'float32'>, minH: number, minW: number): Tensor<'float32'> {
  const [batch, channels, height, width] = input.shape;
  const outH = Math.max(height, minH);
  const outW = Math.max(width, minW);
  const out = new Float32Array(batch * channels * outH * outW);
  for (let p = 0; p < batch * channels; p++) {
    for (let y = 0; y < outH; y++) {
      const srcRow = p * height * width + Math.min(y, height - 1) * width;
      const dstRow = (p * outH + y) * outW;
      for (let x = 0; x < outW; x++) out[dstRow + x] = input.data[srcRow + Math.min(x, width - 1)];
    }
  }
  return new Tensor('float32', [batch, channels, outH, outW], out);
}

/** The top-left h × w of a [B, C, H, W] tensor. */
export function cropTopLeft(input: TensorLike<'float32'>, h: number, w: number): Tensor<'float32'> {
  const [batch, channels, height, width] = input.shape;
  if (h > height || w > width) throw new Error(`Cannot crop ${w}×${h} from a ${width}×${height} tensor`);
  const out = new Float32Array(batch * channels * h * w);
  for (let p = 0; p < batch * channels; p++) {
    for (let y = 0; y < h; y++) {
      const from = (p * height + y) * width;
      out.set(input.data.subarray(from, from + w), (p * h + y) * w);
    }
  }
  return new Tensor('float32', [batch, channels, h, w], out);
}
