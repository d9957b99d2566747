/**
 * The resident-tensor device over onnxruntime-node: the sampling ops (src/runtime/deviceOps.ts)
 * are the graphs WebGPU runs, here on the CPU, checked against the CPU kernels they replace;
 * downloads are counted and memoized, disposal is final.
 */
import { scalarKernels } from '../../src/diffusion/kernels/index.ts';
import { linearCombination, sigmaPredictX0, sigmaVScalings } from '../../src/diffusion/schedulers/predictOriginal.ts';
import { thresholdSample } from '../../src/diffusion/schedulers/base.ts';
import { thresholdOnDevice } from '../../src/diffusion/schedulers/onDevice.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { ResidentTensor, residentStats, type TensorDevice } from '../../src/tensor/resident.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const device = createNodeBackend({ resident: true }).device as TensorDevice;
const shape = [1, 4, 8, 8];

function random(seed: number): Tensor<'float32'> {
  let x = seed;
  const data = Float32Array.from({ length: 256 }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x / 2147483648) * 4 - 2;
  });
  return new Tensor('float32', shape, data);
}

async function values(t: ResidentTensor): Promise<Float32Array> {
  expect(t).toBeInstanceOf(ResidentTensor);
  expect(t.shape).toEqual(shape);
  return (await t.download()).data;
}

describe('resident device ops (onnxruntime-node)', () => {
  const m = random(1);
  const s = random(2);

  it('divide, guidance, DDIM, Euler, Euler ancestral, DPM-Solver++ 1S/2M and Heun epsilon steps give the CPU kernels\' float32 results', async () => {
    const [divided] = await device.run('divide', [s], [1.7]);
    expect(await values(divided)).toEqual(scalarKernels.divide(s.data, 1.7));

    const [guided] = await device.run('guidance', [m, s], [7.5]);
    expect(await values(guided)).toEqual(scalarKernels.guidance(s.data, m.data, 7.5));

    const ddim = scalarKernels.ddimEpsilon(m.data, s.data, 0.9, 0.43, 0.95, 0.31);
    const [out, x0] = await device.run('ddim-epsilon', [m, s], [Math.fround(0.9), Math.fround(0.43), Math.fround(0.95), Math.fround(0.31)]);
    expect(await values(out)).toEqual(ddim.out);
    expect(await values(x0)).toEqual(ddim.x0);

    const euler = scalarKernels.eulerEpsilon(m.data, s.data, 3.2, -0.4);
    const [eOut, eX0] = await device.run('euler-epsilon', [m, s], [Math.fround(3.2), Math.fround(-0.4)]);
    expect(await values(eOut)).toEqual(euler.out);
    expect(await values(eX0)).toEqual(euler.x0);

    const noise = random(3);
    const ancestral = scalarKernels.eulerAncestralEpsilon(m.data, s.data, noise.data, 3.2, -0.4, 0.7);
    const [aOut, aX0] = await device.run('euler-ancestral-epsilon', [m, s, noise], [Math.fround(3.2), Math.fround(-0.4), Math.fround(0.7)]);
    expect(await values(aOut)).toEqual(ancestral.out);
    expect(await values(aX0)).toEqual(ancestral.x0);

    const first = scalarKernels.dpmFirstOrder(m.data, s.data, 0.8, 0.6, 0.9, -0.2);
    const [fOut, fX0] = await device.run('dpm-first-order', [m, s], [0.8, 0.6, 0.9, -0.2].map(Math.fround));
    expect(await values(fOut)).toEqual(first.out);
    expect(await values(fX0)).toEqual(first.x0);
    const k = { alpha: 0.8, sigma: 0.6, cs: 0.9, c0: -0.2, c1: 0.05, invR0: 1.3 };
    const second = scalarKernels.dpmSecondOrder(m.data, s.data, noise.data, k);
    const [sOut, sX0] = await device.run('dpm-second-order', [m, s, noise], [k.alpha, k.sigma, k.cs, k.c0, k.c1, k.invR0].map(Math.fround));
    expect(await values(sOut)).toEqual(second.out);
    expect(await values(sX0)).toEqual(second.x0);

    const heun1 = scalarKernels.heunFirstEpsilon(m.data, s.data, 3.2, -0.4);
    const [h1Out, h1X0, h1D] = await device.run('heun-first-epsilon', [m, s], [3.2, -0.4].map(Math.fround));
    expect(await values(h1Out)).toEqual(heun1.out);
    expect(await values(h1X0)).toEqual(heun1.x0);
    expect(await values(h1D)).toEqual(heun1.derivative);
    const heun2 = scalarKernels.heunSecondEpsilon(m.data, s.data, heun1.derivative, noise.data, 2.1, -0.4);
    const [h2Out, h2X0] = await device.run('heun-second-epsilon', [m, s, h1D, noise], [2.1, -0.4, 2].map(Math.fround));
    expect(await values(h2Out)).toEqual(heun2.out);
    expect(await values(h2X0)).toEqual(heun2.x0);
  });

  it('PLMS (PNDM) steps of every Adams-Bashforth order and LMS steps of 1-4 coefficients give the CPU kernels\' float32 results', async () => {
    const [p1, p2, p3] = [random(4), random(5), random(6)];
    const c = { cs: Math.fround(1.02), diff: Math.fround(0.031), denom: Math.fround(0.57) };
    const reads: Record<number, Tensor<'float32'>[]> = { 0: [p1], 1: [], 2: [p1], 3: [p1, p2], 4: [p1, p2, p3] };
    for (const order of [0, 1, 2, 3, 4] as const) {
      const expected = scalarKernels.plmsEpsilon(m.data, reads[order].map((t) => t.data), order, s.data, c);
      const [out] = await device.run(`plms-epsilon-${order}`, [m, ...reads[order], s], [c.cs, c.diff, c.denom]);
      expect(await values(out), `order ${order}`).toEqual(expected);
    }
    const coefficients = [1.3, -0.45, 0.12, -0.02].map(Math.fround);
    for (const terms of [1, 2, 3, 4] as const) {
      const older = [p1, p2, p3].slice(0, terms - 1);
      const expected = scalarKernels.lmsEpsilon(m.data, s.data, older.map((t) => t.data), 2.4, coefficients.slice(0, terms));
      const [out, x0, d] = await device.run(`lms-epsilon-${terms}`, [m, s, ...older], [Math.fround(2.4), ...coefficients.slice(0, terms)]);
      expect(await values(out), `${terms} terms`).toEqual(expected.out);
      expect(await values(x0)).toEqual(expected.x0);
      expect(await values(d)).toEqual(expected.derivative);
    }
  });

  it('DDIM with noise, the DDPM / unCLIP step (clipped and not, with and without noise) and LCM\'s renoising step give the CPU kernels\' float32 results', async () => {
    const noise = random(7);
    const f = (xs: number[]) => xs.map(Math.fround);
    const ddim = scalarKernels.ddimEpsilon(m.data, s.data, 0.9, 0.43, 0.95, 0.31);
    const [dOut, dX0] = await device.run('ddim-epsilon-noise', [m, s, noise], f([0.9, 0.43, 0.95, 0.31, 0.2]));
    expect(await values(dOut)).toEqual(scalarKernels.addScaled(ddim.out, noise.data, 0.2));
    expect(await values(dX0)).toEqual(ddim.x0);
    for (const clip of [Infinity, 1]) {
      const ddpm = scalarKernels.ddpmEpsilon(m.data, s.data, 0.7, 0.6, clip, 0.35, 0.8);
      const scalars = f([0.7, 0.6, -clip, clip, 0.35, 0.8]);
      const [out, x0] = await device.run('alpha-epsilon', [m, s], scalars);
      expect(await values(out), `clip ${clip}`).toEqual(ddpm.out);
      expect(await values(x0)).toEqual(ddpm.x0);
      const [nOut, nX0] = await device.run('alpha-epsilon-noise', [m, s, noise], [...scalars, Math.fround(0.15)]);
      expect(await values(nOut)).toEqual(scalarKernels.addScaled(ddpm.out, noise.data, 0.15));
      expect(await values(nX0)).toEqual(ddpm.x0);
      const [rOut, denoised] = await device.run('lcm-epsilon-renoise', [m, s, noise], [...scalars, ...f([0.93, 0.36])]);
      expect(await values(denoised)).toEqual(ddpm.out);
      expect(await values(rOut)).toEqual(scalarKernels.linearCombination(0.93, ddpm.out, 0.36, noise.data));
    }
  });

  it('DDIM, Euler, Euler ancestral and DPM-Solver++ 1S/2M on v-predictions give the host steps\' float32 results', async () => {
    const noise = random(8);
    const f = (xs: number[]) => xs.map(Math.fround);
    const [a, b, c, d, e] = f([0.9, 0.43, 0.95, 0.31, 0.2]);
    // DDIM's host path on v: x0 and epsilon from the prediction, then c·x0 + d·eps (+ noise·e).
    const x0 = linearCombination(a, s.data, -b, m.data);
    const ddim = linearCombination(c, x0, d, linearCombination(a, m.data, b, s.data));
    const [dOut, dX0] = await device.run('ddim-v', [m, s], [a, b, c, d]);
    expect(await values(dOut)).toEqual(ddim);
    expect(await values(dX0)).toEqual(x0);
    const [nOut] = await device.run('ddim-v-noise', [m, s, noise], [a, b, c, d, e]);
    expect(await values(nOut)).toEqual(scalarKernels.addScaled(ddim, noise.data, e));

    // Euler's host path on v: diffusers' scalings for x0, then the Euler update (+ noise·e).
    const [sigma, dt] = f([3.2, -0.4]);
    const { cOut, sq1 } = sigmaVScalings(sigma);
    const eX0 = sigmaPredictX0('v_prediction', m.data, s.data, sigma, 'test');
    const euler = s.data.map((si, i) => si + Math.fround(Math.fround(Math.fround(si - eX0[i]) / sigma) * dt));
    const [vOut, vX0] = await device.run('euler-v', [m, s], [cOut, sq1, sigma, dt]);
    expect(await values(vOut)).toEqual(euler);
    expect(await values(vX0)).toEqual(eX0);
    const [avOut, avX0] = await device.run('euler-ancestral-v', [m, s, noise], [cOut, sq1, sigma, dt, e]);
    expect(await values(avOut)).toEqual(scalarKernels.addScaled(euler, noise.data, e));
    expect(await values(avX0)).toEqual(eX0);

    // DPM-Solver++ on v: x0 = alpha·s − sigma·m, then the epsilon kernels' updates on that x0.
    const k = { alpha: 0.8, sigma: 0.6, cs: 0.9, c0: -0.2, c1: 0.05, invR0: 1.3 };
    const pX0 = linearCombination(Math.fround(k.alpha), s.data, -Math.fround(k.sigma), m.data);
    const first = linearCombination(Math.fround(k.cs), s.data, -Math.fround(k.c0), pX0);
    const [fOut, fX0] = await device.run('dpm-first-order-v', [m, s], f([k.alpha, k.sigma, k.cs, k.c0]));
    expect(await values(fOut)).toEqual(first);
    expect(await values(fX0)).toEqual(pX0);
    // The 2M update (the host's secondOrderUpdate), the noise standing in for the previous x0.
    const [cs, c0, c1, invR0] = f([k.cs, k.c0, k.c1, k.invR0]);
    const fr = Math.fround;
    const second = s.data.map((si, i) => fr(fr(cs * si) - fr(c0 * pX0[i])) - fr(c1 * fr(invR0 * fr(pX0[i] - noise.data[i]))));
    const [sOut, sX0] = await device.run('dpm-second-order-v', [m, s, noise], f([k.alpha, k.sigma, k.cs, k.c0, k.c1, k.invR0]));
    expect(await values(sOut)).toEqual(second);
    expect(await values(sX0)).toEqual(pX0);
  });

  it('dynamic thresholding gives thresholdSample\'s values: batch items apart, every lerp branch, ranks on a whole number, s clamped to [1, max]', async () => {
    // Two batch items of different scales (one whose quantile falls under 1), ±0 and ties.
    const data = Float32Array.from({ length: 2 * 144 }, (_, i) => (i < 144 ? Math.fround(Math.sin(i * 1.7) * 7) : Math.fround(Math.cos(i) * 0.4)));
    data[3] = -0;
    data[5] = data[6] = data[7];
    const x = new Tensor('float32', [2, 4, 6, 6], data);
    // 0.995 (diffusers' default): weight < 0.5; 0.9: weight > 0.5; 0.5 on 143 gaps: rank 71.5; 1: the maximum; 0: the minimum.
    for (const ratio of [0.995, 0.9, 0.5, 1, 0, 0.7]) {
      for (const maxValue of [1, 3, 50]) {
        const [raw] = await device.run('divide', [x], [1]);
        const out = await thresholdOnDevice(device, raw, ratio, maxValue);
        expect(raw.isDisposed).toBe(true);
        expect(out.shape).toEqual([2, 4, 6, 6]);
        expect((await out.download()).data, `ratio ${ratio}, max ${maxValue}`).toEqual(thresholdSample(data, x.shape, ratio, maxValue));
      }
    }
  });

  it('dynamic thresholding takes torch.lerp\'s formula for the weight: order statistics where the two formulas round apart', async () => {
    // Pairs (lo, hi) at the quantile's two order statistics for which lo + w·(hi − lo) and
    // hi − (hi − lo)·(1 − w) differ in float32: w ≈ 0.7 at ratio 0.9 (torch takes the second), w ≈ 0.285 at 0.995 (the first).
    for (const [ratio, lo, hi] of [[0.9, 2.2111709117889404, 4.273663520812988], [0.995, 1.956966757774353, 3.514824867248535]]) {
      const below = Math.floor(Math.fround(Math.fround(ratio) * 143));
      const ascending = Array.from({ length: 144 }, (_, i) => (i < below ? 0.01 * i : i === below ? lo : i === below + 1 ? hi : hi + 0.5 + 0.01 * i));
      // Shuffled (every 7th of 144, a permutation) with alternating signs: |x| keeps the order statistics.
      const data = Float32Array.from({ length: 144 }, (_, i) => ascending[(i * 7) % 144] * (i % 2 ? -1 : 1));
      const x = new Tensor('float32', [1, 4, 6, 6], data);
      const [raw] = await device.run('divide', [x], [1]);
      const out = await thresholdOnDevice(device, raw, ratio, 50);
      expect((await out.download()).data, `ratio ${ratio}`).toEqual(thresholdSample(data, x.shape, ratio, 50));
    }
  });

  it('concatenates and splits batches, and chains residents without downloads', async () => {
    const before = residentStats.downloads;
    const [both] = await device.run('concat-batch', [m, s]);
    expect(both.shape).toEqual([2, 4, 8, 8]);
    const [first, second] = await device.run('split-halves', [both]);
    const [again] = await device.run('divide', [second], [1]);
    expect(residentStats.downloads).toBe(before);
    expect(await values(first)).toEqual(m.data);
    expect(await values(again)).toEqual(s.data);
    expect(residentStats.downloads).toBe(before + 2);
  });

  it('downloads once, and refuses reads after dispose', async () => {
    const [t] = await device.run('divide', [s], [2]);
    const before = residentStats.downloads;
    const a = await t.download();
    const b = await t.download();
    expect(a).toBe(b);
    expect(residentStats.downloads).toBe(before + 1);
    const [u] = await device.run('divide', [s], [2]);
    u.dispose();
    expect(u.isDisposed).toBe(true);
    await expect(u.download()).rejects.toThrow(/after it was disposed/);
    await expect(device.run('divide', [u], [2])).rejects.toThrow(/used after it was disposed/);
  });

  it('names the op when inputs are missing', async () => {
    await expect(device.run('ddim-epsilon', [m], [1, 1, 1, 1])).rejects.toThrow(/ddim-epsilon takes 2 tensors and 4 scalars/);
  });
});
