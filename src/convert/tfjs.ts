/**
 * TensorFlow.js layers models (`model.json` + binary weight shards, as UpscalerJS and other TF.js
 * packages ship them) → ONNX. The Keras topology is walked layer by layer; channels-last tensors
 * become NCHW (kernels HWIO → OIHW, concat axis 3 → 1) so the result takes and gives
 * [B, 3, H, W] like every other upscaler here. Nothing in the file is executed: unknown layer
 * classes are refused by name.
 */
import { OnnxGraphBuilder } from '../onnx/builder.ts';
import { Tensor } from '../tensor/tensor.ts';
import { float16BitsToFloat32 as decodeFloat16 } from '../tensor/fp16.ts';
import { ConvertError } from './types.ts';

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}
interface ManifestGroup {
  paths: string[];
  weights: ManifestWeight[];
}
interface KerasLayer {
  class_name: string;
  name?: string;
  config: Record<string, unknown>;
  inbound_nodes?: unknown[];
}

export interface TfjsModelInfo {
  architecture: 'tfjs-layers';
  /** Output size ÷ input size, found by walking the topology. */
  scale: number;
  layers: number;
  /** The value range the model expects and produces ([0, 255] for UpscalerJS RDN models). */
  valueRange: [number, number];
}

export interface TfjsModelJson {
  format?: string;
  modelTopology: unknown;
  weightsManifest: ManifestGroup[];
}

const MAX_LAYERS = 10_000;

function fail(file: string, what: string): never {
  throw new ConvertError(`${file}: ${what}`);
}

/** Parses and checks `model.json`; shard paths must be plain file names next to it. */
export function parseTfjsModelJson(text: string, file: string): TfjsModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail(file, 'is not valid JSON');
  }
  const m = json as Partial<TfjsModelJson>;
  if (typeof m !== 'object' || m === null || !m.modelTopology || !Array.isArray(m.weightsManifest)) {
    fail(file, 'is not a TensorFlow.js model (no modelTopology and weightsManifest)');
  }
  if (m.format !== undefined && m.format !== 'layers-model') fail(file, `is a TF.js "${String(m.format)}"; only layers models are supported`);
  for (const group of m.weightsManifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) fail(file, 'has a malformed weightsManifest');
    for (const p of group.paths) {
      if (typeof p !== 'string' || !/^[\w.-]+$/.test(p) || p.startsWith('.')) fail(file, `names a weight shard ${JSON.stringify(p)} that is not a plain file name`);
    }
  }
  return m as TfjsModelJson;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

/** Weight name → float32 tensor (dequantised: value · scale + min), from the shards in manifest order. */
export function readTfjsWeights(model: TfjsModelJson, shards: Map<string, Uint8Array>, file: string): Map<string, { shape: number[]; data: Float32Array }> {
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const group of model.weightsManifest) {
    const parts = group.paths.map((p) => shards.get(p) ?? fail(file, `weight shard ${p} is missing`));
    const total = parts.reduce((n, p) => n + p.length, 0);
    const buffer = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      buffer.set(p, at);
      at += p.length;
    }
    let offset = 0;
    for (const w of group.weights) {
      if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(file, `weight ${w.name} has a bad shape`);
      const count = w.shape.reduce((a, b) => a * b, 1);
      const stored = w.quantization?.dtype ?? w.dtype;
      const size = BYTES[stored];
      if (!size) fail(file, `weight ${w.name} has unsupported dtype ${stored}`);
      if (offset + count * size > total) fail(file, `weight shards are truncated (${w.name} needs bytes up to ${offset + count * size}, the shards hold ${total})`);
      const view = new DataView(buffer.buffer, buffer.byteOffset + offset, count * size);
      const data = new Float32Array(count);
      const q = w.quantization;
      for (let i = 0; i < count; i++) {
        let v: number;
        if (stored === 'float32') v = view.getFloat32(i * 4, true);
        else if (stored === 'int32') v = view.getInt32(i * 4, true);
        else if (stored === 'uint8') v = view.getUint8(i);
        else if (stored === 'uint16') v = view.getUint16(i * 2, true);
        else v = decodeFloat16(view.getUint16(i * 2, true));
        data[i] = q && stored !== 'float16' ? v * (q.scale ?? 1) + (q.min ?? 0) : v;
      }
      weights.set(w.name, { shape: w.shape, data });
      offset += count * size;
    }
    if (offset !== total) fail(file, `weight shards hold ${total} bytes but the manifest describes ${offset}`);
  }
  return weights;
}

/** Keras 2 inbound nodes: [[[layerName, nodeIndex, tensorIndex, kwargs], …]]. */
function inboundNames(layer: KerasLayer, file: string): string[] {
  const nodes = layer.inbound_nodes ?? [];
  if (nodes.length === 0) return [];
  if (nodes.length > 1) fail(file, `layer ${layer.name} is shared (called ${nodes.length} times), which is not supported`);
  const node = nodes[0];
  if (!Array.isArray(node)) fail(file, `layer ${layer.name} has inbound nodes in a format this reader does not know (Keras 3?)`);
  return node.map((entry) => (Array.isArray(entry) && typeof entry[0] === 'string' ? entry[0] : fail(file, `layer ${layer.name} has a malformed inbound node`)));
}

interface Value {
  name: string;
  channels: number;
  /** Spatial size relative to the model input. */
  scale: number;
}

class TfjsGraph {
  readonly g = new OnnxGraphBuilder({ graphName: 'tfjs-layers', producerName: 'latentloom' });
  private readonly used = new Set<string>();
  constructor(private readonly weights: Map<string, { shape: number[]; data: Float32Array }>, private readonly file: string) {}

  weight(layer: string, what: string): { shape: number[]; data: Float32Array } {
    // Converters write `layer/kernel`, sometimes under a model prefix (`model/layer/kernel`).
    const suffix = `${layer}/${what}`;
    for (const [name, w] of this.weights) {
      if (name === suffix || name.endsWith(`/${suffix}`)) {
        this.used.add(name);
        return w;
      }
    }
    fail(this.file, `weight ${suffix} is missing`);
  }
  hasWeight(layer: string, what: string): boolean {
    const suffix = `${layer}/${what}`;
    return [...this.weights.keys()].some((n) => n === suffix || n.endsWith(`/${suffix}`));
  }
  unused(): string[] {
    return [...this.weights.keys()].filter((n) => !this.used.has(n));
  }
  activation(x: string, name: unknown, where: string): string {
    switch (name ?? 'linear') {
      case 'linear':
        return x;
      case 'relu':
        return this.g.op('Relu', [x]);
      case 'sigmoid':
        return this.g.op('Sigmoid', [x]);
      case 'tanh':
        return this.g.op('Tanh', [x]);
      case 'swish':
        return this.g.op('Mul', [x, this.g.op('Sigmoid', [x])]);
      default:
        fail(this.file, `${where}: activation "${String(name)}" is not supported`);
    }
  }
}

const pair = (v: unknown, fallback: number): [number, number] =>
  Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : typeof v === 'number' ? [v, v] : [fallback, fallback];

function conv2d(t: TfjsGraph, layer: KerasLayer, x: Value, file: string): Value {
  const c = layer.config;
  const name = String(layer.name ?? c.name);
  if (c.data_format !== undefined && c.data_format !== 'channels_last') fail(file, `layer ${name}: data_format ${String(c.data_format)} is not supported`);
  const [kh, kw] = pair(c.kernel_size, 1);
  const [sh, sw] = pair(c.strides, 1);
  const [dh, dw] = pair(c.dilation_rate, 1);
  const groups = Number(c.groups ?? 1);
  const kernel = t.weight(name, 'kernel');
  const [h, w, cin, cout] = kernel.shape;
  if (kernel.shape.length !== 4 || h !== kh || w !== kw || cin * groups !== x.channels) {
    fail(file, `layer ${name}: kernel [${kernel.shape.join(', ')}] does not fit a ${kh}×${kw} conv on ${x.channels} channels`);
  }
  // HWIO → OIHW.
  const oihw = new Float32Array(kernel.data.length);
  for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) {
    oihw[((o * cin + i) * kh + y) * kw + xx] = kernel.data[((y * kw + xx) * cin + i) * cout + o];
  }
  const inputs = [x.name, t.g.initializer(`${name}.weight`, Tensor.float32([cout, cin, kh, kw], oihw))];
  if (c.use_bias !== false) {
    const bias = t.weight(name, 'bias');
    inputs.push(t.g.initializer(`${name}.bias`, Tensor.float32([cout], bias.data)));
  }
  const attrs: Record<string, number[] | number> = { kernel_shape: [kh, kw], strides: [sh, sw], dilations: [dh, dw], group: groups };
  if (c.padding === 'same') {
    if (sh !== 1 || sw !== 1) fail(file, `layer ${name}: "same" padding with strides ${sh}×${sw} is not supported`);
    // TensorFlow puts the odd extra row/column of "same" padding at the bottom/right.
    const ph = (kh - 1) * dh;
    const pw = (kw - 1) * dw;
    attrs.pads = [Math.floor(ph / 2), Math.floor(pw / 2), ph - Math.floor(ph / 2), pw - Math.floor(pw / 2)];
  } else if (c.padding !== 'valid' && c.padding !== undefined) fail(file, `layer ${name}: padding ${String(c.padding)} is not supported`);
  const y = t.g.op('Conv', inputs, attrs);
  return { name: t.activation(y, c.activation, `layer ${name}`), channels: cout, scale: x.scale / sh };
}

function layerValue(t: TfjsGraph, layer: KerasLayer, inputs: Value[], file: string): Value {
  const name = String(layer.name ?? layer.config.name);
  const one = () => (inputs.length === 1 ? inputs[0] : fail(file, `layer ${name} (${layer.class_name}) takes one input, got ${inputs.length}`));
  const g = t.g;
  const cls = layer.class_name;
  switch (cls) {
    case 'Conv2D':
      return conv2d(t, layer, one(), file);
    case 'Activation':
      return { ...one(), name: t.activation(one().name, layer.config.activation, `layer ${name}`) };
    case 'ReLU':
      return { ...one(), name: g.op('Relu', [one().name]) };
    case 'LeakyReLU':
      return { ...one(), name: g.op('LeakyRelu', [one().name], { alpha: Number(layer.config.alpha ?? 0.3) }) };
    case 'PReLU': {
      const alpha = t.weight(name, 'alpha');
      const x = one();
      if (alpha.data.length !== x.channels) fail(file, `layer ${name}: PReLU alpha must be shared over height and width`);
      return { ...x, name: g.op('PRelu', [x.name, g.initializer(`${name}.alpha`, Tensor.float32([x.channels, 1, 1], alpha.data))]) };
    }
    case 'Add':
    case 'Multiply': {
      if (inputs.length < 2) fail(file, `layer ${name} (${cls}) needs at least two inputs`);
      let acc = inputs[0].name;
      for (const v of inputs.slice(1)) acc = g.op(cls === 'Add' ? 'Add' : 'Mul', [acc, v.name]);
      return { ...inputs[0], name: acc };
    }
    case 'Concatenate': {
      const axis = Number(layer.config.axis ?? -1);
      if (axis !== 3 && axis !== -1) fail(file, `layer ${name}: concatenation on axis ${axis} is not supported (only channels)`);
      return { name: g.op('Concat', inputs.map((v) => v.name), { axis: 1 }), channels: inputs.reduce((n, v) => n + v.channels, 0), scale: inputs[0].scale };
    }
    case 'UpSampling2D': {
      const [fh, fw] = pair(layer.config.size, 2);
      if ((layer.config.interpolation ?? 'nearest') !== 'nearest') fail(file, `layer ${name}: ${String(layer.config.interpolation)} upsampling is not supported`);
      if (fh !== fw) fail(file, `layer ${name}: upsampling ${fh}×${fw} is not square`);
      const x = one();
      const scales = g.constant(Tensor.float32([4], [1, 1, fh, fw]));
      return { ...x, name: g.op('Resize', [x.name, '', scales], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }), scale: x.scale * fh };
    }
    case 'MultiplyBeta':
      // UpscalerJS's residual scaling layer (×0.2).
      return { ...one(), name: g.op('Mul', [one().name, g.constant(Tensor.float32([], [0.2]))]) };
    default: {
      const shuffle = /^PixelShuffle(\d)x$/.exec(cls);
      if (shuffle) {
        // tf.depthToSpace in NHWC orders channels as (row, column, channel): ONNX's DCR mode.
        const r = Number(shuffle[1]);
        const x = one();
        if (x.channels % (r * r) !== 0) fail(file, `layer ${name}: ${x.channels} channels do not shuffle by ${r}`);
        return { name: g.op('DepthToSpace', [x.name], { blocksize: r, mode: 'DCR' }), channels: x.channels / (r * r), scale: x.scale * r };
      }
      fail(file, `layer ${name}: layer class ${cls} is not supported`);
    }
  }
}

/**
 * Builds the ONNX graph. `valueRange` is the range the TF.js model works in; the ONNX model always
 * takes and gives [0, 1] (scaled inside) so it plugs into `model/load-upscaler` like the others.
 */
export function buildTfjsOnnx(
  model: TfjsModelJson,
  shards: Map<string, Uint8Array>,
  file: string,
  valueRange: [number, number] = [0, 1],
): { onnx: Uint8Array; info: TfjsModelInfo; parameters: number } {
  const topology = model.modelTopology as { model_config?: { class_name?: string; config?: { layers?: KerasLayer[] } | KerasLayer[] } };
  const config = topology?.model_config;
  const layers = Array.isArray(config?.config) ? config.config : config?.config?.layers;
  if (!Array.isArray(layers)) fail(file, 'has no Keras layers in modelTopology.model_config');
  if (layers.length > MAX_LAYERS) fail(file, `has ${layers.length} layers (at most ${MAX_LAYERS})`);
  const sequential = config?.class_name === 'Sequential';
  const weights = readTfjsWeights(model, shards, file);
  const t = new TfjsGraph(weights, file);
  const g = t.g;
  const values = new Map<string, Value>();
  let last: Value | undefined;
  let input: Value | undefined;
  const [lo, hi] = valueRange;
  for (const layer of layers) {
    if (typeof layer?.class_name !== 'string' || typeof layer.config !== 'object' || layer.config === null) fail(file, 'has a malformed layer');
    const name = String(layer.name ?? layer.config.name);
    const isInput = layer.class_name === 'InputLayer';
    if (isInput || (sequential && !input)) {
      if (input) fail(file, 'has more than one input; an upscaler takes one image');
      const shape = (layer.config.batch_input_shape ?? layer.config.batch_shape) as unknown[] | undefined;
      const channels = Number(shape?.[3] ?? 3);
      const image = g.input('image', 'float32', ['batch', channels, 'height', 'width']);
      // [0, 1] → the model's range.
      const scaled = lo === 0 && hi === 1 ? image : g.op('Add', [g.op('Mul', [image, g.constant(Tensor.float32([], [hi - lo]))]), g.constant(Tensor.float32([], [lo]))]);
      input = { name: scaled, channels, scale: 1 };
      if (isInput) {
        values.set(name, input);
        last = input;
        continue;
      }
      last = input;
    }
    const inputs = sequential ? [last!] : inboundNames(layer, file).map((n) => values.get(n) ?? fail(file, `layer ${name} reads ${n}, which comes later or does not exist`));
    const value = layerValue(t, layer, inputs, file);
    values.set(name, value);
    last = value;
  }
  if (!input || !last || last === input) fail(file, 'has no layers after its input');
  const unused = t.unused();
  if (unused.length > 0) fail(file, `has weights no layer uses: ${unused.slice(0, 5).join(', ')}`);
  const out = lo === 0 && hi === 1 ? last.name : g.op('Mul', [g.op('Sub', [last.name, g.constant(Tensor.float32([], [lo]))]), g.constant(Tensor.float32([], [1 / (hi - lo)]))]);
  g.output(out, 'upscaled', 'float32', ['batch', last.channels, 'out_height', 'out_width']);
  g.metadataProp('latentloom.architecture', 'tfjs-layers');
  g.metadataProp('latentloom.scale', String(last.scale));
  g.metadataProp('latentloom.image_range', '0,1');
  let parameters = 0;
  for (const w of weights.values()) parameters += w.data.length;
  return { onnx: g.toBytes(), info: { architecture: 'tfjs-layers', scale: last.scale, layers: layers.length, valueRange }, parameters };
}
