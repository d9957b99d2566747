/**
 * The sampling math of DeviceOp (src/tensor/resident.ts) as tiny ONNX graphs, built here in
 * code: run on the session device of the backend (WebGPU), they keep a denoising loop's tensors
 * on the GPU. Each graph takes its tensors with any shape and its scalars as float32 [1] inputs,
 * and spells out the CPU kernels' float32 operations in the same order, so the only differences
 * from the CPU are the device's own float32 rounding (fused multiply-adds and the like).
 */
import { OnnxGraphBuilder } from '../onnx/builder.ts';
import type { DeviceOp } from '../tensor/resident.ts';
import { Tensor } from '../tensor/tensor.ts';
import {
  alphaBody,
  clamp,
  ddimBody,
  ddimUpdate,
  dpmFirstBody,
  dpmSecondBody,
  dpmThirdBody,
  eulerBody,
  eulerVBody,
  epsFromV,
  heunFirstBody,
  heunSecondBody,
  linear,
  pndmUpdate,
  weight,
  withNoise,
  x0FromEpsilon,
  x0FromSigmaEpsilon,
  x0FromSigmaV,
  x0FromV,
} from './deviceOpBodies.ts';

export interface DeviceOpGraph {
  /** The .onnx bytes. */
  model: Uint8Array;
  /** Tensor input names, in the order DeviceOp lists them. */
  tensors: readonly string[];
  /** Scalar input names (float32 [1]), in order. */
  scalars: readonly string[];
  outputs: readonly string[];
}

const OPSET = 17;

function build(op: DeviceOp, tensors: readonly string[], scalars: readonly string[], body: (g: OnnxGraphBuilder, v: Record<string, string>) => Record<string, string>): DeviceOpGraph {
  const g = new OnnxGraphBuilder({ graphName: `latentloom_${op}`, opset: OPSET, producerName: 'latentloom' });
  const v: Record<string, string> = {};
  for (const name of tensors) v[name] = g.input(name, 'float32');
  for (const name of scalars) v[name] = g.input(name, 'float32', [1]);
  const outs = body(g, v);
  for (const [name, value] of Object.entries(outs)) g.output(value, name, 'float32');
  return { model: g.toBytes(), tensors, scalars, outputs: Object.keys(outs) };
}

/**
 * A DDIM op (`ddim-<prediction>[-clip][-noise]`): inputs [m, s] (+ noise); scalars [a, b, c, d]
 * (+ lo, hi when clipped) (+ e, the noise's scale, with eta > 0); outputs [out, x0].
 */
function ddimGraph(prediction: 'epsilon' | 'v', clipped: boolean, noisy: boolean): DeviceOpGraph {
  const op = `ddim-${prediction}${clipped ? '-clip' : ''}${noisy ? '-noise' : ''}` as DeviceOp;
  const scalars = ['a', 'b', 'c', 'd', ...(clipped ? ['lo', 'hi'] : []), ...(noisy ? ['e'] : [])];
  return build(op, noisy ? ['m', 's', 'noise'] : ['m', 's'], scalars, (g, v) => {
    const body = ddimBody(g, v, prediction, clipped);
    return noisy ? withNoise(g, v, body, v.e) : body;
  });
}

/** DPM-Solver++ 3M's op: inputs [m, s, p, q]; scalars [a = alpha, b = sigma, cs, c0, c1, c2, r0, r1, w, r01]. */
function dpmThirdGraph(prediction: 'epsilon' | 'v'): DeviceOpGraph {
  const op = prediction === 'v' ? 'dpm-third-order-v' : 'dpm-third-order';
  const scalars = ['a', 'b', 'cs', 'c0', 'c1', 'c2', 'r0', 'r1', 'w', 'r01'];
  return build(op, ['m', 's', 'p', 'q'], scalars, (g, v) => dpmThirdBody(g, v, prediction === 'v' ? x0FromV(g, v) : x0FromEpsilon(g, v)));
}

/** Older model outputs a PLMS step of `order` reads (newest first): order 0 averages with p1. */
const PLMS_OLDER: Record<0 | 1 | 2 | 3 | 4, readonly string[]> = { 0: ['p1'], 1: [], 2: ['p1'], 3: ['p1', 'p2'], 4: ['p1', 'p2', 'p3'] };

/**
 * PLMS (PNDM): e = the Adams-Bashforth combination of order `order` (0: the second warm-up
 * step's (m + p1) / 2); a v-prediction model's e becomes a·e + b·s (diffusers' conversion, a =
 * √ᾱ, b = √(1 − ᾱ)); then out = cs·s − (diff·e) / denom; the CPU kernels' operations.
 */
function plmsGraph(prediction: 'epsilon' | 'v', order: 0 | 1 | 2 | 3 | 4): DeviceOpGraph {
  const scalars = [...(prediction === 'v' ? ['a', 'b'] : []), 'cs', 'diff', 'denom'];
  return build(`plms-${prediction}-${order}`, ['m', ...PLMS_OLDER[order], 's'], scalars, (g, v) => {
    const w = (value: number, x: string) => g.op('Mul', [weight(g, value), x]);
    let e = v.m;
    if (order === 0) e = g.op('Div', [g.op('Add', [v.m, v.p1]), weight(g, 2)]);
    else if (order === 2) e = g.op('Div', [g.op('Sub', [w(3, v.m), v.p1]), weight(g, 2)]);
    else if (order === 3) e = g.op('Div', [g.op('Add', [g.op('Sub', [w(23, v.m), w(16, v.p1)]), w(5, v.p2)]), weight(g, 12)]);
    else if (order === 4) {
      const sum = g.op('Sub', [g.op('Add', [g.op('Sub', [w(55, v.m), w(59, v.p1)]), w(37, v.p2)]), w(9, v.p3)]);
      e = g.op('Mul', [weight(g, Math.fround(1 / 24)), sum]);
    }
    return { out: pndmUpdate(g, v, prediction, e, v.s) };
  });
}

/**
 * One Runge-Kutta warm-up sub-step of PNDM (`part` of the four): out = equation (9) from the
 * model output m (first and middle parts) or from the finished sum running + w·m (last part), at
 * the sample the warm-up step started from (s for the first part, cur after); the first and
 * middle parts also output the running sum, acc = w·m or running + w·m.
 */
function prkGraph(prediction: 'epsilon' | 'v', part: 'first' | 'middle' | 'last'): DeviceOpGraph {
  const tensors = part === 'first' ? ['m', 's'] : ['m', 'running', 'cur'];
  const scalars = ['w', ...(prediction === 'v' ? ['a', 'b'] : []), 'cs', 'diff', 'denom'];
  return build(`prk-${prediction}-${part}`, tensors, scalars, (g, v): Record<string, string> => {
    const weighted = g.op('Mul', [v.w, v.m]);
    if (part === 'first') return { out: pndmUpdate(g, v, prediction, v.m, v.s), acc: weighted };
    const sum = g.op('Add', [v.running, weighted]);
    if (part === 'middle') return { out: pndmUpdate(g, v, prediction, v.m, v.cur), acc: sum };
    return { out: pndmUpdate(g, v, prediction, sum, v.cur) };
  });
}

/**
 * LMS with `terms` coefficients: x0 = s − σ·m (epsilon) or m·a + s / b (v, the v scalings a, b),
 * d = (s − x0) / σ, out = s + (c0·d + c1·d1 + …) over the older derivatives d1… (newest first);
 * outputs the sample, x0 and d.
 */
function lmsGraph(prediction: 'epsilon' | 'v', terms: 1 | 2 | 3 | 4): DeviceOpGraph {
  const older = ['d1', 'd2', 'd3'].slice(0, terms - 1);
  const coefficients = ['c0', 'c1', 'c2', 'c3'].slice(0, terms);
  const scalars = [...(prediction === 'v' ? ['a', 'b'] : []), 'sigma', ...coefficients];
  return build(`lms-${prediction}-${terms}`, ['m', 's', ...older], scalars, (g, v) => {
    const x0 = prediction === 'v' ? x0FromSigmaV(g, v) : x0FromSigmaEpsilon(g, v.s, v.m, v.sigma);
    const d = g.op('Div', [g.op('Sub', [v.s, x0]), v.sigma]);
    let acc = g.op('Mul', [v.c0, d]);
    older.forEach((name, k) => (acc = g.op('Add', [acc, g.op('Mul', [v[coefficients[k + 1]], v[name]])])));
    return { out: g.op('Add', [v.s, acc]), x0, d };
  });
}

/** The DDPM / unCLIP / LCM step (`alpha-…`): out = c·x0 + d·s, plus noise·e when `noisy`; outputs [out, x0]. */
function alphaGraph(prediction: 'epsilon' | 'v', noisy: boolean): DeviceOpGraph {
  const tensors = noisy ? ['m', 's', 'noise'] : ['m', 's'];
  const scalars = ['a', 'b', 'lo', 'hi', 'c', 'd', ...(noisy ? ['e'] : [])];
  return build(`alpha-${prediction}${noisy ? '-noise' : ''}`, tensors, scalars, (g, v) => {
    const { combined, x0 } = alphaBody(g, v, prediction);
    return noisy ? withNoise(g, v, { out: combined, x0 }, v.e) : { out: combined, x0 };
  });
}

/** LCM's renoising step: denoised = the alpha step's out, out = e·denoised + f·noise; outputs [out, denoised]. */
function lcmRenoiseGraph(prediction: 'epsilon' | 'v'): DeviceOpGraph {
  return build(`lcm-${prediction}-renoise`, ['m', 's', 'noise'], ['a', 'b', 'lo', 'hi', 'c', 'd', 'e', 'f'], (g, v) => {
    const { combined } = alphaBody(g, v, prediction);
    return { out: linear(g, v.e, combined, v.f, v.noise), denoised: combined };
  });
}

/**
 * Dynamic thresholding (Imagen; diffusers' _threshold_sample) of x per batch item: s = the
 * `ratio` quantile of |x| over the item, torch.quantile's linear interpolation between the order
 * statistics at `below` and `above` (taken exactly with TopK: the k = n − below largest values,
 * descending, hold them at k − 1 and hiIndex), clamped to [1, max]; out = clamp(x, −s, s) / s.
 * The host works out k, the indices, the weight w, 1 − w and which lerp formula torch takes (pickLow
 * 1: lo + w·(hi − lo); 0: hi − (hi − lo)·(1 − w)); counts reach the device exact as float32.
 */
function dynamicThresholdGraph(): DeviceOpGraph {
  return build('dynamic-threshold', ['x'], ['k', 'loIndex', 'hiIndex', 'w', 'omw', 'pickLow', 'max'], (g, v) => {
    const int64 = (x: string) => g.op('Cast', [x], { to: 7 });
    const flatShape = g.constant(new Tensor('int64', [2], BigInt64Array.of(0n, -1n)), 'flat');
    const flat = g.op('Reshape', [v.x, flatShape]);
    const [largest] = g.opMulti('TopK', [g.op('Abs', [flat]), int64(v.k)], { axis: 1, largest: 1, sorted: 1 }, { outputs: 2 });
    const lo = g.op('Gather', [largest, int64(v.loIndex)], { axis: 1 });
    const hi = g.op('Gather', [largest, int64(v.hiIndex)], { axis: 1 });
    const diff = g.op('Sub', [hi, lo]);
    const low = g.op('Add', [lo, g.op('Mul', [v.w, diff])]);
    const high = g.op('Sub', [hi, g.op('Mul', [diff, v.omw])]);
    const quantile = g.op('Where', [g.op('Greater', [v.pickLow, weight(g, 0.5)]), low, high]);
    const s = g.op('Min', [g.op('Max', [quantile, weight(g, 1)]), v.max]);
    const clamped = g.op('Min', [g.op('Max', [flat, g.op('Neg', [s])]), s]);
    return { out: g.op('Reshape', [g.op('Div', [clamped, s]), g.op('Shape', [v.x])]) };
  });
}

/*
 * The steps from an x0 already made (thresholded), `…-from-x0`: the fused ops' arithmetic after
 * their x0, inputs [x0, …] in place of [m, …]. DPM-Solver's also take epsilon in x0's place
 * (algorithm_type dpmsolver, whose variable it is).
 */

/** DDIM from x0: inputs [x0, m, s] (+ noise); scalars [a, b, c, d] (+ e); out = c·x0 + d·eps (+ noise·e). */
function ddimFromX0Graph(prediction: 'epsilon' | 'v', noisy: boolean): DeviceOpGraph {
  const op = `ddim-${prediction}-from-x0${noisy ? '-noise' : ''}` as const;
  return build(op, ['x0', 'm', 's', ...(noisy ? ['noise'] : [])], ['a', 'b', 'c', 'd', ...(noisy ? ['e'] : [])], (g, v) => {
    const body = { out: ddimUpdate(g, v, prediction, v.x0), x0: v.x0 };
    return { out: (noisy ? withNoise(g, v, body, v.e) : body).out };
  });
}

/** The alpha step from x0: inputs [x0, s] (+ noise); scalars [c, d] (+ e); out = c·x0 + d·s (+ noise·e). */
function alphaFromX0Graph(noisy: boolean): DeviceOpGraph {
  return build(`alpha-from-x0${noisy ? '-noise' : ''}`, ['x0', 's', ...(noisy ? ['noise'] : [])], ['c', 'd', ...(noisy ? ['e'] : [])], (g, v) => {
    const body = { out: linear(g, v.c, v.x0, v.d, v.s), x0: v.x0 };
    return { out: (noisy ? withNoise(g, v, body, v.e) : body).out };
  });
}

/** LCM's renoising from x0: inputs [x0, s, noise]; scalars [c, d, e, f]; denoised = c·x0 + d·s, out = e·denoised + f·noise. */
function lcmRenoiseFromX0Graph(): DeviceOpGraph {
  return build('lcm-renoise-from-x0', ['x0', 's', 'noise'], ['c', 'd', 'e', 'f'], (g, v) => {
    const denoised = linear(g, v.c, v.x0, v.d, v.s);
    return { out: linear(g, v.e, denoised, v.f, v.noise), denoised };
  });
}

/** DPM-Solver's update of `order` from x0: inputs [x0, s] (+ p, q, the older ones); the fused ops' scalars after alpha, sigma. */
function dpmFromX0Graph(order: 'first' | 'second' | 'third'): DeviceOpGraph {
  const tensors = { first: ['x0', 's'], second: ['x0', 's', 'p'], third: ['x0', 's', 'p', 'q'] }[order];
  const scalars = { first: ['c', 'd'], second: ['c', 'd', 'e', 'f'], third: ['cs', 'c0', 'c1', 'c2', 'r0', 'r1', 'w', 'r01'] }[order];
  const body = { first: dpmFirstBody, second: dpmSecondBody, third: dpmThirdBody }[order];
  return build(`dpm-${order}-order-from-x0`, tensors, scalars, (g, v) => ({ out: body(g, v, v.x0).out }));
}

/**
 * Either half of a Heun step (`heun-<half>-<prediction>[-clip]`): inputs [m, s] (first) or [m, s,
 * p = the first half's derivative, q = its sample] (second); scalars [(a, b,) sigma, dt(, two)(,
 * lo, hi)]; outputs [out, x0, d] (first) or [out, x0].
 */
function heunGraph(half: 'first' | 'second', prediction: 'epsilon' | 'v', clipped: boolean): DeviceOpGraph {
  const op = `heun-${half}-${prediction}${clipped ? '-clip' : ''}` as DeviceOp;
  const tensors = half === 'first' ? ['m', 's'] : ['m', 's', 'p', 'q'];
  const scalars = [...(prediction === 'v' ? ['a', 'b'] : []), 'sigma', 'dt', ...(half === 'second' ? ['two'] : []), ...(clipped ? ['lo', 'hi'] : [])];
  return build(op, tensors, scalars, (g, v) => {
    const raw = prediction === 'v' ? x0FromSigmaV(g, v) : x0FromSigmaEpsilon(g, v.s, v.m, v.sigma);
    const x0 = clipped ? clamp(g, raw, v.lo, v.hi) : raw;
    return half === 'first' ? heunFirstBody(g, v.s, x0, v.sigma, v.dt) : heunSecondBody(g, v, x0, v.sigma, v.dt, v.two);
  });
}

const BUILDERS: Record<DeviceOp, () => DeviceOpGraph> = {
  divide: () => build('divide', ['x'], ['a'], (g, v) => ({ out: g.op('Div', [v.x, v.a]) })),
  // u + a·(c − u)
  guidance: () =>
    build('guidance', ['c', 'u'], ['a'], (g, v) => ({ out: g.op('Add', [v.u, g.op('Mul', [v.a, g.op('Sub', [v.c, v.u])])]) })),
  // x0 = (s − b·m) / a (v: a·s − b·m), clamped with -clip; out = c·x0 + d·eps (+ noise·e)
  'ddim-epsilon': () => ddimGraph('epsilon', false, false),
  'ddim-epsilon-noise': () => ddimGraph('epsilon', false, true),
  'ddim-epsilon-clip': () => ddimGraph('epsilon', true, false),
  'ddim-epsilon-clip-noise': () => ddimGraph('epsilon', true, true),
  'ddim-v': () => ddimGraph('v', false, false),
  'ddim-v-noise': () => ddimGraph('v', false, true),
  'ddim-v-clip': () => ddimGraph('v', true, false),
  'ddim-v-clip-noise': () => ddimGraph('v', true, true),
  // x0 = clamp((s − b·m) / a, lo, hi) (v: clamp(a·s − b·m, lo, hi)); out = c·x0 + d·s
  'alpha-epsilon': () => alphaGraph('epsilon', false),
  'alpha-v': () => alphaGraph('v', false),
  // …then + noise·e (DDPM and unCLIP's variance noise)
  'alpha-epsilon-noise': () => alphaGraph('epsilon', true),
  'alpha-v-noise': () => alphaGraph('v', true),
  // denoised = c·x0 + d·s as above; out = e·denoised + f·noise (LCM's renoising)
  'lcm-epsilon-renoise': () => lcmRenoiseGraph('epsilon'),
  'lcm-v-renoise': () => lcmRenoiseGraph('v'),
  // x0 = s − a·m; out = s + ((s − x0) / a)·b
  'euler-epsilon': () => build('euler-epsilon', ['m', 's'], ['a', 'b'], eulerBody),
  // …then + noise·c
  'euler-ancestral-epsilon': () =>
    build('euler-ancestral-epsilon', ['m', 's', 'noise'], ['a', 'b', 'c'], (g, v) => withNoise(g, v, eulerBody(g, v), v.c)),
  // x0 = m·a + s / b; out = s + ((s − x0) / c)·d
  'euler-v': () => build('euler-v', ['m', 's'], ['a', 'b', 'c', 'd'], eulerVBody),
  // …then + noise·e
  'euler-ancestral-v': () =>
    build('euler-ancestral-v', ['m', 's', 'noise'], ['a', 'b', 'c', 'd', 'e'], (g, v) => withNoise(g, v, eulerVBody(g, v), v.e)),
  // x0 = (s − b·m) / a; out = c·s − d·x0
  'dpm-first-order': () => build('dpm-first-order', ['m', 's'], ['a', 'b', 'c', 'd'], (g, v) => dpmFirstBody(g, v, x0FromEpsilon(g, v))),
  // x0 as above; out = (c·s − d·x0) − e·(f·(x0 − p))
  'dpm-second-order': () =>
    build('dpm-second-order', ['m', 's', 'p'], ['a', 'b', 'c', 'd', 'e', 'f'], (g, v) => dpmSecondBody(g, v, x0FromEpsilon(g, v))),
  // v-prediction: x0 = a·s − b·m, then as above
  'dpm-first-order-v': () => build('dpm-first-order-v', ['m', 's'], ['a', 'b', 'c', 'd'], (g, v) => dpmFirstBody(g, v, x0FromV(g, v))),
  'dpm-second-order-v': () =>
    build('dpm-second-order-v', ['m', 's', 'p'], ['a', 'b', 'c', 'd', 'e', 'f'], (g, v) => dpmSecondBody(g, v, x0FromV(g, v))),
  'dpm-third-order': () => dpmThirdGraph('epsilon'),
  'dpm-third-order-v': () => dpmThirdGraph('v'),
  // x0 = s − sigma·m (v: m·a + s / b), clamped to [lo, hi] with -clip; first half: d = (s − x0) / sigma,
  // out = s + d·dt; second: d = (p + (s − x0) / sigma) / two, out = q + d·dt
  'heun-first-epsilon': () => heunGraph('first', 'epsilon', false),
  'heun-first-epsilon-clip': () => heunGraph('first', 'epsilon', true),
  'heun-first-v': () => heunGraph('first', 'v', false),
  'heun-first-v-clip': () => heunGraph('first', 'v', true),
  'heun-second-epsilon': () => heunGraph('second', 'epsilon', false),
  'heun-second-epsilon-clip': () => heunGraph('second', 'epsilon', true),
  'heun-second-v': () => heunGraph('second', 'v', false),
  'heun-second-v-clip': () => heunGraph('second', 'v', true),
  'plms-epsilon-0': () => plmsGraph('epsilon', 0),
  'plms-epsilon-1': () => plmsGraph('epsilon', 1),
  'plms-epsilon-2': () => plmsGraph('epsilon', 2),
  'plms-epsilon-3': () => plmsGraph('epsilon', 3),
  'plms-epsilon-4': () => plmsGraph('epsilon', 4),
  'plms-v-0': () => plmsGraph('v', 0),
  'plms-v-1': () => plmsGraph('v', 1),
  'plms-v-2': () => plmsGraph('v', 2),
  'plms-v-3': () => plmsGraph('v', 3),
  'plms-v-4': () => plmsGraph('v', 4),
  'lms-epsilon-1': () => lmsGraph('epsilon', 1),
  'lms-epsilon-2': () => lmsGraph('epsilon', 2),
  'lms-epsilon-3': () => lmsGraph('epsilon', 3),
  'lms-epsilon-4': () => lmsGraph('epsilon', 4),
  'lms-v-1': () => lmsGraph('v', 1),
  'lms-v-2': () => lmsGraph('v', 2),
  'lms-v-3': () => lmsGraph('v', 3),
  'lms-v-4': () => lmsGraph('v', 4),
  'prk-epsilon-first': () => prkGraph('epsilon', 'first'),
  'prk-epsilon-middle': () => prkGraph('epsilon', 'middle'),
  'prk-epsilon-last': () => prkGraph('epsilon', 'last'),
  'prk-v-first': () => prkGraph('v', 'first'),
  'prk-v-middle': () => prkGraph('v', 'middle'),
  'prk-v-last': () => prkGraph('v', 'last'),
  // x0 alone (for thresholding before the step): (s − b·m) / a, or a·s − b·m on v
  'x0-epsilon': () => build('x0-epsilon', ['m', 's'], ['a', 'b'], (g, v) => ({ out: x0FromEpsilon(g, v) })),
  // epsilon from a v-prediction: a·m + b·s (DPM-Solver's variable)
  'eps-v': () => build('eps-v', ['m', 's'], ['a', 'b'], (g, v) => ({ out: epsFromV(g, v) })),
  'x0-v': () => build('x0-v', ['m', 's'], ['a', 'b'], (g, v) => ({ out: x0FromV(g, v) })),
  'dynamic-threshold': dynamicThresholdGraph,
  'ddim-epsilon-from-x0': () => ddimFromX0Graph('epsilon', false),
  'ddim-epsilon-from-x0-noise': () => ddimFromX0Graph('epsilon', true),
  'ddim-v-from-x0': () => ddimFromX0Graph('v', false),
  'ddim-v-from-x0-noise': () => ddimFromX0Graph('v', true),
  'alpha-from-x0': () => alphaFromX0Graph(false),
  'alpha-from-x0-noise': () => alphaFromX0Graph(true),
  'lcm-renoise-from-x0': lcmRenoiseFromX0Graph,
  'dpm-first-order-from-x0': () => dpmFromX0Graph('first'),
  'dpm-second-order-from-x0': () => dpmFromX0Graph('second'),
  'dpm-third-order-from-x0': () => dpmFromX0Graph('third'),
  // The prediction and the learned variance of a model output with twice the sample's channels.
  'split-channels': () =>
    build('split-channels', ['x'], [], (g, v) => {
      const [first, second] = g.opMulti('Split', [v.x], { axis: 1 }, { outputs: 2 });
      return { first, second };
    }),
  // mean + exp(0.5·(frac·maxLog + (1 − frac)·minLog))·noise, frac = (pv + 1) / 2 (learned_range)
  'learned-range-noise': () =>
    build('learned-range-noise', ['mean', 'pv', 'noise'], ['maxLog', 'minLog'], (g, v) => {
      const frac = g.op('Div', [g.op('Add', [v.pv, weight(g, 1)]), weight(g, 2)]);
      const logVar = linear(g, frac, v.maxLog, g.op('Sub', [weight(g, 1), frac]), v.minLog);
      const std = g.op('Exp', [g.op('Mul', [weight(g, 0.5), logVar])]);
      return { out: g.op('Add', [v.mean, g.op('Mul', [std, v.noise])]) };
    }),
  // mean + sqrt(pv)·noise (DDPM's learned variance)
  'learned-noise': () =>
    build('learned-noise', ['mean', 'pv', 'noise'], [], (g, v) => ({ out: g.op('Add', [v.mean, g.op('Mul', [g.op('Sqrt', [v.pv]), v.noise])]) })),
  'concat-batch': () => build('concat-batch', ['x', 'y'], [], (g, v) => ({ out: g.op('Concat', [v.x, v.y], { axis: 0 }) })),
  'split-halves': () =>
    build('split-halves', ['x'], [], (g, v) => {
      // Opset 13+ Split without sizes cuts dim 0 into equal parts, one per output.
      const [first, second] = g.opMulti('Split', [v.x], { axis: 0 }, { outputs: 2 });
      return { first, second };
    }),
};

const built = new Map<DeviceOp, DeviceOpGraph>();

/** The graph of `op` (built once per process). */
export function deviceOpGraph(op: DeviceOp): DeviceOpGraph {
  let graph = built.get(op);
  if (!graph) {
    const make = BUILDERS[op];
    if (!make) throw new Error(`unknown device op "${String(op)}"`);
    built.set(op, (graph = make()));
  }
  return graph;
}
