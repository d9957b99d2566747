/**
 * Test-only: lays pictures out in a grid and writes it as a PNG under tests/artifacts/ (ignored by
 * git) so a person can look at what the toy model drew.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageTensorToPng } from '../../src/tensor/image.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

export const ARTIFACTS_DIR = join(import.meta.dirname, '../artifacts');

/** `images`: [3, size, size] in [0, 1] each (smaller ones are enlarged by repetition to `size`). */
export function writeContactSheet(name: string, images: readonly { data: Float32Array; size: number }[], size = 64, cols = 8): string {
  const rows = Math.ceil(images.length / cols);
  const width = cols * size;
  const height = rows * size;
  const sheet = new Float32Array(3 * width * height);
  images.forEach(({ data, size: s }, n) => {
    const ox = (n % cols) * size;
    const oy = Math.floor(n / cols) * size;
    const k = size / s;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          sheet[(c * height + oy + y) * width + ox + x] = data[(c * s + Math.floor(y / k)) * s + Math.floor(x / k)];
        }
      }
    }
  });
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, name);
  writeFileSync(path, imageTensorToPng(new Tensor('float32', [1, 3, height, width], sheet)));
  return path;
}
