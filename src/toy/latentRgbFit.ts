/**
 * toy-shapes' own latent → RGB preview map: its latents are PCA coefficients of pixel patches,
 * nothing like Stable Diffusion's, so SD's published factors give the wrong colours. Fitted by
 * least squares over the training pictures: each latent cell's 4 scaled channels (plus a bias)
 * → the mean RGB, in [-1, 1], of the decoded pixels that cell covers.
 */
import type { ToyFamily } from './family.ts';
import { IMAGE_SIZE } from './dataset.ts';
import { decodeReference, LATENT_CHANNELS, STRIDE } from './vae.ts';
import { solveSpd } from './linalg.ts';

export interface FittedLatentRgb {
  /** [LATENT_CHANNELS][3]. */
  factors: number[][];
  /** [3]. */
  bias: number[];
}

/** Cell-averaged picture [3, h, w] of a decoded [3, H, W] one (H = h · STRIDE). */
export function cellMeans(pixels: Float32Array, size: number, stride = STRIDE): Float32Array {
  const cells = size / stride;
  const out = new Float32Array(3 * cells * cells);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) out[(c * cells + Math.floor(y / stride)) * cells + Math.floor(x / stride)] += pixels[(c * size + y) * size + x];
    }
  }
  return out.map((v) => v / (stride * stride));
}

/** The decoded training picture n, from its scaled latent. */
export function decodedTrainingImage(family: ToyFamily, n: number): Float32Array {
  const { dim, points } = family.latents;
  const cells = IMAGE_SIZE / STRIDE;
  const unscaled = points.subarray(n * dim, (n + 1) * dim).map((v) => v / family.vae.scalingFactor);
  return decodeReference(family.vae, unscaled, cells, cells);
}

export function fitToyLatentRgb(family: ToyFamily): FittedLatentRgb {
  const k = LATENT_CHANNELS + 1;
  const cells = (IMAGE_SIZE / STRIDE) ** 2;
  const normal = new Float64Array(k * k);
  const rhs = [0, 1, 2].map(() => new Float64Array(k));
  const x = new Float64Array(k);
  for (let n = 0; n < family.latents.count; n++) {
    const latent = family.latents.points.subarray(n * family.latents.dim, (n + 1) * family.latents.dim);
    const target = cellMeans(decodedTrainingImage(family, n), IMAGE_SIZE);
    for (let p = 0; p < cells; p++) {
      for (let c = 0; c < LATENT_CHANNELS; c++) x[c] = latent[c * cells + p];
      x[LATENT_CHANNELS] = 1;
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) normal[i * k + j] += x[i] * x[j];
      for (let rgb = 0; rgb < 3; rgb++) for (let i = 0; i < k; i++) rhs[rgb][i] += x[i] * target[rgb * cells + p];
    }
  }
  const solved = rhs.map((b) => solveSpd(normal, b, k));
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  return {
    factors: Array.from({ length: LATENT_CHANNELS }, (_, c) => solved.map((col) => round(col[c]))),
    bias: solved.map((col) => round(col[LATENT_CHANNELS])),
  };
}
