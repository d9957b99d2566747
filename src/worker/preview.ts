/** Zone previews for the editor: the first carried LATENT, mapped to RGB without the VAE. */
import type { ZoneIterationInfo } from '../engine/events.ts';
import type { LatentValue } from '../../nodes/types.ts';
import { latentToRgbPreview } from '../../nodes/latent/preview.ts';
import { imageTensorToRgba } from '../tensor/image.ts';

export function latentStatePreview(info: ZoneIterationInfo): unknown {
  const name = Object.keys(info.types).find((n) => info.types[n] === 'LATENT');
  if (name === undefined) return undefined;
  const latent = info.state[name] as LatentValue | undefined;
  if (!latent?.samples || latent.samples.shape[1] !== 4) return undefined;
  const rgb = latentToRgbPreview(latent.samples);
  return { dtype: rgb.dtype, shape: [...rgb.shape], data: rgb.data };
}

/** A preview as the page receives it: latent-resolution RGBA bytes, ready for an ImageData. */
export interface RgbaPreview {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/**
 * The RGB preview tensor of latentStatePreview as RGBA bytes (first batch item). Done only for
 * the progress events actually sent, so the page never decodes or encodes anything to show it.
 */
export function toRgbaPreview(preview: unknown): RgbaPreview | undefined {
  const t = preview as { dtype?: unknown; shape?: unknown; data?: unknown } | undefined;
  if (!t || !Array.isArray(t.shape) || !(t.data instanceof Float32Array) || t.shape.length !== 4 || t.shape[1] !== 3) return undefined;
  const rgba = imageTensorToRgba({ dtype: 'float32', shape: t.shape as number[], data: t.data });
  return { width: rgba.width, height: rgba.height, data: new Uint8ClampedArray(rgba.data.buffer, rgba.data.byteOffset, rgba.data.byteLength) };
}
