/**
 * The float32 formulas of the device ops (src/runtime/deviceOps.ts) as ONNX graph pieces: each
 * takes the builder and the value names of its inputs (`v`: the op's tensors and scalars by
 * name) and adds the CPU kernels' operations in the same order, so every op that shares a
 * formula (epsilon and v variants, the fused steps and those from a given x0) writes it once.
 */
import type { OnnxGraphBuilder } from '../onnx/builder.ts';
import { Tensor } from '../tensor/tensor.ts';

/** a·x + b·y, as the host's linearCombination rounds it (each product, then the sum). */
export function linear(g: OnnxGraphBuilder, a: string, x: string, b: string, y: string): string {
  return g.op('Add', [g.op('Mul', [a, x]), g.op('Mul', [b, y])]);
}

/** x0 from epsilon on the sigma scale (Euler, LMS, Heun): s − sigma·m. */
export function x0FromSigmaEpsilon(g: OnnxGraphBuilder, s: string, m: string, sigma: string): string {
  return g.op('Sub', [s, g.op('Mul', [sigma, m])]);
}

/** Epsilon from a v-prediction: a·m + b·s (a = sqrt(ᾱ) or alpha, b = sqrt(1 − ᾱ) or sigma). */
export function epsFromV(g: OnnxGraphBuilder, v: Record<string, string>): string {
  return linear(g, v.a, v.m, v.b, v.s);
}

/** The Euler update s + ((s − x0) / sigma)·dt. */
export function eulerUpdate(g: OnnxGraphBuilder, s: string, x0: string, sigma: string, dt: string): string {
  return g.op('Add', [s, g.op('Mul', [g.op('Div', [g.op('Sub', [s, x0]), sigma]), dt])]);
}

export function eulerBody(g: OnnxGraphBuilder, v: Record<string, string>): { out: string; x0: string } {
  const x0 = x0FromSigmaEpsilon(g, v.s, v.m, v.a);
  return { out: eulerUpdate(g, v.s, x0, v.a, v.b), x0 };
}

/** x0 from a v-prediction on the sigma scale: m·a + s / b (a = −σ / √(σ² + 1), b = σ² + 1; sigmaVScalings). */
export function x0FromSigmaV(g: OnnxGraphBuilder, v: Record<string, string>): string {
  return g.op('Add', [g.op('Mul', [v.m, v.a]), g.op('Div', [v.s, v.b])]);
}

/** Euler on a v-prediction: x0 from the v scalings a, b, then the update with sigma c and dt d. */
export function eulerVBody(g: OnnxGraphBuilder, v: Record<string, string>): { out: string; x0: string } {
  const x0 = x0FromSigmaV(g, v);
  return { out: eulerUpdate(g, v.s, x0, v.c, v.d), x0 };
}

/** The x0 prediction from a v-prediction: a·s − b·m (a = sqrt(ᾱ) or alpha, b = sqrt(1 − ᾱ) or sigma). */
export function x0FromV(g: OnnxGraphBuilder, v: Record<string, string>): string {
  return g.op('Sub', [g.op('Mul', [v.a, v.s]), g.op('Mul', [v.b, v.m])]);
}

/** The x0 prediction from epsilon: (s − b·m) / a (a = sqrt(ᾱ) or alpha, b = sqrt(1 − ᾱ) or sigma). */
export function x0FromEpsilon(g: OnnxGraphBuilder, v: Record<string, string>): string {
  return g.op('Div', [x0FromSigmaEpsilon(g, v.s, v.m, v.b), v.a]);
}

/**
 * DDIM: c·x0 + d·eps, with x0 = (s − b·m) / a and eps = m for an epsilon model, x0 = a·s − b·m
 * and eps = a·m + b·s for a v-prediction model; x0 clamped to [lo, hi] when `clipped` (eps stays
 * the unclipped model's, as diffusers' default use_clipped_model_output = False has it).
 */
export function ddimBody(g: OnnxGraphBuilder, v: Record<string, string>, prediction: 'epsilon' | 'v', clipped: boolean): { out: string; x0: string } {
  const raw = prediction === 'epsilon' ? x0FromEpsilon(g, v) : x0FromV(g, v);
  const x0 = clipped ? clamp(g, raw, v.lo, v.hi) : raw;
  return { out: ddimUpdate(g, v, prediction, x0), x0 };
}

/** DDIM's step from x0: c·x0 + d·eps, eps = m (epsilon) or a·m + b·s (v). */
export function ddimUpdate(g: OnnxGraphBuilder, v: Record<string, string>, prediction: 'epsilon' | 'v', x0: string): string {
  return linear(g, v.c, x0, v.d, prediction === 'epsilon' ? v.m : epsFromV(g, v));
}

/** DPM-Solver++ 1S: out = c·s − d·x0. */
export function dpmFirstBody(g: OnnxGraphBuilder, v: Record<string, string>, x0: string): { out: string; x0: string } {
  return { out: g.op('Sub', [g.op('Mul', [v.c, v.s]), g.op('Mul', [v.d, x0])]), x0 };
}

/** DPM-Solver++ 2M: out = (c·s − d·x0) − e·(f·(x0 − p)). */
export function dpmSecondBody(g: OnnxGraphBuilder, v: Record<string, string>, x0: string): { out: string; x0: string } {
  const d1 = g.op('Mul', [v.f, g.op('Sub', [x0, v.p])]);
  const first = g.op('Sub', [g.op('Mul', [v.c, v.s]), g.op('Mul', [v.d, x0])]);
  return { out: g.op('Sub', [first, g.op('Mul', [v.e, d1])]), x0 };
}

/**
 * DPM-Solver++ 3M: with the older x0 predictions p (newer) and q (older), d10 = r0·(x0 − p),
 * d11 = r1·(p − q), diff = d10 − d11, d1 = d10 + w·diff, d2 = r01·diff; out = ((cs·s − c0·x0) +
 * c1·d1) − c2·d2.
 */
export function dpmThirdBody(g: OnnxGraphBuilder, v: Record<string, string>, x0: string): { out: string; x0: string } {
  const d10 = g.op('Mul', [v.r0, g.op('Sub', [x0, v.p])]);
  const d11 = g.op('Mul', [v.r1, g.op('Sub', [v.p, v.q])]);
  const diff = g.op('Sub', [d10, d11]);
  const d1 = g.op('Add', [d10, g.op('Mul', [v.w, diff])]);
  const d2 = g.op('Mul', [v.r01, diff]);
  const first = g.op('Sub', [g.op('Mul', [v.cs, v.s]), g.op('Mul', [v.c0, x0])]);
  return { out: g.op('Sub', [g.op('Add', [first, g.op('Mul', [v.c1, d1])]), g.op('Mul', [v.c2, d2])]), x0 };
}

/** A body's out plus noise·`scale` (the stochastic steps' added noise). */
export function withNoise(g: OnnxGraphBuilder, v: Record<string, string>, body: { out: string; x0: string }, scale: string): { out: string; x0: string } {
  return { out: g.op('Add', [body.out, g.op('Mul', [v.noise, scale])]), x0: body.x0 };
}

/** A float32 [1] constant (an integer weight of a multistep formula, or fl(1/24)). */
export function weight(g: OnnxGraphBuilder, value: number): string {
  return g.constant(new Tensor('float32', [1], Float32Array.of(value)), 'w');
}

/**
 * Equation (9) of the PNDM paper from the combined model output e at sample s: cs·s − (diff·e) /
 * denom, e first turned into a·e + b·s for a v-prediction model.
 */
export function pndmUpdate(g: OnnxGraphBuilder, v: Record<string, string>, prediction: 'epsilon' | 'v', e: string, s: string): string {
  const eps = prediction === 'v' ? linear(g, v.a, e, v.b, s) : e;
  return g.op('Sub', [g.op('Mul', [v.cs, s]), g.op('Div', [g.op('Mul', [v.diff, eps]), v.denom])]);
}

/** Heun's first half from x0: d = (s − x0) / sigma, out = s + d·dt; outputs [out, x0, d]. */
export function heunFirstBody(g: OnnxGraphBuilder, s: string, x0: string, sigma: string, dt: string): Record<string, string> {
  const d = g.op('Div', [g.op('Sub', [s, x0]), sigma]);
  return { out: g.op('Add', [s, g.op('Mul', [d, dt])]), x0, d };
}

/** Heun's second half from x0: d = (p + (s − x0) / sigma) / two, out = q + d·dt; outputs [out, x0]. */
export function heunSecondBody(g: OnnxGraphBuilder, v: Record<string, string>, x0: string, sigma: string, dt: string, two: string): Record<string, string> {
  const d2 = g.op('Div', [g.op('Sub', [v.s, x0]), sigma]);
  const d = g.op('Div', [g.op('Add', [v.p, d2]), two]);
  return { out: g.op('Add', [v.q, g.op('Mul', [d, dt])]), x0 };
}

/** clamp(x, lo, hi) as the CPU's `v < lo ? lo : v > hi ? hi : v` (±Infinity: no clipping). */
export function clamp(g: OnnxGraphBuilder, x: string, lo: string, hi: string): string {
  return g.op('Min', [g.op('Max', [x, lo]), hi]);
}

/** DDPM / unCLIP / LCM: x0 = clamp((s − b·m) / a, lo, hi) (v: clamp(a·s − b·m, lo, hi)) and c·x0 + d·s. */
export function alphaBody(g: OnnxGraphBuilder, v: Record<string, string>, prediction: 'epsilon' | 'v'): { combined: string; x0: string } {
  const x0 = clamp(g, prediction === 'epsilon' ? x0FromEpsilon(g, v) : x0FromV(g, v), v.lo, v.hi);
  return { combined: linear(g, v.c, x0, v.d, v.s), x0 };
}
