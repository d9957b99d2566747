/**
 * ESRGAN-family upscalers, recognised from their keys and shapes as spandrel does, built as ONNX
 * graphs that take and give RGB in [0, 1]:
 *
 * - RRDBNet (ESRGAN, Real-ESRGAN x4plus/x2plus and friends), in the current layout (`conv_first`,
 *   `body.N.rdbK.convJ`, `conv_body`, `conv_up1/2`, `conv_hr`, `conv_last`) and the original one
 *   (`model.0`, `model.1.sub.N.RDBK.convJ.0`, …). Real-ESRGAN's x2/x1 models pixel-unshuffle the
 *   input first (12 or 48 input channels). Residual dense blocks: five 3×3 convs over the running
 *   concatenation, LeakyReLU 0.2, scaled by 0.2 and added; three per RRDB, again scaled and added.
 * - SRVGGNetCompact (realesr-animevideov3, realesr-general-x4v3): a conv/PReLU chain, a
 *   pixel shuffle, plus the nearest-upsampled input.
 */
import { OnnxGraphBuilder } from '../onnx/builder.ts';
import { Tensor } from '../tensor/tensor.ts';
import { ConvertError, type StateDict } from './types.ts';

export interface RrdbInfo {
  architecture: 'rrdbnet';
  scale: number;
  blocks: number;
  features: number;
  growth: number;
  inChannels: number;
  outChannels: number;
  /** Pixel-unshuffle factor applied to the input (Real-ESRGAN x2: 2, x1: 4). */
  unshuffle: number;
  layout: 'current' | 'original';
}

export interface SrvggInfo {
  architecture: 'srvggnet-compact';
  scale: number;
  convs: number;
  features: number;
  inChannels: number;
  outChannels: number;
}

export type EsrganInfo = RrdbInfo | SrvggInfo;

/** Maps the original ESRGAN keys onto the current names so one builder serves both. */
function currentKeys(sd: StateDict): { sd: StateDict; layout: 'current' | 'original' } {
  if (sd.has('conv_first.weight')) return { sd, layout: 'current' };
  const mapped: StateDict = new Map();
  const tail: number[] = [];
  for (const [key, value] of sd) {
    const rdb = /^model\.1\.sub\.(\d+)\.RDB(\d)\.conv(\d)\.0\.(weight|bias)$/.exec(key);
    if (rdb) {
      mapped.set(`body.${rdb[1]}.rdb${rdb[2]}.conv${rdb[3]}.${rdb[4]}`, value);
      continue;
    }
    const top = /^model\.(\d+)\.(weight|bias)$/.exec(key);
    if (top) {
      const index = Number(top[1]);
      if (index === 0) mapped.set(`conv_first.${top[2]}`, value);
      else if (!tail.includes(index)) tail.push(index);
      continue;
    }
    const trunk = /^model\.1\.sub\.(\d+)\.(weight|bias)$/.exec(key);
    if (trunk) mapped.set(`conv_body.${trunk[2]}`, value);
    else mapped.set(key, value);
  }
  // After the trunk: upsampling convs, then the HR conv and the last conv.
  tail.sort((a, b) => a - b);
  const names = [...tail.slice(0, -2).map((_, i) => `conv_up${i + 1}`), 'conv_hr', 'conv_last'];
  tail.forEach((index, i) => {
    for (const part of ['weight', 'bias']) {
      const v = sd.get(`model.${index}.${part}`);
      if (v) mapped.set(`${names[i]}.${part}`, v);
    }
  });
  return { sd: mapped, layout: 'original' };
}

export function detectEsrgan(original: StateDict): { info: EsrganInfo; sd: StateDict } | undefined {
  const { sd, layout } = currentKeys(original);
  const first = sd.get('conv_first.weight')?.shape;
  const last = sd.get('conv_last.weight')?.shape;
  if (first && last && sd.has('body.0.rdb1.conv1.weight')) {
    let blocks = 0;
    while (sd.has(`body.${blocks}.rdb1.conv1.weight`)) blocks++;
    let ups = 0;
    while (sd.has(`conv_up${ups + 1}.weight`)) ups++;
    const growth = sd.get('body.0.rdb1.conv1.weight')!.shape[0];
    const inChannels = last[0];
    const unshuffle = first[1] === inChannels * 16 ? 4 : first[1] === inChannels * 4 ? 2 : 1;
    if (first[1] !== inChannels * unshuffle * unshuffle) return undefined;
    return { info: { architecture: 'rrdbnet', scale: 2 ** ups / unshuffle, blocks, features: first[0], growth, inChannels, outChannels: last[0], unshuffle, layout }, sd };
  }
  const body0 = original.get('body.0.weight')?.shape;
  const prelu = original.get('body.1.weight')?.shape;
  if (body0 && body0.length === 4 && prelu && prelu.length === 1) {
    let lastConv = 0;
    for (const key of original.keys()) {
      const m = /^body\.(\d+)\.weight$/.exec(key);
      if (m && original.get(key)!.shape.length === 4) lastConv = Math.max(lastConv, Number(m[1]));
    }
    const out = original.get(`body.${lastConv}.weight`)!.shape;
    const inChannels = body0[1];
    const scale = Math.round(Math.sqrt(out[0] / inChannels));
    if (scale * scale * inChannels !== out[0]) return undefined;
    return { info: { architecture: 'srvggnet-compact', scale, convs: lastConv / 2 - 1, features: body0[0], inChannels, outChannels: inChannels }, sd: original };
  }
  return undefined;
}

class Weights {
  readonly used = new Set<string>();
  constructor(private readonly g: OnnxGraphBuilder, private readonly sd: StateDict, private readonly file: string) {}
  init(key: string, shape?: number[]): string {
    const w = this.sd.get(key);
    if (!w) throw new ConvertError(`${this.file}: weight "${key}" is missing`);
    this.used.add(key);
    return this.g.initializer(key, Tensor.float32(shape ?? w.shape, w.data));
  }
  has(key: string) {
    return this.sd.has(key);
  }
  unused(): string[] {
    return [...this.sd.keys()].filter((k) => !this.used.has(k));
  }
}

function conv3(g: OnnxGraphBuilder, w: Weights, x: string, key: string): string {
  const inputs = [x, w.init(`${key}.weight`)];
  if (w.has(`${key}.bias`)) inputs.push(w.init(`${key}.bias`));
  return g.op('Conv', inputs, { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
}

const lrelu = (g: OnnxGraphBuilder, x: string) => g.op('LeakyRelu', [x], { alpha: 0.2 });
const upNearest = (g: OnnxGraphBuilder, x: string, s: number) =>
  g.op('Resize', [x, '', g.constant(Tensor.float32([4], [1, 1, s, s]))], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });

function residualScaled(g: OnnxGraphBuilder, y: string, x: string): string {
  return g.op('Add', [g.op('Mul', [y, g.constant(Tensor.float32([], [0.2]))]), x]);
}

function rrdb(g: OnnxGraphBuilder, w: Weights, x: string, i: number): string {
  let h = x;
  for (let k = 1; k <= 3; k++) {
    const feats = [h];
    for (let j = 1; j <= 5; j++) {
      const input = feats.length === 1 ? feats[0] : g.op('Concat', feats, { axis: 1 });
      const y = conv3(g, w, input, `body.${i}.rdb${k}.conv${j}`);
      feats.push(j < 5 ? lrelu(g, y) : y);
    }
    h = residualScaled(g, feats[5], h);
  }
  return residualScaled(g, h, x);
}

/** torch's pixel_unshuffle (channel = c·r² + i·r + j): SpaceToDepth orders blocks first, so regather. */
function pixelUnshuffle(g: OnnxGraphBuilder, x: string, r: number, channels: number): string {
  const s2d = g.op('SpaceToDepth', [x], { blocksize: r });
  const order: number[] = [];
  for (let c = 0; c < channels; c++) for (let k = 0; k < r * r; k++) order.push(k * channels + c);
  return g.op('Gather', [s2d, g.constant(Tensor.int64([order.length], order))], { axis: 1 });
}

export function buildEsrganOnnx(detected: { info: EsrganInfo; sd: StateDict }, file = 'checkpoint'): Uint8Array {
  const { info, sd } = detected;
  const g = new OnnxGraphBuilder({ graphName: info.architecture, producerName: 'latentloom' });
  const w = new Weights(g, sd, file);
  const input = g.input('image', 'float32', ['batch', info.inChannels, 'height', 'width']);
  let out: string;
  if (info.architecture === 'rrdbnet') {
    const x = info.unshuffle > 1 ? pixelUnshuffle(g, input, info.unshuffle, info.inChannels) : input;
    const feat = conv3(g, w, x, 'conv_first');
    let body = feat;
    for (let i = 0; i < info.blocks; i++) body = rrdb(g, w, body, i);
    let h = g.op('Add', [feat, conv3(g, w, body, 'conv_body')]);
    for (let u = 1; w.has(`conv_up${u}.weight`); u++) h = lrelu(g, conv3(g, w, upNearest(g, h, 2), `conv_up${u}`));
    out = conv3(g, w, lrelu(g, conv3(g, w, h, 'conv_hr')), 'conv_last');
  } else {
    let h = input;
    const last = 2 * (info.convs + 1);
    for (let i = 0; i <= last; i += 2) {
      h = conv3(g, w, h, `body.${i}`);
      if (i < last) h = g.op('PRelu', [h, w.init(`body.${i + 1}.weight`, [info.features, 1, 1])]);
    }
    const shuffled = g.op('DepthToSpace', [h], { blocksize: info.scale, mode: 'CRD' });
    out = g.op('Add', [shuffled, upNearest(g, input, info.scale)]);
  }
  const unused = w.unused();
  if (unused.length > 0) throw new ConvertError(`${file}: not a ${info.architecture} of a known layout (unused weights: ${unused.slice(0, 5).join(', ')})`);
  g.output(out, 'upscaled', 'float32', ['batch', info.outChannels, 'out_height', 'out_width']);
  g.metadataProp('latentloom.architecture', info.architecture);
  g.metadataProp('latentloom.scale', String(info.scale));
  g.metadataProp('latentloom.image_range', '0,1');
  return g.toBytes();
}
