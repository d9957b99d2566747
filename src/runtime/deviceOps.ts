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

/** The Euler update s + ((s − x0) / sigma)·dt. */
function eulerUpdate(g: OnnxGraphBuilder, s: string, x0: string, sigma: string, dt: string): string {
  return g.op('Add', [s, g.op('Mul', [g.op('Div', [g.op('Sub', [s, x0]), sigma]), dt])]);
}

function eulerBody(g: OnnxGraphBuilder, v: Record<string, string>): { out: string; x0: string } {
  const x0 = g.op('Sub', [v.s, g.op('Mul', [v.a, v.m])]);
  return { out: eulerUpdate(g, v.s, x0, v.a, v.b), x0 };
}

/** x0 from a v-prediction on the sigma scale: m·a + s / b (a = −σ / √(σ² + 1), b = σ² + 1; sigmaVScalings). */
function x0FromSigmaV(g: OnnxGraphBuilder, v: Record<string, string>): string {
  return g.op('Add', [g.op('Mul', [v.m, v.a]), g.op('Div', [v.s, v.b])]);
}

/** Euler on a v-prediction: x0 from the v scalings a, b, then the update with sigma c and dt d. */
function eulerVBody(g: OnnxGraphBuilder, v: Record<string, string>): { out: string; x0: string } {
  const x0 = x0FromSigmaV(g, v);
  return { out: eulerUpdate(g, v.s, x0, v.c, v.d), x0 };
}

/** The x0 prediction from a v-prediction: a·s − b·m (a = sqrt(ᾱ) or alpha, b = sqrt(1 − ᾱ) or sigma). */
function x0FromV(g: OnnxGraphBuilder, v: Record<string, string>): string {
  return g.op('Sub', [g.op('Mul', [v.a, v.s]), g.op('Mul', [v.b, v.m])]);
}

/** The x0 prediction from epsilon: (s − b·m) / a (a = sqrt(ᾱ) or alpha, b = sqrt(1 − ᾱ) or sigma). */
function x0FromEpsilon(g: OnnxGraphBuilder, v: Record<string, string>): string {
  return g.op('Div', [g.op('Sub', [v.s, g.op('Mul', [v.b, v.m])]), v.a]);
}

/**
 * DDIM: c·x0 + d·eps, with x0 = (s − b·m) / a and eps = m for an epsilon model, x0 = a·s − b·m
 * and eps = a·m + b·s for a v-prediction model; x0 clamped to [lo, hi] when `clipped` (eps stays
 * the unclipped model's, as diffusers' default use_clipped_model_output = False has it).
 */
function ddimBody(g: OnnxGraphBuilder, v: Record<string, string>, prediction: 'epsilon' | 'v', clipped: boolean): { out: string; x0: string } {
  const raw = prediction === 'epsilon' ? x0FromEpsilon(g, v) : x0FromV(g, v);
  const x0 = clipped ? clamp(g, raw, v.lo, v.hi) : raw;
  const eps = prediction === 'epsilon' ? v.m : g.op('Add', [g.op('Mul', [v.a, v.m]), g.op('Mul', [v.b, v.s])]);
  return { out: g.op('Add', [g.op('Mul', [v.c, x0]), g.op('Mul', [v.d, eps])]), x0 };
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

/** DPM-Solver++ 1S: out = c·s − d·x0. */
function dpmFirstBody(g: OnnxGraphBuilder, v: Record<string, string>, x0: string): { out: string; x0: string } {
  return { out: g.op('Sub', [g.op('Mul', [v.c, v.s]), g.op('Mul', [v.d, x0])]), x0 };
}

/** DPM-Solver++ 2M: out = (c·s − d·x0) − e·(f·(x0 − p)). */
function dpmSecondBody(g: OnnxGraphBuilder, v: Record<string, string>, x0: string): { out: string; x0: string } {
  const d1 = g.op('Mul', [v.f, g.op('Sub', [x0, v.p])]);
  const first = g.op('Sub', [g.op('Mul', [v.c, v.s]), g.op('Mul', [v.d, x0])]);
  return { out: g.op('Sub', [first, g.op('Mul', [v.e, d1])]), x0 };
}

/**
 * DPM-Solver++ 3M: with the older x0 predictions p (newer) and q (older), d10 = r0·(x0 − p),
 * d11 = r1·(p − q), diff = d10 − d11, d1 = d10 + w·diff, d2 = r01·diff; out = ((cs·s − c0·x0) +
 * c1·d1) − c2·d2.
 */
function dpmThirdBody(g: OnnxGraphBuilder, v: Record<string, string>, x0: string): { out: string; x0: string } {
  const d10 = g.op('Mul', [v.r0, g.op('Sub', [x0, v.p])]);
  const d11 = g.op('Mul', [v.r1, g.op('Sub', [v.p, v.q])]);
  const diff = g.op('Sub', [d10, d11]);
  const d1 = g.op('Add', [d10, g.op('Mul', [v.w, diff])]);
  const d2 = g.op('Mul', [v.r01, diff]);
  const first = g.op('Sub', [g.op('Mul', [v.cs, v.s]), g.op('Mul', [v.c0, x0])]);
  return { out: g.op('Sub', [g.op('Add', [first, g.op('Mul', [v.c1, d1])]), g.op('Mul', [v.c2, d2])]), x0 };
}

/** DPM-Solver++ 3M's op: inputs [m, s, p, q]; scalars [a = alpha, b = sigma, cs, c0, c1, c2, r0, r1, w, r01]. */
function dpmThirdGraph(prediction: 'epsilon' | 'v'): DeviceOpGraph {
  const op = prediction === 'v' ? 'dpm-third-order-v' : 'dpm-third-order';
  const scalars = ['a', 'b', 'cs', 'c0', 'c1', 'c2', 'r0', 'r1', 'w', 'r01'];
  return build(op, ['m', 's', 'p', 'q'], scalars, (g, v) => dpmThirdBody(g, v, prediction === 'v' ? x0FromV(g, v) : x0FromEpsilon(g, v)));
}

/** A body's out plus noise·`scale` (the stochastic steps' added noise). */
function withNoise(g: OnnxGraphBuilder, v: Record<string, string>, body: { out: string; x0: string }, scale: string): { out: string; x0: string } {
  return { out: g.op('Add', [body.out, g.op('Mul', [v.noise, scale])]), x0: body.x0 };
}

/** A float32 [1] constant (an integer weight of a multistep formula, or fl(1/24)). */
function weight(g: OnnxGraphBuilder, value: number): string {
  return g.constant(new Tensor('float32', [1], Float32Array.of(value)), 'w');
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
 * Equation (9) of the PNDM paper from the combined model output e at sample s: cs·s − (diff·e) /
 * denom, e first turned into a·e + b·s for a v-prediction model.
 */
function pndmUpdate(g: OnnxGraphBuilder, v: Record<string, string>, prediction: 'epsilon' | 'v', e: string, s: string): string {
  const eps = prediction === 'v' ? g.op('Add', [g.op('Mul', [v.a, e]), g.op('Mul', [v.b, s])]) : e;
  return g.op('Sub', [g.op('Mul', [v.cs, s]), g.op('Div', [g.op('Mul', [v.diff, eps]), v.denom])]);
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
    const x0 = prediction === 'v' ? x0FromSigmaV(g, v) : g.op('Sub', [v.s, g.op('Mul', [v.sigma, v.m])]);
    const d = g.op('Div', [g.op('Sub', [v.s, x0]), v.sigma]);
    let acc = g.op('Mul', [v.c0, d]);
    older.forEach((name, k) => (acc = g.op('Add', [acc, g.op('Mul', [v[coefficients[k + 1]], v[name]])])));
    return { out: g.op('Add', [v.s, acc]), x0, d };
  });
}

/** Heun's first half from x0: d = (s − x0) / sigma, out = s + d·dt; outputs [out, x0, d]. */
function heunFirstBody(g: OnnxGraphBuilder, s: string, x0: string, sigma: string, dt: string): Record<string, string> {
  const d = g.op('Div', [g.op('Sub', [s, x0]), sigma]);
  return { out: g.op('Add', [s, g.op('Mul', [d, dt])]), x0, d };
}

/** Heun's second half from x0: d = (p + (s − x0) / sigma) / two, out = q + d·dt; outputs [out, x0]. */
function heunSecondBody(g: OnnxGraphBuilder, v: Record<string, string>, x0: string, sigma: string, dt: string, two: string): Record<string, string> {
  const d2 = g.op('Div', [g.op('Sub', [v.s, x0]), sigma]);
  const d = g.op('Div', [g.op('Add', [v.p, d2]), two]);
  return { out: g.op('Add', [v.q, g.op('Mul', [d, dt])]), x0 };
}

/** clamp(x, lo, hi) as the CPU's `v < lo ? lo : v > hi ? hi : v` (±Infinity: no clipping). */
function clamp(g: OnnxGraphBuilder, x: string, lo: string, hi: string): string {
  return g.op('Min', [g.op('Max', [x, lo]), hi]);
}

/** DDPM / unCLIP / LCM: x0 = clamp((s − b·m) / a, lo, hi) (v: clamp(a·s − b·m, lo, hi)) and c·x0 + d·s. */
function alphaBody(g: OnnxGraphBuilder, v: Record<string, string>, prediction: 'epsilon' | 'v'): { combined: string; x0: string } {
  const x0 = clamp(g, prediction === 'epsilon' ? x0FromEpsilon(g, v) : x0FromV(g, v), v.lo, v.hi);
  return { combined: g.op('Add', [g.op('Mul', [v.c, x0]), g.op('Mul', [v.d, v.s])]), x0 };
}

/** The DDPM / unCLIP / LCM step (`alpha-…`): out = c·x0 + d·s, plus noise·e when `noisy`; outputs [out, x0]. */
function alphaGraph(prediction: 'epsilon' | 'v', noisy: boolean): DeviceOpGraph {
  const tensors = noisy ? ['m', 's', 'noise'] : ['m', 's'];
  const scalars = ['a', 'b', 'lo', 'hi', 'c', 'd', ...(noisy ? ['e'] : [])];
  return build(`alpha-${prediction}${noisy ? '-noise' : ''}`, tensors, scalars, (g, v) => {
    const { combined, x0 } = alphaBody(g, v, prediction);
    return { out: noisy ? g.op('Add', [combined, g.op('Mul', [v.noise, v.e])]) : combined, x0 };
  });
}

/** LCM's renoising step: denoised = the alpha step's out, out = e·denoised + f·noise; outputs [out, denoised]. */
function lcmRenoiseGraph(prediction: 'epsilon' | 'v'): DeviceOpGraph {
  return build(`lcm-${prediction}-renoise`, ['m', 's', 'noise'], ['a', 'b', 'lo', 'hi', 'c', 'd', 'e', 'f'], (g, v) => {
    const { combined } = alphaBody(g, v, prediction);
    return { out: g.op('Add', [g.op('Mul', [v.e, combined]), g.op('Mul', [v.f, v.noise])]), denoised: combined };
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
  // x0 = s − a·m; d = (s − x0) / a; out = s + d·b
  'heun-first-epsilon': () =>
    build('heun-first-epsilon', ['m', 's'], ['a', 'b'], (g, v) => heunFirstBody(g, v.s, g.op('Sub', [v.s, g.op('Mul', [v.a, v.m])]), v.a, v.b)),
  // x0 = s − a·m; d = (p + (s − x0) / a) / c; out = q + d·b
  'heun-second-epsilon': () =>
    build('heun-second-epsilon', ['m', 's', 'p', 'q'], ['a', 'b', 'c'], (g, v) =>
      heunSecondBody(g, v, g.op('Sub', [v.s, g.op('Mul', [v.a, v.m])]), v.a, v.b, v.c)),
  // v-prediction: x0 = m·a + s / b, then the halves with sigma, dt (and two = 2); the scalars
  // are named so, since the first half's outputs take the name d.
  'heun-first-v': () =>
    build('heun-first-v', ['m', 's'], ['a', 'b', 'sigma', 'dt'], (g, v) => heunFirstBody(g, v.s, x0FromSigmaV(g, v), v.sigma, v.dt)),
  'heun-second-v': () =>
    build('heun-second-v', ['m', 's', 'p', 'q'], ['a', 'b', 'sigma', 'dt', 'two'], (g, v) => heunSecondBody(g, v, x0FromSigmaV(g, v), v.sigma, v.dt, v.two)),
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
