/**
 * How a model package's latents look as RGB without its VAE: a linear map per latent channel
 * plus a bias (ComfyUI's "latent2rgb" previews), for live previews during sampling. A package
 * declares its own in model_index.json (`latent_rgb_factors`: one [R, G, B] row per latent
 * channel, optional `latent_rgb_factors_bias`: [R, G, B]); Stable Diffusion 1.x/2.x and SDXL
 * packages without one get the factors ComfyUI publishes for those latent spaces.
 */
import { RuntimeError } from './types.ts';

export interface LatentRgbMap {
  /** One [R, G, B] row per latent channel, applied to UNet-space (scaled) latents. */
  factors: readonly (readonly number[])[];
  /** Added to each RGB value before the [-1, 1] → [0, 1] mapping. */
  bias?: readonly number[];
  /** Where the map comes from, for messages and the models panel. */
  origin: string;
}

export const SD15_LATENT_RGB: LatentRgbMap = {
  factors: [
    [0.3512, 0.2297, 0.3227],
    [0.325, 0.4974, 0.235],
    [-0.2829, 0.1762, 0.2721],
    [-0.212, -0.2616, -0.7177],
  ],
  origin: 'SD 1.x factors',
};

export const SDXL_LATENT_RGB: LatentRgbMap = {
  factors: [
    [0.3651, 0.4232, 0.4341],
    [-0.2533, -0.0042, 0.1068],
    [0.1076, 0.1111, -0.0362],
    [-0.3165, -0.2492, -0.2188],
  ],
  bias: [0.1084, -0.0175, -0.0011],
  origin: 'SDXL factors',
};

const isRgb = (v: unknown): v is number[] => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * The map a package's model_index.json declares, checked; undefined when it declares none.
 * `where` names the package in errors.
 */
export function declaredLatentRgb(modelIndex: Record<string, unknown> | undefined, where: string): LatentRgbMap | undefined {
  const factors = modelIndex?.latent_rgb_factors;
  const bias = modelIndex?.latent_rgb_factors_bias;
  if (factors === undefined) {
    if (bias !== undefined) throw new RuntimeError(`model package ${where}: model_index.json has latent_rgb_factors_bias but no latent_rgb_factors`, 'bad-package', { file: 'model_index.json' });
    return undefined;
  }
  if (!Array.isArray(factors) || factors.length === 0 || !factors.every(isRgb)) {
    throw new RuntimeError(`model package ${where}: model_index.json latent_rgb_factors must be a list of [R, G, B] number rows, one per latent channel`, 'bad-package', { file: 'model_index.json' });
  }
  if (bias !== undefined && !isRgb(bias)) {
    throw new RuntimeError(`model package ${where}: model_index.json latent_rgb_factors_bias must be [R, G, B] numbers`, 'bad-package', { file: 'model_index.json' });
  }
  return { factors, ...(bias !== undefined ? { bias } : {}), origin: `${where} model_index.json` };
}

/** The package's map: declared, else the published one of its pipeline's latent space, else none. */
export function packageLatentRgb(modelIndex: Record<string, unknown> | undefined, where: string): LatentRgbMap | undefined {
  const declared = declaredLatentRgb(modelIndex, where);
  if (declared) return declared;
  const pipeline = typeof modelIndex?._class_name === 'string' ? modelIndex._class_name : '';
  if (/XL/.test(pipeline)) return SDXL_LATENT_RGB;
  if (pipeline === '' || /^StableDiffusion/.test(pipeline) || /LatentConsistency/.test(pipeline)) return SD15_LATENT_RGB;
  return undefined;
}
