/**
 * The TAESD family (taesd, taesdxl, taesd3, taef1, taef2): tiny convolutional VAE encoders and
 * decoders, recognised from their state-dict keys and built as ONNX graphs.
 *
 * Layout (a `Sequential`, so keys are `<index>.<…>`): a Block is three 3×3 convs with ReLUs
 * between them, added to the input (or a 1×1 skip conv when widths differ) and passed through a
 * ReLU. The FLUX.2 member (taef2) adds a "mid-block" branch in its lowest-resolution blocks:
 * x + conv1×1(ReLU(GroupNorm(4 groups)(conv1×1(x)))) before the block. Encoders take RGB in [0, 1]
 * and give raw latents; decoders soft-clamp the latent with 3·tanh(x/3), upsample ×2 (nearest)
 * three times and give RGB in [0, 1].
 */
import { OnnxGraphBuilder } from '../onnx/builder.ts';
import { Tensor } from '../tensor/tensor.ts';
import { ConvertError, type StateDict, type WeightTensor } from './types.ts';

export interface TaesdInfo {
  architecture: 'taesd-encoder' | 'taesd-decoder';
  latentChannels: number;
  /** Width of the convolutions (64 in every published checkpoint). */
  width: number;
  /** taef2's GroupNorm mid-block branch. */
  midBlockNorm: boolean;
}

/** Module indices of the Sequential, and which are Blocks. */
const ENCODER_LAYOUT = ['conv', 'block', 'down', 'block', 'block', 'block', 'down', 'block', 'block', 'block', 'down', 'block', 'block', 'block', 'conv'] as const;
const DECODER_LAYOUT = ['clamp', 'conv', 'relu', 'block', 'block', 'block', 'up', 'convnb', 'block', 'block', 'block', 'up', 'convnb', 'block', 'block', 'block', 'up', 'convnb', 'block', 'conv'] as const;

export function detectTaesd(sd: StateDict): TaesdInfo | undefined {
  const isBlock = (i: number) => sd.has(`${i}.conv.0.weight`) && sd.has(`${i}.conv.4.weight`);
  const shape = (k: string) => sd.get(k)?.shape;
  // Encoder: 0 is a conv from RGB, 14 is the conv to the latent.
  const first = shape('0.weight');
  const last = shape('14.weight');
  if (first && first[1] === 3 && last && isBlock(1) && isBlock(13) && !sd.has('19.weight')) {
    return { architecture: 'taesd-encoder', latentChannels: last[0], width: first[0], midBlockNorm: sd.has('11.pool.0.weight') };
  }
  // Decoder: 0 is the clamp (no weights), 1 the conv from the latent, 19 the conv to RGB.
  const from = shape('1.weight');
  const toRgb = shape('19.weight');
  if (from && toRgb && toRgb[0] === 3 && isBlock(3) && isBlock(18)) {
    return { architecture: 'taesd-decoder', latentChannels: from[1], width: from[0], midBlockNorm: sd.has('3.pool.0.weight') };
  }
  return undefined;
}

class WeightReader {
  readonly used = new Set<string>();
  constructor(private readonly sd: StateDict, private readonly file: string) {}
  get(key: string, shape?: number[]): WeightTensor {
    const w = this.sd.get(key);
    if (!w) throw new ConvertError(`${this.file}: TAESD weight "${key}" is missing`);
    if (shape && (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i]))) {
      throw new ConvertError(`${this.file}: TAESD weight "${key}" has shape [${w.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
    this.used.add(key);
    return w;
  }
}

function conv(g: OnnxGraphBuilder, w: WeightReader, x: string, key: string, opts: { bias: boolean; stride?: number; kernel?: number }): string {
  const weight = w.get(`${key}.weight`);
  const k = opts.kernel ?? weight.shape[2];
  const pad = (k - 1) / 2;
  const inputs = [g.initializer(`${key}.weight`, Tensor.float32(weight.shape, weight.data))];
  if (opts.bias) {
    const bias = w.get(`${key}.bias`, [weight.shape[0]]);
    inputs.push(g.initializer(`${key}.bias`, Tensor.float32(bias.shape, bias.data)));
  }
  const s = opts.stride ?? 1;
  return g.op('Conv', [x, ...inputs], { kernel_shape: [k, k], pads: [pad, pad, pad, pad], strides: [s, s] });
}

/** GroupNorm as Reshape → InstanceNormalization → Reshape → affine (runs on every ORT build). */
function groupNorm(g: OnnxGraphBuilder, w: WeightReader, x: string, key: string, groups: number, channels: number): string {
  const grouped = g.op('Reshape', [x, g.constant(Tensor.int64([3], [0, groups, -1]))]);
  const normed = g.op('InstanceNormalization', [grouped, g.constant(Tensor.float32([groups], new Float32Array(groups).fill(1))), g.constant(Tensor.float32([groups], new Float32Array(groups)))], { epsilon: 1e-5 });
  const back = g.op('Reshape', [normed, g.op('Shape', [x])]);
  const scale = w.get(`${key}.weight`, [channels]);
  const bias = w.get(`${key}.bias`, [channels]);
  const scaled = g.op('Mul', [back, g.initializer(`${key}.weight`, Tensor.float32([channels, 1, 1], scale.data))]);
  return g.op('Add', [scaled, g.initializer(`${key}.bias`, Tensor.float32([channels, 1, 1], bias.data))]);
}

function block(g: OnnxGraphBuilder, w: WeightReader, x: string, i: number, sd: StateDict): string {
  let input = x;
  if (sd.has(`${i}.pool.0.weight`)) {
    const hidden = w.get(`${i}.pool.0.weight`).shape[0];
    let p = conv(g, w, input, `${i}.pool.0`, { bias: false, kernel: 1 });
    p = g.op('Relu', [groupNorm(g, w, p, `${i}.pool.1`, 4, hidden)]);
    p = conv(g, w, p, `${i}.pool.3`, { bias: false, kernel: 1 });
    input = g.op('Add', [input, p]);
  }
  let y = g.op('Relu', [conv(g, w, input, `${i}.conv.0`, { bias: true })]);
  y = g.op('Relu', [conv(g, w, y, `${i}.conv.2`, { bias: true })]);
  y = conv(g, w, y, `${i}.conv.4`, { bias: true });
  const skip = sd.has(`${i}.skip.weight`) ? conv(g, w, input, `${i}.skip`, { bias: false, kernel: 1 }) : input;
  return g.op('Relu', [g.op('Add', [y, skip])]);
}

/**
 * Builds the ONNX model. Encoder: `image` [B,3,H,W] in [0,1] → `latent` [B,C,H/8,W/8].
 * Decoder: `latent` → `image` [B,3,8h,8w] in [0,1]. Every weight of the checkpoint must be used.
 */
export function buildTaesdOnnx(sd: StateDict, info: TaesdInfo, file = 'checkpoint', options: { imageRange?: 'unit' | 'signed' } = {}): Uint8Array {
  // 'signed': images in [-1, 1] as diffusers' VAE nodes feed and expect them (x·0.5 + 0.5 in, 2y − 1 out).
  const signed = options.imageRange === 'signed';
  const g = new OnnxGraphBuilder({ graphName: info.architecture, producerName: 'latentloom' });
  const w = new WeightReader(sd, file);
  const encoder = info.architecture === 'taesd-encoder';
  let x = encoder ? g.input('image', 'float32', ['batch', 3, 'height', 'width']) : g.input('latent', 'float32', ['batch', info.latentChannels, 'height', 'width']);
  if (encoder && signed) x = g.op('Add', [g.op('Mul', [x, g.constant(Tensor.float32([], [0.5]))]), g.constant(Tensor.float32([], [0.5]))]);
  const layout = encoder ? ENCODER_LAYOUT : DECODER_LAYOUT;
  layout.forEach((kind, i) => {
    switch (kind) {
      case 'clamp': {
        const three = g.constant(Tensor.float32([], [3]));
        x = g.op('Mul', [g.op('Tanh', [g.op('Div', [x, three])]), three]);
        break;
      }
      case 'conv': x = conv(g, w, x, String(i), { bias: true }); break;
      case 'convnb': x = conv(g, w, x, String(i), { bias: false }); break;
      case 'down': x = conv(g, w, x, String(i), { bias: false, stride: 2 }); break;
      case 'relu': x = g.op('Relu', [x]); break;
      case 'up': x = g.op('Resize', [x, '', g.constant(Tensor.float32([4], [1, 1, 2, 2]))], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }); break;
      case 'block': x = block(g, w, x, i, sd); break;
    }
  });
  const unused = [...sd.keys()].filter((k) => !w.used.has(k));
  if (unused.length > 0) throw new ConvertError(`${file}: not a TAESD checkpoint of a known layout (unused weights: ${unused.slice(0, 5).join(', ')})`);
  if (!encoder && signed) x = g.op('Sub', [g.op('Mul', [x, g.constant(Tensor.float32([], [2]))]), g.constant(Tensor.float32([], [1]))]);
  if (encoder) g.output(x, 'latent', 'float32', ['batch', info.latentChannels, 'latent_height', 'latent_width']);
  else g.output(x, 'image', 'float32', ['batch', 3, 'image_height', 'image_width']);
  g.metadataProp('latentloom.architecture', info.architecture);
  g.metadataProp('latentloom.latent_channels', String(info.latentChannels));
  g.metadataProp('latentloom.image_range', signed ? '-1,1' : '0,1');
  return g.toBytes();
}
