/**
 * The layers UpscalerJS's RRDN models (esrgan-thick) add to the RDN ones — MultiplyBeta (the
 * residual ×0.2) and PixelShuffle2x (tf.depthToSpace) — in a hand-built TF.js Functional model
 * with random weights, converted to ONNX and run on onnxruntime-node, against a direct TypeScript
 * evaluation of the same layers in TF.js's NHWC layout.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { buildTfjsOnnx, parseTfjsModelJson } from '../../src/convert/tfjs.ts';

/** Deterministic weights in [-0.5, 0.5). */
function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** A 3×3 "same" conv in NHWC with an HWIO kernel (TF's layout). */
function conv3x3(x: Float32Array, h: number, w: number, cin: number, kernel: Float32Array, bias: Float32Array, cout: number): Float32Array {
  const y = new Float32Array(h * w * cout);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) for (let o = 0; o < cout; o++) {
    let acc = bias[o];
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const rr = r + dy;
      const cc = c + dx;
      if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue;
      for (let i = 0; i < cin; i++) acc += x[(rr * w + cc) * cin + i] * kernel[(((dy + 1) * 3 + (dx + 1)) * cin + i) * cout + o];
    }
    y[(r * w + c) * cout + o] = acc;
  }
  return y;
}

/** tf.depthToSpace(NHWC, r): output (r·y + i, r·x + j, c) = input (y, x, (i·r + j)·C + c). */
function depthToSpace(x: Float32Array, h: number, w: number, channels: number, r: number): Float32Array {
  const c = channels / (r * r);
  const y = new Float32Array(x.length);
  for (let yy = 0; yy < h; yy++) for (let xx = 0; xx < w; xx++) for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) for (let k = 0; k < c; k++) {
    y[((yy * r + i) * w * r + (xx * r + j)) * c + k] = x[(yy * w + xx) * channels + (i * r + j) * c + k];
  }
  return y;
}

describe('TF.js RRDN layers (MultiplyBeta, PixelShuffle2x)', () => {
  it('match a direct evaluation of the same layers', async () => {
    const [h, w, f] = [5, 7, 8];
    const weights = {
      'c1/kernel': random(3 * 3 * 3 * f, 1), 'c1/bias': random(f, 2),
      'c2/kernel': random(3 * 3 * f * f, 3), 'c2/bias': random(f, 4),
      'up/kernel': random(3 * 3 * f * 12, 5), 'up/bias': random(12, 6),
    };
    const shapes: Record<string, number[]> = {
      'c1/kernel': [3, 3, 3, f], 'c1/bias': [f], 'c2/kernel': [3, 3, f, f], 'c2/bias': [f], 'up/kernel': [3, 3, f, 12], 'up/bias': [12],
    };
    const inbound = (...names: string[]) => [names.map((n) => [n, 0, 0, {}])];
    const conv = (name: string, filters: number, from: string, activation = 'linear') => ({
      class_name: 'Conv2D', name, config: { name, filters, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation, use_bias: true }, inbound_nodes: inbound(from),
    });
    const layers = [
      { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, null, null, 3] }, inbound_nodes: [] },
      conv('c1', f, 'in', 'relu'),
      conv('c2', f, 'c1'),
      { class_name: 'MultiplyBeta', name: 'beta', config: { name: 'beta' }, inbound_nodes: inbound('c2') },
      { class_name: 'Add', name: 'res', config: { name: 'res' }, inbound_nodes: inbound('c1', 'beta') },
      conv('up', 12, 'res'),
      { class_name: 'PixelShuffle2x', name: 'shuffle', config: { name: 'shuffle' }, inbound_nodes: inbound('up') },
    ];
    const names = Object.keys(weights) as (keyof typeof weights)[];
    const json = JSON.stringify({
      format: 'layers-model',
      modelTopology: { model_config: { class_name: 'Functional', config: { layers } } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: names.map((n) => ({ name: n, shape: shapes[n], dtype: 'float32' })) }],
    });
    const shard = new Uint8Array(names.reduce((n, k) => n + weights[k].byteLength, 0));
    let at = 0;
    for (const k of names) {
      shard.set(new Uint8Array(weights[k].buffer), at);
      at += weights[k].byteLength;
    }
    const model = parseTfjsModelJson(json, 'rrdn.json');
    const { onnx, info } = buildTfjsOnnx(model, new Map([['group1-shard1of1.bin', shard]]), 'rrdn.json');
    expect(info.scale).toBe(2);

    // The same layers by hand, in NHWC.
    const nhwc = random(h * w * 3, 7).map((v) => v + 0.5);
    const c1 = conv3x3(nhwc, h, w, 3, weights['c1/kernel'], weights['c1/bias'], f).map((v) => Math.max(0, v));
    const c2 = conv3x3(c1, h, w, f, weights['c2/kernel'], weights['c2/bias'], f);
    const res = c1.map((v, i) => v + 0.2 * c2[i]);
    const up = conv3x3(res, h, w, f, weights['up/kernel'], weights['up/bias'], 12);
    const expected = depthToSpace(up, h, w, 12, 2);

    const nchw = new Float32Array(3 * h * w);
    for (let p = 0; p < h * w; p++) for (let c = 0; c < 3; c++) nchw[c * h * w + p] = nhwc[p * 3 + c];
    const session = await ort.InferenceSession.create(onnx);
    const out = (await session.run({ image: new ort.Tensor('float32', nchw, [1, 3, h, w]) })).upscaled;
    await session.release();
    expect(out.dims).toEqual([1, 3, 2 * h, 2 * w]);
    const got = out.data as Float32Array;
    const plane = 4 * h * w;
    let worst = 0;
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(got[c * plane + p] - expected[p * 3 + c]));
    expect(worst).toBeLessThan(1e-4);
  });
});
