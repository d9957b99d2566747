/**
 * RRDBNet (both key layouts) and SRVGGNetCompact checkpoints written by the tests with random
 * weights: converted to ONNX, run on onnxruntime-node, and compared with a direct TypeScript
 * evaluation of the same network (plain loops, torch's semantics for every op).
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { convertCheckpoint } from '../../src/convert/index.ts';
import { torchZip, type FixtureTensor } from '../fixtures/torchZip.ts';

type Img = { c: number; h: number; w: number; d: Float32Array };
type Weights = Record<string, FixtureTensor>;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

function conv3(x: Img, w: FixtureTensor, b?: FixtureTensor): Img {
  const [co, ci] = w.shape;
  const out = new Float32Array(co * x.h * x.w);
  for (let o = 0; o < co; o++) for (let y = 0; y < x.h; y++) for (let xx = 0; xx < x.w; xx++) {
    let s = b ? b.data[o] : 0;
    for (let i = 0; i < ci; i++) for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) {
      const iy = y + ky - 1;
      const ix = xx + kx - 1;
      if (iy >= 0 && iy < x.h && ix >= 0 && ix < x.w) s += w.data[((o * ci + i) * 3 + ky) * 3 + kx] * x.d[(i * x.h + iy) * x.w + ix];
    }
    out[(o * x.h + y) * x.w + xx] = s;
  }
  return { c: co, h: x.h, w: x.w, d: out };
}
const map = (x: Img, f: (v: number, c: number) => number): Img => ({ ...x, d: x.d.map((v, i) => f(v, Math.floor(i / (x.h * x.w)))) });
const lrelu = (x: Img) => map(x, (v) => (v >= 0 ? v : 0.2 * v));
const add = (a: Img, b: Img, k = 1): Img => ({ ...a, d: a.d.map((v, i) => v * k + b.d[i]) });
const cat = (xs: Img[]): Img => ({ c: xs.reduce((n, x) => n + x.c, 0), h: xs[0].h, w: xs[0].w, d: Float32Array.from(xs.flatMap((x) => [...x.d])) });
function up(x: Img, s: number): Img {
  const out = new Float32Array(x.c * x.h * s * x.w * s);
  for (let c = 0; c < x.c; c++) for (let y = 0; y < x.h * s; y++) for (let xx = 0; xx < x.w * s; xx++) out[(c * x.h * s + y) * x.w * s + xx] = x.d[(c * x.h + Math.floor(y / s)) * x.w + Math.floor(xx / s)];
  return { c: x.c, h: x.h * s, w: x.w * s, d: out };
}
function unshuffle(x: Img, r: number): Img {
  const h = x.h / r, w = x.w / r;
  const out = new Float32Array(x.d.length);
  for (let c = 0; c < x.c; c++) for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
    out[((c * r * r + i * r + j) * h + y) * w + xx] = x.d[(c * x.h + y * r + i) * x.w + xx * r + j];
  }
  return { c: x.c * r * r, h, w, d: out };
}
function shuffle(x: Img, r: number): Img {
  const c = x.c / (r * r);
  const out = new Float32Array(x.d.length);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) for (let y = 0; y < x.h; y++) for (let xx = 0; xx < x.w; xx++) {
    out[(ch * x.h * r + y * r + i) * x.w * r + xx * r + j] = x.d[((ch * r * r + i * r + j) * x.h + y) * x.w + xx];
  }
  return { c, h: x.h * r, w: x.w * r, d: out };
}

function rrdbWeights(opts: { nf: number; gc: number; nb: number; inCh: number }, seed: number): Weights {
  const r = rng(seed);
  const t = (shape: number[], scale = 0.15): FixtureTensor => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * scale) });
  const w: Weights = { 'conv_first.weight': t([opts.nf, opts.inCh, 3, 3]), 'conv_first.bias': t([opts.nf]) };
  for (let i = 0; i < opts.nb; i++) for (let k = 1; k <= 3; k++) for (let j = 1; j <= 5; j++) {
    const ci = opts.nf + (j - 1) * opts.gc;
    const co = j < 5 ? opts.gc : opts.nf;
    w[`body.${i}.rdb${k}.conv${j}.weight`] = t([co, ci, 3, 3]);
    w[`body.${i}.rdb${k}.conv${j}.bias`] = t([co]);
  }
  for (const n of ['conv_body', 'conv_up1', 'conv_up2', 'conv_hr']) { w[`${n}.weight`] = t([opts.nf, opts.nf, 3, 3]); w[`${n}.bias`] = t([opts.nf]); }
  w['conv_last.weight'] = t([3, opts.nf, 3, 3]);
  w['conv_last.bias'] = t([3]);
  return w;
}

function rrdbReference(w: Weights, x: Img, nb: number, unshuffleBy: number): Img {
  const c = (v: Img, n: string) => conv3(v, w[`${n}.weight`], w[`${n}.bias`]);
  const feat = c(unshuffleBy > 1 ? unshuffle(x, unshuffleBy) : x, 'conv_first');
  let body = feat;
  for (let i = 0; i < nb; i++) {
    let h = body;
    for (let k = 1; k <= 3; k++) {
      const feats = [h];
      for (let j = 1; j <= 5; j++) {
        const y = c(cat(feats), `body.${i}.rdb${k}.conv${j}`);
        feats.push(j < 5 ? lrelu(y) : y);
      }
      h = add(feats[5], h, 0.2);
    }
    body = add(h, body, 0.2);
  }
  let h = add(feat, c(body, 'conv_body'));
  h = lrelu(c(up(h, 2), 'conv_up1'));
  h = lrelu(c(up(h, 2), 'conv_up2'));
  return c(lrelu(c(h, 'conv_hr')), 'conv_last');
}

/** The same weights under the original ESRGAN names (model.0, model.1.sub.N.RDBk.convj.0, …). */
function originalLayout(w: Weights, nb: number): Weights {
  const out: Weights = {};
  for (const [k, v] of Object.entries(w)) {
    const m = /^body\.(\d+)\.rdb(\d)\.conv(\d)\.(weight|bias)$/.exec(k);
    if (m) out[`model.1.sub.${m[1]}.RDB${m[2]}.conv${m[3]}.0.${m[4]}`] = v;
  }
  const top: Record<string, string> = { conv_first: 'model.0', conv_body: `model.1.sub.${nb}`, conv_up1: 'model.3', conv_up2: 'model.6', conv_hr: 'model.8', conv_last: 'model.10' };
  for (const [name, key] of Object.entries(top)) for (const p of ['weight', 'bias']) out[`${key}.${p}`] = w[`${name}.${p}`];
  return out;
}

async function runOnnx(onnx: Uint8Array, x: Img): Promise<Img> {
  const session = await ort.InferenceSession.create(onnx);
  try {
    const out = (await session.run({ image: new ort.Tensor('float32', x.d, [1, x.c, x.h, x.w]) })).upscaled;
    return { c: out.dims[1], h: out.dims[2], w: out.dims[3], d: out.data as Float32Array };
  } finally {
    await session.release();
  }
}

function expectClose(a: Img, b: Img) {
  expect([a.c, a.h, a.w]).toEqual([b.c, b.h, b.w]);
  let max = 0;
  for (let i = 0; i < a.d.length; i++) max = Math.max(max, Math.abs(a.d[i] - b.d[i]));
  expect(max).toBeLessThan(1e-4);
}

const input = (h: number, w: number, seed = 5): Img => { const r = rng(seed); return { c: 3, h, w, d: Float32Array.from({ length: 3 * h * w }, () => (r() + 1) / 2) }; };

describe('RRDBNet checkpoints', () => {
  it('×4, current key layout, matches the direct evaluation', async () => {
    const w = rrdbWeights({ nf: 8, gc: 4, nb: 2, inCh: 3 }, 1);
    const model = convertCheckpoint(torchZip(w), 'x4.pth');
    expect(model.info).toMatchObject({ architecture: 'rrdbnet', scale: 4, blocks: 2, features: 8, growth: 4, unshuffle: 1, layout: 'current' });
    const x = input(5, 6);
    expectClose(await runOnnx(model.onnx, x), rrdbReference(w, x, 2, 1));
  });

  it('the original ESRGAN key layout gives the same network', async () => {
    const w = rrdbWeights({ nf: 8, gc: 4, nb: 1, inCh: 3 }, 2);
    const model = convertCheckpoint(torchZip(originalLayout(w, 1)), 'RRDB_ESRGAN_x4.pth');
    expect(model.info).toMatchObject({ architecture: 'rrdbnet', scale: 4, blocks: 1, layout: 'original' });
    const x = input(4, 4);
    expectClose(await runOnnx(model.onnx, x), rrdbReference(w, x, 1, 1));
  });

  it('Real-ESRGAN ×2 (pixel-unshuffled input, 12 channels in) matches', async () => {
    const w = rrdbWeights({ nf: 8, gc: 4, nb: 1, inCh: 12 }, 3);
    const model = convertCheckpoint(torchZip(w, { wrap: 'params_ema' }), 'RealESRGAN_x2plus.pth');
    expect(model.info).toMatchObject({ architecture: 'rrdbnet', scale: 2, unshuffle: 2 });
    const x = input(6, 4);
    const out = await runOnnx(model.onnx, x);
    expect([out.h, out.w]).toEqual([12, 8]);
    expectClose(out, rrdbReference(w, x, 1, 2));
  });
});

describe('SRVGGNetCompact checkpoints', () => {
  it('×4 with PReLU matches the direct evaluation', async () => {
    const r = rng(9);
    const t = (shape: number[], s = 0.2): FixtureTensor => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * s) });
    const nf = 8, convs = 2, scale = 4;
    const w: Weights = { 'body.0.weight': t([nf, 3, 3, 3]), 'body.0.bias': t([nf]), 'body.1.weight': t([nf], 0.5) };
    for (let i = 1; i <= convs; i++) { w[`body.${2 * i}.weight`] = t([nf, nf, 3, 3]); w[`body.${2 * i}.bias`] = t([nf]); w[`body.${2 * i + 1}.weight`] = t([nf], 0.5); }
    const last = 2 * (convs + 1);
    w[`body.${last}.weight`] = t([3 * scale * scale, nf, 3, 3]);
    w[`body.${last}.bias`] = t([3 * scale * scale]);
    const model = convertCheckpoint(torchZip(w, { wrap: 'params' }), 'realesr-general-x4v3.pth');
    expect(model.info).toEqual({ architecture: 'srvggnet-compact', scale: 4, convs: 2, features: 8, inChannels: 3, outChannels: 3 });
    const x = input(3, 5);
    let h = x;
    for (let i = 0; i <= last; i += 2) {
      h = conv3(h, w[`body.${i}.weight`], w[`body.${i}.bias`]);
      if (i < last) { const a = w[`body.${i + 1}.weight`].data; h = map(h, (v, c) => (v >= 0 ? v : a[c] * v)); }
    }
    expectClose(await runOnnx(model.onnx, x), add(shuffle(h, scale), up(x, scale)));
  });
});
