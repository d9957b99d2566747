/**
 * diffusers' scheduler test fixtures (tests/schedulers/test_schedulers.py), rebuilt in float32:
 * dummy_sample_deter, dummy_noise_deter and the dummy model sample * t / (t + 1).
 */
import { Tensor } from '../../src/tensor/tensor.ts';

export const FIXTURE_SHAPE = [4, 3, 8, 8] as const;

/** arange(768) reshaped to (3, 8, 8, 4), / 768, permuted to (4, 3, 8, 8). */
export function dummySampleDeter(flip = false): Tensor<'float32'> {
  const data = new Float32Array(768);
  let k = 0;
  for (let b = 0; b < 4; b++)
    for (let c = 0; c < 3; c++)
      for (let h = 0; h < 8; h++)
        for (let w = 0; w < 8; w++) {
          const flat = c * 256 + h * 32 + w * 4 + b;
          data[k++] = (flip ? 767 - flat : flat) / 768;
        }
  return new Tensor('float32', FIXTURE_SHAPE, data);
}

export function dummyNoiseDeter(): Tensor<'float32'> {
  return dummySampleDeter(true);
}

/** The dummy model: sample * t / (t + 1), with t cast to float32 as the test does. */
export function dummyModel(sample: Tensor<'float32'>, t: number): Tensor<'float32'> {
  const tf = Math.fround(t);
  const t1 = Math.fround(tf + 1);
  const out = new Float32Array(sample.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(sample.data[i] * tf) / t1;
  return new Tensor('float32', sample.shape, out);
}

export function scaleTensor(x: Tensor<'float32'>, k: number): Tensor<'float32'> {
  const kf = Math.fround(k);
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = x.data[i] * kf;
  return new Tensor('float32', x.shape, out);
}

export function sumAbs(x: { data: Float32Array }): number {
  let s = 0;
  for (const v of x.data) s += Math.abs(v);
  return s;
}

export function meanAbs(x: { data: Float32Array }): number {
  return sumAbs(x) / x.data.length;
}
