/** Classifier-free guidance and guidance rescale (diffusers' rescale_noise_cfg). */
import { describe, expect, it } from 'vitest';
import { classifierFreeGuidance, classifierFreeGuidanceBatched } from '../../src/diffusion/guidance.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

function seq(n: number, f: (i: number) => number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => f(i));
}

function std(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i];
  m /= x.length;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** 2;
  return Math.sqrt(s / (x.length - 1));
}

const shape = [2, 4, 2, 2];
const cond = new Tensor('float32', shape, seq(32, (i) => Math.sin(i) * 1.5));
const uncond = new Tensor('float32', shape, seq(32, (i) => Math.cos(i * 0.7) * 0.5));

describe('classifier-free guidance', () => {
  it('computes uncond + s * (cond - uncond) in float32', () => {
    const out = classifierFreeGuidance(cond, uncond, 7.5);
    for (let i = 0; i < 32; i++) {
      const u = uncond.data[i];
      const expected = Math.fround(u + Math.fround(7.5 * Math.fround(cond.data[i] - u)));
      expect(out.data[i]).toBe(expected);
    }
    expect(out.shape).toEqual(shape);
  });
  it('scale 1 returns cond (up to float32 rounding of u + (c - u)), scale 0 returns uncond', () => {
    const one = classifierFreeGuidance(cond, uncond, 1);
    for (let i = 0; i < 32; i++) expect(Math.abs(one.data[i] - cond.data[i])).toBeLessThanOrEqual(2 ** -22);
    expect(Array.from(classifierFreeGuidance(cond, uncond, 0).data)).toEqual(Array.from(uncond.data));
  });
  it('batched [uncond, cond] equals separate predictions', () => {
    const both = new Tensor('float32', [4, 4, 2, 2], new Float32Array([...uncond.data, ...cond.data]));
    const a = classifierFreeGuidanceBatched(both, 5, { rescale: 0.7 });
    const b = classifierFreeGuidance(cond, uncond, 5, { rescale: 0.7 });
    expect(a.shape).toEqual(shape);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });
  it('rescale 1 gives each batch item the std of the conditional prediction', () => {
    const out = classifierFreeGuidance(cond, uncond, 9, { rescale: 1 });
    for (let b = 0; b < 2; b++) {
      const o = out.data.subarray(b * 16, b * 16 + 16);
      const c = cond.data.subarray(b * 16, b * 16 + 16);
      expect(std(o)).toBeCloseTo(std(c), 5);
    }
  });
  it('rescale φ blends rescaled and plain CFG linearly', () => {
    const plain = classifierFreeGuidance(cond, uncond, 9);
    const full = classifierFreeGuidance(cond, uncond, 9, { rescale: 1 });
    const half = classifierFreeGuidance(cond, uncond, 9, { rescale: 0.5 });
    for (let i = 0; i < 32; i++) expect(half.data[i]).toBeCloseTo((plain.data[i] + full.data[i]) / 2, 5);
  });
  it('names what is wrong', () => {
    const other = new Tensor('float32', [2, 4, 2, 1], new Float32Array(16));
    expect(() => classifierFreeGuidance(cond, other, 7)).toThrow(/cond has shape \[2, 4, 2, 2\] but uncond has shape \[2, 4, 2, 1\]/);
    expect(() => classifierFreeGuidanceBatched(new Tensor('float32', [3, 1], new Float32Array(3)), 7)).toThrow(/even batch/);
    expect(() => classifierFreeGuidance(cond, uncond, 7, { rescale: 2 })).toThrow(/rescale must be in \[0, 1\]/);
  });
});
