/**
 * Shared by the metric and classifier nodes: a model file named by a path inside a connected
 * MODEL_PACKAGE (e.g. `image_encoder/model.onnx` of `builtin:toy-shapes-clip`), or, with no
 * package connected, by a local path or URL of the file itself; and the image preprocessing an
 * image model expects (resize to its fixed input size, normalisation).
 */
import { packageFileRef, type ModelFileRef, type ModelPackageHandle } from '../../src/runtime/handles.ts';
import { fileRefFromLocation, type Runtime } from '../../src/runtime/runtime.ts';
import type { ModelSession } from '../../src/runtime/types.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { resizeTensor } from '../../src/tensor/resample.ts';
import { toFloat32 } from '../../src/tensor/fp16.ts';

export function modelFileRef(runtime: Runtime, nodeId: string, pkg: ModelPackageHandle | undefined, file: string): Promise<ModelFileRef> | ModelFileRef {
  const rel = file.trim();
  if (!rel) throw new Error(`node "${nodeId}": no model file given`);
  if (pkg) return packageFileRef(pkg.package, rel.replace(/^\/+/, ''));
  return fileRefFromLocation(runtime, rel, `node "${nodeId}"`);
}

/**
 * A JSON/text file (e.g. statistics) inside the package, or at a path/URL when no package is
 * connected: local paths through the host's `readFile` (its allowed folders and size caps) where
 * it gives one, URLs as model files are fetched (the runtime's network policy and cache).
 */
export async function readTextFile(
  runtime: Runtime,
  nodeId: string,
  pkg: ModelPackageHandle | undefined,
  file: string,
  readLocal?: (path: string, kind: 'json') => Promise<Uint8Array>,
): Promise<string> {
  const rel = file.trim();
  if (!rel) throw new Error(`node "${nodeId}": no file given`);
  if (pkg) {
    if (!(await pkg.package.has(rel))) throw new Error(`node "${nodeId}": model "${pkg.key}" has no file ${rel}`);
    return new TextDecoder().decode(await pkg.package.readFile(rel));
  }
  if (readLocal && !/^https?:\/\//i.test(rel)) {
    return new TextDecoder().decode(await readLocal(rel.startsWith('file:') ? decodeURIComponent(new URL(rel).pathname) : rel, 'json'));
  }
  const cut = rel.lastIndexOf('/');
  let base = cut < 0 ? '.' : rel.slice(0, cut) || '/';
  if (/^https?:\/\//i.test(base)) base += '/';
  else if (!base.startsWith('/') && !base.startsWith('.') && !base.startsWith('file:')) base = `./${base}`;
  const source = runtime.packageSource({ source: base }, `node "${nodeId}"`);
  const name = rel.slice(cut + 1);
  if (!(await source.exists(name))) throw new Error(`node "${nodeId}": ${rel} does not exist`);
  return new TextDecoder().decode(await source.readFile(name));
}

/** Per-channel normalisations image models are trained with (applied to [0,1] pixels). */
export const IMAGE_NORMALIZATIONS = {
  none: { mean: [0, 0, 0], std: [1, 1, 1] },
  /** OpenAI CLIP (and open_clip's default). */
  clip: { mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] },
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  /** [0,1] → [-1,1]. */
  'minus-one-one': { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
} as const;
export type ImageNormalization = keyof typeof IMAGE_NORMALIZATIONS;
export const IMAGE_NORMALIZATION_NAMES = Object.keys(IMAGE_NORMALIZATIONS) as ImageNormalization[];

/** The model's image input: named, or the first input. */
export function imageInputName(session: ModelSession, nodeId: string, name: string): string {
  const wanted = name.trim();
  if (!wanted) {
    if (session.inputs.length === 0) throw new Error(`node "${nodeId}": ${session.label} has no inputs`);
    return session.inputs[0].name;
  }
  if (!session.inputs.some((m) => m.name === wanted)) {
    throw new Error(`node "${nodeId}": ${session.label} has no input \`${wanted}\`; inputs are: ${session.inputs.map((m) => m.name).join(', ')}`);
  }
  return wanted;
}

/** The model's output: named, or the first output. */
export function outputName(session: ModelSession, nodeId: string, name: string): string {
  const wanted = name.trim();
  if (!wanted) return session.outputs[0].name;
  if (!session.outputs.some((m) => m.name === wanted)) {
    throw new Error(`node "${nodeId}": ${session.label} has no output \`${wanted}\`; outputs are: ${session.outputs.map((m) => m.name).join(', ')}`);
  }
  return wanted;
}

/**
 * Runs an image model over a batch [B,3,H,W] in [0,1] and returns its output as rows [B, D]
 * (any trailing dims flattened). Images are resized (bilinear) to the model's input size when
 * the model fixes one, normalised, and fed in chunks of `batchSize` (1 when the model fixes batch 1).
 */
export async function runImageModel(
  session: ModelSession,
  nodeId: string,
  images: Tensor<'float32'>,
  options: { input: string; output: string; normalize: ImageNormalization; batchSize: number; signal?: AbortSignal },
): Promise<{ rows: Float32Array; dim: number }> {
  if (images.shape.length !== 4 || images.shape[1] !== 3) throw new Error(`node "${nodeId}": expected an IMAGE [B,3,H,W], got [${images.shape.join(',')}]`);
  const [count, , h, w] = images.shape;
  const meta = session.inputs.find((m) => m.name === options.input);
  const fixed = (i: number) => (typeof meta?.shape?.[i] === 'number' ? (meta.shape[i] as number) : undefined);
  const targetH = fixed(2) ?? h;
  const targetW = fixed(3) ?? w;
  let x: Tensor<'float32'> = targetH !== h || targetW !== w ? resizeTensor(images, targetH, targetW, { mode: 'bilinear' }) : images;
  const { mean, std } = IMAGE_NORMALIZATIONS[options.normalize];
  if (options.normalize !== 'none') {
    const plane = targetH * targetW;
    const data = new Float32Array(x.data.length);
    for (let b = 0; b < count; b++) for (let c = 0; c < 3; c++) {
      const at = (b * 3 + c) * plane;
      for (let i = 0; i < plane; i++) data[at + i] = (x.data[at + i] - mean[c]) / std[c];
    }
    x = Tensor.float32([count, 3, targetH, targetW], data);
  }
  const chunk = fixed(0) === 1 ? 1 : Math.max(1, Math.floor(options.batchSize));
  const per = 3 * targetH * targetW;
  let rows: Float32Array | undefined;
  let dim = 0;
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const feed = Tensor.float32([n, 3, targetH, targetW], x.data.slice(start * per, (start + n) * per));
    const out = (await session.run({ [options.input]: feed }, { nodeId, outputs: [options.output], signal: options.signal }))[options.output];
    if (!out || out.shape[0] !== n) throw new Error(`node "${nodeId}": ${session.label} output \`${options.output}\` has shape [${out?.shape.join(',')}], expected a batch of ${n} first`);
    const values = outputRows(out);
    if (!rows) {
      dim = values.length / n;
      rows = new Float32Array(count * dim);
    } else if (values.length !== n * dim) {
      throw new Error(`node "${nodeId}": ${session.label} output \`${options.output}\` changed width between batches`);
    }
    rows.set(values, start * dim);
  }
  return { rows: rows as Float32Array, dim };
}

/** A model output as float32 values (float16 and integer outputs converted). */
export function outputRows(out: Tensor): Float32Array {
  if (out.dtype === 'float32') return out.data as Float32Array;
  if (out.dtype === 'float16') return toFloat32(out).data;
  return Float32Array.from(out.data as ArrayLike<number | bigint>, Number);
}
