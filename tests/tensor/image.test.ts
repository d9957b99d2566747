import {
  denormalizeImage,
  imageTensorToPng,
  imageTensorToRgba,
  normalizeImage,
  pngToImageTensor,
  rgbaToImageTensor,
} from '../../src/tensor/image.ts';
import { decodePng, encodePng, readPngText } from '../../src/tensor/png.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { float32ArrayToFloat16Bits } from '../../src/tensor/fp16.ts';

describe('image tensors ⇄ RGBA ⇄ PNG', () => {
  it('converts NCHW [0,1] floats to bytes as diffusers does (clamp, ×255 in float32, round half to even)', () => {
    // 2×2 RGB image: values chosen at the rounding edges.
    const r = [0, 1, 0.5, 2 / 255];
    const g = [-0.3, 1.7, Number.NaN, 0.5 / 255]; // clamps; NaN → 0; 0.5 rounds to even (0)
    const b = [1.5 / 255, 2.5 / 255, 254.5 / 255, 0.25];
    const t = Tensor.float32([1, 3, 2, 2], [...r, ...g, ...b]);
    const { width, height, data } = imageTensorToRgba(t);
    expect([width, height]).toEqual([2, 2]);
    const px = (p: number): number[] => Array.from(data.subarray(4 * p, 4 * p + 4));
    const f = Math.fround;
    // numpy: (np.float32(x) * 255).round() with half-to-even on the float32 product
    const ref = (x: number): number => {
      const v = f(f(Math.min(1, Math.max(0, x))) * 255);
      const n = Math.round(v);
      return n - v === 0.5 && n % 2 ? n - 1 : n;
    };
    for (let p = 0; p < 4; p++) expect(px(p)).toEqual([ref(r[p]), Number.isNaN(g[p]) ? 0 : ref(g[p]), ref(b[p]), 255]);
    expect(px(0)[2]).toBe(2); // 1.5 → 2 (even)
    expect(px(1)[2]).toBe(2); // 2.5 → 2 (even)
    expect(px(2)[0]).toBe(128); // 127.5 → 128
  });

  it("truncates instead when asked, as ComfyUI's SaveImage does", () => {
    const t = Tensor.float32([1, 1, 1, 4], [0.999, 0.5, 1.2, 2.9 / 255]);
    expect(Array.from(imageTensorToRgba(t, { rounding: 'truncate' }).data.filter((_, i) => i % 4 === 0))).toEqual([254, 127, 255, 2]);
    expect(Array.from(imageTensorToRgba(t).data.filter((_, i) => i % 4 === 0))).toEqual([255, 128, 255, 3]);
  });

  it('picks a batch image, accepts plain objects, [C,H,W], float16, gray and alpha', () => {
    const batch = { dtype: 'float32' as const, shape: [2, 1, 1, 2], data: new Float32Array([0, 0.2, 0.6, 1]) };
    expect(Array.from(imageTensorToRgba(batch, { batchIndex: 1 }).data)).toEqual([153, 153, 153, 255, 255, 255, 255, 255]);
    const half = { dtype: 'float16' as const, shape: [4, 1, 1], data: float32ArrayToFloat16Bits([1, 0, 0.5, 0.25]) };
    expect(Array.from(imageTensorToRgba(half).data)).toEqual([255, 0, 128, 64]);
    expect(() => imageTensorToRgba(batch, { batchIndex: 2 })).toThrow(/batch index 2 out of range for batch size 2/);
    expect(() => imageTensorToRgba(Tensor.zeros([1, 2, 4, 4]))).toThrow(/1, 3 or 4 channels.*\[1, 2, 4, 4\]/);
    expect(() => imageTensorToRgba(Tensor.zeros([4, 4]))).toThrow(/expected an image tensor \[B, C, H, W\], got shape \[4, 4\]/);
  });

  it('maps [-1,1] VAE output like diffusers denormalize', () => {
    const t = Tensor.float32([1, 1, 1, 3], [-1, 0, 1]);
    expect(Array.from(imageTensorToRgba(t, { range: '-1,1' }).data.filter((_, i) => i % 4 === 0))).toEqual([0, 128, 255]);
    expect(Array.from(denormalizeImage(Tensor.float32([4], [-3, -1, 0.5, 2])).data)).toEqual([0, 0, 0.75, 1]);
    expect(Array.from(normalizeImage(Tensor.float32([3], [0, 0.5, 1])).data)).toEqual([-1, 0, 1]);
  });

  it('round-trips every byte value through float and back', () => {
    const w = 16, h = 16;
    const rgba = new Uint8Array(w * h * 4).map((_, i) => (i % 4 === 3 ? 255 : (i >> 2) & 0xff));
    const t = rgbaToImageTensor({ width: w, height: h, data: rgba });
    expect(t.shape).toEqual([1, 3, h, w]);
    expect(t.data[1]).toBeCloseTo(1 / 255, 7);
    expect(Array.from(imageTensorToRgba(t).data)).toEqual(Array.from(rgba));
    const signed = rgbaToImageTensor({ width: w, height: h, data: rgba }, { range: '-1,1' });
    expect(Array.from(imageTensorToRgba(signed, { range: '-1,1' }).data)).toEqual(Array.from(rgba));
  });

  it('converts to luma as Pillow "L" and extracts alpha as a mask', () => {
    const rgba = new Uint8Array([255, 0, 0, 10, 0, 255, 0, 20, 0, 0, 255, 30, 200, 100, 50, 255]);
    const luma = rgbaToImageTensor({ width: 4, height: 1, data: rgba }, { channels: 1 });
    // Pillow: L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16 → 76, 150, 29, 124
    expect(Array.from(luma.data, (v) => Math.round(v * 255))).toEqual([76, 150, 29, 124]);
    const mask = rgbaToImageTensor({ width: 4, height: 1, data: rgba }, { channels: 1, alphaAsMask: true });
    expect(Array.from(mask.data, (v) => Math.round(v * 255))).toEqual([10, 20, 30, 255]);
    expect(() => rgbaToImageTensor({ width: 2, height: 2, data: new Uint8Array(3) })).toThrow(/3 bytes given, 2×2×4 = 16 expected/);
  });

  it('writes PNG files with the graph in a tEXt chunk and reads them back', () => {
    const w = 8, h = 6;
    const data = new Float32Array(3 * w * h).map((_, i) => (i % 17) / 16);
    const image = Tensor.float32([1, 3, h, w], data);
    const graph = JSON.stringify({ format: 'latentloom.graph', version: 1 });
    const png = imageTensorToPng(image, { text: { 'latentloom.graph': graph } });
    expect(decodePng(png).sourceChannels).toBe(3);
    expect(readPngText(png)['latentloom.graph']).toBe(graph);
    const back = pngToImageTensor(png);
    expect(back.image.shape).toEqual([1, 3, h, w]);
    expect(back.alpha).toBeUndefined();
    for (let i = 0; i < data.length; i++) expect(Math.abs(back.image.data[i] - data[i])).toBeLessThanOrEqual(0.5 / 255 + 1e-7);
    expect(back.text['latentloom.graph']).toBe(graph);
  });

  it('keeps alpha of 4-channel tensors and of RGBA files', () => {
    const rgba = Tensor.float32([1, 4, 1, 2], [1, 0, 0, 1, 0, 0, 1, 0.5]);
    const png = imageTensorToPng(rgba);
    expect(decodePng(png).sourceChannels).toBe(4);
    const back = pngToImageTensor(png, { channels: 4 });
    expect(Array.from(back.image.data, (v) => Math.round(v * 255))).toEqual([255, 0, 0, 255, 0, 0, 255, 128]);
    expect(Array.from(back.alpha!.data, (v) => Math.round(v * 255))).toEqual([255, 128]);
    const gray = encodePng({ width: 1, height: 1, channels: 1, data: new Uint8Array([51]) });
    expect(Array.from(pngToImageTensor(gray).image.data)).toEqual([0.2, 0.2, 0.2].map((v) => Math.fround(v)));
  });
});
