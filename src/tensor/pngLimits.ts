/**
 * Limits that keep a hostile PNG from taking the process's memory: the declared size is checked
 * from IHDR before anything is inflated, and every inflation (image data, compressed text) stops
 * as soon as its output passes what it may produce, instead of after a bomb has expanded.
 */
import { Unzlib } from 'fflate';

/** Largest side a PNG may declare (the size `image/resize` allows too). */
export const PNG_MAX_SIDE = 16384;
/** Largest pixel count: 64 Mpixel, i.e. 256 MiB of RGBA and 768 MiB as a float RGB tensor. */
export const PNG_MAX_PIXELS = 64 * 1024 * 1024;
/** What the compressed text chunks of one file may inflate to, all together (graphs are far smaller). */
export const PNG_MAX_TEXT_BYTES = 32 * 1024 * 1024;

/**
 * Input is fed to the inflater in slices this large: one slice inflates to at most ~1032× its size
 * (deflate's densest case), so a bomb is caught within ~16 MiB past its limit.
 */
const INFLATE_SLICE = 16 * 1024;

/** Refuses a declared size over the side or pixel limit, naming the file and the size. */
export function checkPngSize(width: number, height: number, source: string): void {
  if (width < 1 || height < 1) throw new Error(`${source}: PNG has an empty size ${width}×${height}`);
  if (width > PNG_MAX_SIDE || height > PNG_MAX_SIDE || width * height > PNG_MAX_PIXELS) {
    const mpixel = ((width * height) / (1024 * 1024)).toFixed(1);
    throw new Error(
      `${source}: PNG is ${width}×${height} (${mpixel} Mpixel), more than the ${PNG_MAX_SIDE} pixels per side and ${PNG_MAX_PIXELS / (1024 * 1024)} Mpixel allowed`,
    );
  }
}

/**
 * Inflates zlib `parts` (one stream split over chunks, as IDAT is) into at most `limit` bytes.
 * `exact` preallocates the whole `limit` (the image data's expected size) and returns the filled
 * prefix; otherwise pieces are gathered. `overflow` words the error once the output passes `limit`.
 */
export function inflateCapped(parts: readonly Uint8Array[], limit: number, overflow: () => string, exact = false): Uint8Array {
  const target = exact ? new Uint8Array(limit) : undefined;
  const pieces: Uint8Array[] = [];
  let total = 0;
  const stream = new Unzlib((chunk) => {
    if (total + chunk.length > limit) throw new Error(overflow());
    if (target) target.set(chunk, total);
    else pieces.push(chunk);
    total += chunk.length;
  });
  const slices: Uint8Array[] = [];
  for (const part of parts) for (let i = 0; i < part.length; i += INFLATE_SLICE) slices.push(part.subarray(i, i + INFLATE_SLICE));
  if (slices.length === 0) throw new Error('no compressed data');
  for (let i = 0; i < slices.length; i++) stream.push(slices[i], i === slices.length - 1);
  if (target) return target.subarray(0, total);
  if (pieces.length === 1) return pieces[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of pieces) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
