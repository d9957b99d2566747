/**
 * The sampling math of DeviceOp (src/tensor/resident.ts) as tiny ONNX graphs, built here in
 * code: run on the session device of the backend (WebGPU), they keep a denoising loop's tensors
 * on the GPU. Each graph takes its tensors with any shape and its scalars as float32 [1] inputs,
 * and spells out the CPU kernels' float32 operations in the same order, so the only differences
 * from the CPU are the device's own float32 rounding (fused multiply-adds and the like).
 */
import { OnnxGraphBuilder } from '../onnx/builder.ts';
import type { DeviceOp } from '../tensor/resident.ts';

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

function eulerBody(g: OnnxGraphBuilder, v: Record<string, string>): { out: string; x0: string } {
  const x0 = g.op('Sub', [v.s, g.op('Mul', [v.a, v.m])]);
  const derivative = g.op('Div', [g.op('Sub', [v.s, x0]), v.a]);
  return { out: g.op('Add', [v.s, g.op('Mul', [derivative, v.b])]), x0 };
}

/** The x0 prediction from epsilon: (s − b·m) / a (a = sqrt(ᾱ) or alpha, b = sqrt(1 − ᾱ) or sigma). */
function x0FromEpsilon(g: OnnxGraphBuilder, v: Record<string, string>): string {
  return g.op('Div', [g.op('Sub', [v.s, g.op('Mul', [v.b, v.m])]), v.a]);
}

const BUILDERS: Record<DeviceOp, () => DeviceOpGraph> = {
  divide: () => build('divide', ['x'], ['a'], (g, v) => ({ out: g.op('Div', [v.x, v.a]) })),
  // u + a·(c − u)
  guidance: () =>
    build('guidance', ['c', 'u'], ['a'], (g, v) => ({ out: g.op('Add', [v.u, g.op('Mul', [v.a, g.op('Sub', [v.c, v.u])])]) })),
  // x0 = (s − b·m) / a; out = c·x0 + d·m
  'ddim-epsilon': () =>
    build('ddim-epsilon', ['m', 's'], ['a', 'b', 'c', 'd'], (g, v) => {
      const x0 = x0FromEpsilon(g, v);
      return { out: g.op('Add', [g.op('Mul', [v.c, x0]), g.op('Mul', [v.d, v.m])]), x0 };
    }),
  // x0 = s − a·m; out = s + ((s − x0) / a)·b
  'euler-epsilon': () => build('euler-epsilon', ['m', 's'], ['a', 'b'], eulerBody),
  // …then + noise·c
  'euler-ancestral-epsilon': () =>
    build('euler-ancestral-epsilon', ['m', 's', 'noise'], ['a', 'b', 'c'], (g, v) => {
      const { out, x0 } = eulerBody(g, v);
      return { out: g.op('Add', [out, g.op('Mul', [v.noise, v.c])]), x0 };
    }),
  // x0 = (s − b·m) / a; out = c·s − d·x0
  'dpm-first-order': () =>
    build('dpm-first-order', ['m', 's'], ['a', 'b', 'c', 'd'], (g, v) => {
      const x0 = x0FromEpsilon(g, v);
      return { out: g.op('Sub', [g.op('Mul', [v.c, v.s]), g.op('Mul', [v.d, x0])]), x0 };
    }),
  // x0 as above; out = (c·s − d·x0) − e·(f·(x0 − p))
  'dpm-second-order': () =>
    build('dpm-second-order', ['m', 's', 'p'], ['a', 'b', 'c', 'd', 'e', 'f'], (g, v) => {
      const x0 = x0FromEpsilon(g, v);
      const d1 = g.op('Mul', [v.f, g.op('Sub', [x0, v.p])]);
      const first = g.op('Sub', [g.op('Mul', [v.c, v.s]), g.op('Mul', [v.d, x0])]);
      return { out: g.op('Sub', [first, g.op('Mul', [v.e, d1])]), x0 };
    }),
  // x0 = s − a·m; d = (s − x0) / a; out = s + d·b
  'heun-first-epsilon': () =>
    build('heun-first-epsilon', ['m', 's'], ['a', 'b'], (g, v) => {
      const x0 = g.op('Sub', [v.s, g.op('Mul', [v.a, v.m])]);
      const d = g.op('Div', [g.op('Sub', [v.s, x0]), v.a]);
      return { out: g.op('Add', [v.s, g.op('Mul', [d, v.b])]), x0, d };
    }),
  // x0 = s − a·m; d = (p + (s − x0) / a) / c; out = q + d·b
  'heun-second-epsilon': () =>
    build('heun-second-epsilon', ['m', 's', 'p', 'q'], ['a', 'b', 'c'], (g, v) => {
      const x0 = g.op('Sub', [v.s, g.op('Mul', [v.a, v.m])]);
      const d2 = g.op('Div', [g.op('Sub', [v.s, x0]), v.a]);
      const d = g.op('Div', [g.op('Add', [v.p, d2]), v.c]);
      return { out: g.op('Add', [v.q, g.op('Mul', [d, v.b])]), x0 };
    }),
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
