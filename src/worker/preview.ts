/**
 * Zone previews for the editor: the first carried LATENT, decoded with the VAE wired into the
 * repeat-output's `preview_vae` (a TAESD: fast, asynchronous, downscaled to PREVIEW_MAX_SIDE) or,
 * without one, mapped to RGB by the linear factors of the denoiser's model package.
 */
import type { ZoneIterationInfo } from '../engine/events.ts';
import type { LatentValue } from '../../nodes/types.ts';
import { latentToRgbPreview } from '../../nodes/latent/preview.ts';
import { decodeLatents } from '../../nodes/vae/decodeLatents.ts';
import type { DenoiserHandle, VaeHandle } from '../runtime/handles.ts';
import { SD15_LATENT_RGB, type LatentRgbMap } from '../runtime/latentRgb.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { batchItem } from '../runtime/batch.ts';
import { resizeTensor } from '../tensor/resample.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { imageTensorToRgba } from '../tensor/image.ts';
import { isResident, residentStats } from '../tensor/resident.ts';

/** Longest side of a decoded preview; larger decodes are shrunk (area average). */
export const PREVIEW_MAX_SIDE = 256;

const asTensor = (t: Tensor<'float32'>) => ({ dtype: t.dtype, shape: [...t.shape], data: t.data });

/** A decoded [B, 3, H, W] image → its first item, shrunk to fit maxSide (aspect kept). */
export function shrinkPreview(image: Tensor<'float32'>, maxSide = PREVIEW_MAX_SIDE): Tensor<'float32'> {
  const [, , h, w] = image.shape;
  const first = image.shape[0] > 1 ? batchItem(image, 0) : image;
  const side = Math.max(h, w);
  if (side <= maxSide) return first;
  const scale = maxSide / side;
  return resizeTensor(first, Math.max(1, Math.round(h * scale)), Math.max(1, Math.round(w * scale)), { mode: 'area' });
}

/**
 * The zone preview hook for a host with an ONNX runtime: with a `preview_vae` whose decoder the
 * runtime can run, a Promise of the decoded (shrunk) image; otherwise latentStatePreview.
 */
export function createZonePreview(runtime: () => Runtime | undefined, maxSide = PREVIEW_MAX_SIDE, residentEveryMs = RESIDENT_PREVIEW_MS) {
  let lastResident = -Infinity;
  const preview = (info: ZoneIterationInfo): unknown => {
    const vae = info.previewVae as VaeHandle | undefined;
    const rt = runtime();
    if (!vae?.decoder || !rt) return latentStatePreview(info);
    const latent = firstLatent(info);
    if (!latent?.samples) return undefined;
    return decodeLatents(rt, vae, latent.samples, {
      nodeId: `${info.zone}:preview`,
      items: 1,
      ...(info.signal ? { signal: info.signal } : {}),
    }).then((image) => asTensor(shrinkPreview(image, maxSide)));
  };
  return (info: ZoneIterationInfo): unknown => {
    const samples = firstLatent(info)?.samples as unknown;
    if (!isResident(samples)) return preview(info);
    // A resident latent (WebGPU) is copied to the host for a preview at most every residentEveryMs:
    // the copies a GPU-resident loop exists to avoid.
    const now = performance.now();
    if (now - lastResident < residentEveryMs) return undefined;
    lastResident = now;
    residentStats.previewDownloads++;
    return samples.download().then((host) => preview(withFirstLatent(info, host)));
  };
}

/** Least time between two previews of a resident latent (each one is a GPU → CPU copy). */
export const RESIDENT_PREVIEW_MS = 1000;

/** `info` with its first LATENT's samples replaced (by their host copy). */
function withFirstLatent(info: ZoneIterationInfo, samples: Tensor<'float32'>): ZoneIterationInfo {
  const name = Object.keys(info.types).find((n) => info.types[n] === 'LATENT')!;
  return { ...info, state: { ...info.state, [name]: { ...(info.state[name] as LatentValue), samples } } };
}

function firstLatent(info: ZoneIterationInfo): LatentValue | undefined {
  const name = Object.keys(info.types).find((n) => info.types[n] === 'LATENT');
  return name === undefined ? undefined : (info.state[name] as LatentValue | undefined);
}

/**
 * The linear RGB map for the zone's latents: the one of the denoiser's package (its declared
 * factors, or its latent space's published ones), else SD 1.x's.
 */
export function zoneLatentRgb(info: ZoneIterationInfo): LatentRgbMap {
  return (info.denoiser as DenoiserHandle | undefined)?.latentRgb ?? SD15_LATENT_RGB;
}

export function latentStatePreview(info: ZoneIterationInfo): unknown {
  const latent = firstLatent(info);
  const map = zoneLatentRgb(info);
  if (!latent?.samples || latent.samples.shape[1] !== map.factors.length) return undefined;
  const rgb = latentToRgbPreview(latent.samples, map.factors, map.bias);
  return { dtype: rgb.dtype, shape: [...rgb.shape], data: rgb.data };
}

/** A preview as the page receives it: RGBA bytes (latent resolution, or the shrunk decode), ready for an ImageData. */
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
