/**
 * The toy autoencoder, fitted in closed form:
 *  - encoder: subtract the per-channel data mean, then a 16x16 convolution with stride 8 and
 *    padding 4 whose four filters are principal components of the (overlapping) patches it
 *    reads — PCA as a strided convolution (see fitVae for the constraint that keeps colour);
 *  - decoder: the transposed convolution (same geometry) whose weights are the least-squares
 *    best reconstruction of the pixels from the latents, then add the mean back.
 * Images are [3, H, W] in [-1, 1]; latents [4, H/8, W/8] as in Stable Diffusion. Works at any
 * H, W divisible by 8.
 */
import { symmetricEigen, solveSpd } from './linalg.ts';

export const LATENT_CHANNELS = 4;
export const STRIDE = 4;
/** Each latent cell reads (and writes back) a window twice its stride, so neighbouring cells overlap. */
export const KERNEL = 2 * STRIDE;
export const PAD = STRIDE / 2;
/**
 * Standard deviation of the scaled latents. Not 1: the toy latents have 1024 values with a large
 * shared component (the background), and under Stable Diffusion's schedule (ᾱ = 0.0047 at
 * t = 999) pure noise at unit scale already "decides" the picture in the first step, ignoring the
 * prompt — the toy version of SD's known brightness bias. At 0.5 the first steps carry ~4x less
 * information about the training images, and sampling follows the prompt.
 */
export const LATENT_STD = 0.5;
const PATCH = 3 * KERNEL * KERNEL;

export interface VaeWeights {
  /** Per-channel mean of the training pixels, [3]. */
  mean: Float32Array;
  /** Encoder Conv weight [4, 3, 8, 8]. */
  encoder: Float32Array;
  /** Decoder ConvTranspose weight [4, 3, 8, 8]. */
  decoder: Float32Array;
  /** Latent scale so scaled latents have unit standard deviation over the training data. */
  scalingFactor: number;
}

function centred(pixels: Float32Array, mean: ArrayLike<number>, plane: number): Float64Array {
  const out = new Float64Array(pixels.length);
  for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) out[c * plane + i] = pixels[c * plane + i] - mean[c];
  return out;
}

/** Encoder convolution in plain TS (float64 accumulation): image [3,H,W] → latent [4,H/8,W/8], unscaled. */
export function encodeReference(w: VaeWeights, pixels: Float32Array, h: number, wd: number): Float32Array {
  const lh = h / STRIDE;
  const lw = wd / STRIDE;
  const x = centred(pixels, w.mean, h * wd);
  const out = new Float32Array(LATENT_CHANNELS * lh * lw);
  for (let k = 0; k < LATENT_CHANNELS; k++) {
    for (let iy = 0; iy < lh; iy++) {
      for (let ix = 0; ix < lw; ix++) {
        let sum = 0;
        for (let c = 0; c < 3; c++) {
          for (let ky = 0; ky < KERNEL; ky++) {
            const y = iy * STRIDE - PAD + ky;
            if (y < 0 || y >= h) continue;
            for (let kx = 0; kx < KERNEL; kx++) {
              const xx = ix * STRIDE - PAD + kx;
              if (xx < 0 || xx >= wd) continue;
              sum += w.encoder[((k * 3 + c) * KERNEL + ky) * KERNEL + kx] * x[(c * h + y) * wd + xx];
            }
          }
        }
        out[(k * lh + iy) * lw + ix] = sum;
      }
    }
  }
  return out;
}

/** Decoder transposed convolution in plain TS: latent [4,h,w] (unscaled) → image [3,8h,8w]. */
export function decodeReference(w: VaeWeights, latent: Float32Array, lh: number, lw: number): Float32Array {
  const h = lh * STRIDE;
  const wd = lw * STRIDE;
  const out = new Float64Array(3 * h * wd);
  for (let k = 0; k < LATENT_CHANNELS; k++) {
    for (let iy = 0; iy < lh; iy++) {
      for (let ix = 0; ix < lw; ix++) {
        const z = latent[(k * lh + iy) * lw + ix];
        for (let c = 0; c < 3; c++) {
          for (let ky = 0; ky < KERNEL; ky++) {
            const y = iy * STRIDE - PAD + ky;
            if (y < 0 || y >= h) continue;
            for (let kx = 0; kx < KERNEL; kx++) {
              const xx = ix * STRIDE - PAD + kx;
              if (xx < 0 || xx >= wd) continue;
              out[(c * h + y) * wd + xx] += z * w.decoder[((k * 3 + c) * KERNEL + ky) * KERNEL + kx];
            }
          }
        }
      }
    }
  }
  const img = new Float32Array(out.length);
  for (let c = 0; c < 3; c++) for (let i = 0; i < h * wd; i++) img[c * h * wd + i] = out[c * h * wd + i] + w.mean[c];
  return img;
}

/** Tent window over the taps, peaking in the middle of the cell. */
const WINDOW_1D = Array.from({ length: KERNEL }, (_, i) => (i < STRIDE ? 2 * i + 1 : 2 * (KERNEL - i) - 1) / (STRIDE * STRIDE));

/**
 * Fits the autoencoder to images [3,size,size] in [-1,1]. Plain patch PCA spends all four
 * channels on luminance (black/white backgrounds dominate the variance) and loses colour, so
 * the encoder is PCA under a constraint: channels 0-2 are the three colour principal axes seen
 * through a smooth window (so flat colours survive exactly), channel 3 is the top principal
 * spatial component, along the main colour axis, of what the window leaves out (edges, detail).
 */
export function fitVae(images: readonly Float32Array[], size: number): VaeWeights {
  const plane = size * size;
  const meanAcc = [0, 0, 0];
  for (const img of images) for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) meanAcc[c] += img[c * plane + i];
  const mean = Float32Array.from(meanAcc, (s) => s / (images.length * plane));

  const colourMoment = new Float64Array(9);
  for (const img of images) {
    for (let i = 0; i < plane; i++) {
      for (let a = 0; a < 3; a++) {
        const va = img[a * plane + i] - mean[a];
        for (let b = 0; b < 3; b++) colourMoment[a * 3 + b] += va * (img[b * plane + i] - mean[b]);
      }
    }
  }
  const colourAxes = symmetricEigen(colourMoment, 3).vectors;
  const window = new Float64Array(KERNEL * KERNEL);
  for (let ky = 0; ky < KERNEL; ky++) for (let kx = 0; kx < KERNEL; kx++) window[ky * KERNEL + kx] = WINDOW_1D[ky] * WINDOW_1D[kx];
  const detail = topDetailProfile(images, mean, size, colourAxes.subarray(0, 3), window);
  const encoder = new Float32Array(LATENT_CHANNELS * PATCH);
  const spatial = KERNEL * KERNEL;
  for (let c = 0; c < 3; c++) {
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < spatial; i++) encoder[(k * 3 + c) * spatial + i] = colourAxes[k * 3 + c] * window[i];
    }
    for (let i = 0; i < spatial; i++) encoder[(3 * 3 + c) * spatial + i] = colourAxes[c] * detail[i];
  }

  const partial: VaeWeights = { mean, encoder, decoder: new Float32Array(encoder.length), scalingFactor: 1 };
  const latents = images.map((img) => encodeReference(partial, img, size, size));
  let sq = 0;
  for (const z of latents) for (const v of z) sq += v * v;
  partial.scalingFactor = LATENT_STD / Math.sqrt(sq / (latents.length * latents[0].length));
  partial.decoder = fitDecoder(images, latents, mean, size);
  return partial;
}

/**
 * The detail channel's spatial profile: the top principal component of the zero-padded patches
 * (as the encoder convolution reads them, projected on the main colour axis) orthogonal to the
 * window, by power iteration on their second-moment matrix.
 */
function topDetailProfile(
  images: readonly Float32Array[],
  mean: Float32Array,
  size: number,
  axis: ArrayLike<number>,
  window: Float64Array,
): Float64Array {
  const lsize = size / STRIDE;
  const n = KERNEL * KERNEL;
  const moment = new Float64Array(n * n);
  const patch = new Float64Array(n);
  for (const img of images) {
    const x = centred(img, mean, size * size);
    const luma = new Float64Array(size * size);
    for (let c = 0; c < 3; c++) for (let i = 0; i < size * size; i++) luma[i] += axis[c] * x[c * size * size + i];
    for (let iy = 0; iy < lsize; iy++) {
      for (let ix = 0; ix < lsize; ix++) {
        for (let ky = 0; ky < KERNEL; ky++) {
          const y = iy * STRIDE - PAD + ky;
          for (let kx = 0; kx < KERNEL; kx++) {
            const xx = ix * STRIDE - PAD + kx;
            patch[ky * KERNEL + kx] = y >= 0 && y < size && xx >= 0 && xx < size ? luma[y * size + xx] : 0;
          }
        }
        for (let i = 0; i < n; i++) {
          const pi = patch[i];
          if (pi === 0) continue;
          for (let j = i; j < n; j++) moment[i * n + j] += pi * patch[j];
        }
      }
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) moment[i * n + j] = moment[j * n + i];
  let wnorm = 0;
  for (const w of window) wnorm += w * w;
  const project = (v: Float64Array): Float64Array => {
    let d = 0;
    for (let i = 0; i < n; i++) d += v[i] * window[i];
    return v.map((x, i) => x - (d / wnorm) * window[i]);
  };
  let v = project(Float64Array.from({ length: n }, (_, i) => 1 + (i % 7) / 7));
  for (let iter = 0; iter < 200; iter++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += moment[i * n + j] * v[j];
      next[i] = s;
    }
    const p = project(next);
    let norm = 0;
    for (const x of p) norm += x * x;
    v = p.map((x) => x / Math.sqrt(norm));
  }
  let big = 0;
  for (const x of v) if (Math.abs(x) > Math.abs(big)) big = x;
  return big < 0 ? v.map((x) => -x) : v;
}

/**
 * Least-squares decoder. Each output pixel (oy, ox) is a linear function of the 2x2 latent cells
 * that overlap it (4 channels each); pixels with the same phase ((oy+PAD) mod 4, (ox+PAD) mod 4)
 * share the 16 kernel taps, so each phase is an independent 16-unknown normal-equation solve.
 */
function fitDecoder(images: readonly Float32Array[], latents: readonly Float32Array[], mean: Float32Array, size: number): Float32Array {
  const lsize = size / STRIDE;
  const n = LATENT_CHANNELS * 4;
  const gram = Array.from({ length: STRIDE * STRIDE }, () => new Float64Array(n * n));
  const rhs = Array.from({ length: STRIDE * STRIDE }, () => new Float64Array(n * 3));
  const feat = new Float64Array(n);
  images.forEach((img, m) => {
    const z = latents[m];
    for (let oy = 0; oy < size; oy++) {
      const py = (oy + PAD) % STRIDE;
      const qy = Math.floor((oy + PAD) / STRIDE);
      for (let ox = 0; ox < size; ox++) {
        const px = (ox + PAD) % STRIDE;
        const qx = Math.floor((ox + PAD) / STRIDE);
        for (let k = 0; k < LATENT_CHANNELS; k++) {
          for (let a = 0; a < 2; a++) {
            for (let b = 0; b < 2; b++) {
              const iy = qy - a;
              const ix = qx - b;
              const ok = iy >= 0 && iy < lsize && ix >= 0 && ix < lsize;
              feat[k * 4 + a * 2 + b] = ok ? z[(k * lsize + iy) * lsize + ix] : 0;
            }
          }
        }
        const g = gram[py * STRIDE + px];
        const r = rhs[py * STRIDE + px];
        for (let i = 0; i < n; i++) {
          const fi = feat[i];
          if (fi === 0) continue;
          for (let j = i; j < n; j++) g[i * n + j] += fi * feat[j];
          for (let c = 0; c < 3; c++) r[c * n + i] += fi * (img[(c * size + oy) * size + ox] - mean[c]);
        }
      }
    }
  });
  // Only the upper triangles were accumulated; mirror them (products commute, so this is exact).
  for (const g of gram) for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) g[i * n + j] = g[j * n + i];
  const decoder = new Float32Array(LATENT_CHANNELS * 3 * KERNEL * KERNEL);
  for (let py = 0; py < STRIDE; py++) {
    for (let px = 0; px < STRIDE; px++) {
      const g = gram[py * STRIDE + px];
      let trace = 0;
      for (let i = 0; i < n; i++) trace += g[i * n + i];
      for (let i = 0; i < n; i++) g[i * n + i] += 1e-9 * trace; // tiny ridge keeps the solve well posed
      for (let c = 0; c < 3; c++) {
        const sol = solveSpd(g, rhs[py * STRIDE + px].subarray(c * n, c * n + n), n);
        for (let k = 0; k < LATENT_CHANNELS; k++) {
          for (let a = 0; a < 2; a++) {
            for (let b = 0; b < 2; b++) {
              const ky = py + a * STRIDE;
              const kx = px + b * STRIDE;
              decoder[((k * 3 + c) * KERNEL + ky) * KERNEL + kx] = sol[k * 4 + a * 2 + b];
            }
          }
        }
      }
    }
  }
  return decoder;
}
