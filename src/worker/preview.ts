/** Zone previews for the editor: the first carried LATENT, mapped to RGB without the VAE. */
import type { ZoneIterationInfo } from '../engine/events.ts';
import type { LatentValue } from '../../nodes/types.ts';
import { latentToRgbPreview } from '../../nodes/latent/preview.ts';

export function latentStatePreview(info: ZoneIterationInfo): unknown {
  const name = Object.keys(info.types).find((n) => info.types[n] === 'LATENT');
  if (name === undefined) return undefined;
  const latent = info.state[name] as LatentValue | undefined;
  if (!latent?.samples || latent.samples.shape[1] !== 4) return undefined;
  const rgb = latentToRgbPreview(latent.samples);
  return { dtype: rgb.dtype, shape: [...rgb.shape], data: rgb.data };
}
