/**
 * PNG encoding with node:zlib installed (src/tensor/nodeZlib.ts, what the CLI's services do): the
 * same filtered rows and text as with fflate, so the same pixels, in other compressed bytes.
 */
import { inflateSync } from 'node:zlib';
import { decodePng, encodePng, readPngText, setPngCompressor, type RasterImage } from '../../src/tensor/png.ts';
import { readChunks } from '../../src/tensor/pngChunks.ts';
import { useNodeZlibForPng } from '../../src/tensor/nodeZlib.ts';

afterEach(() => setPngCompressor());

/** A smooth picture with some noise, like a diffusion output. */
function picture(width: number, height: number, channels: RasterImage['channels']): RasterImage {
  const data = new Uint8Array(width * height * channels);
  let seed = 7;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = ((i / channels) % width) * 3 + (seed >>> 29);
  }
  return { width, height, channels, data };
}

const idatOf = (png: Uint8Array) => Buffer.concat(readChunks(png, 'test').filter((c) => c.type === 'IDAT').map((c) => c.body));

it.each([1, 2, 3, 4] as const)('%i channel(s), levels 0, 1, 6, 9: same rows and text as fflate, other bytes', (channels) => {
  const image = picture(37, 23, channels);
  const text = { 'latentloom.graph': '{"nodes":[]}', comment: 'ünïcode' };
  for (const level of [0, 1, 6, 9]) {
    const withFflate = encodePng(image, { level, text });
    useNodeZlibForPng();
    const withZlib = encodePng(image, { level, text });
    setPngCompressor();
    expect(inflateSync(idatOf(withZlib)).equals(inflateSync(idatOf(withFflate)))).toBe(true);
    const decoded = decodePng(withZlib);
    expect([decoded.width, decoded.height]).toEqual([37, 23]);
    expect(Buffer.from(decoded.data).equals(Buffer.from(decodePng(withFflate).data))).toBe(true);
    expect(readPngText(withZlib)).toEqual(text);
    if (level === 6) expect(Buffer.from(withZlib).equals(Buffer.from(withFflate))).toBe(false);
  }
});

it('setPngCompressor() with no argument goes back to fflate', () => {
  const image = picture(16, 16, 3);
  const before = encodePng(image);
  useNodeZlibForPng();
  setPngCompressor();
  expect(Buffer.from(encodePng(image)).equals(Buffer.from(before))).toBe(true);
});
