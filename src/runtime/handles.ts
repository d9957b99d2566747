/**
 * Model handles: the small values that model nodes pass along their TEXT_ENCODER, DENOISER, VAE
 * and ONNX_MODEL sockets. A handle names a model file; sessions open lazily, through the
 * runtime's cache, when a node first runs the model (`runtime.session(handle.model)`).
 */
import type { ModelPackage } from './package.ts';
import type { ModelFile, SessionOptions } from './types.ts';
import type { LatentRgbMap } from './latentRgb.ts';

/** A model file that is located (and, for URL packages, downloaded) only when opened. */
export interface ModelFileRef {
  /** Stable identity, e.g. `builtin:toy-shapes#unet/model.onnx` or an absolute path. */
  readonly key: string;
  /** For messages: `unet/model.onnx`. */
  readonly label: string;
  resolve(): Promise<ModelFile>;
  /** Session options this model needs (e.g. free dimension overrides). */
  readonly sessionOptions?: SessionOptions;
}

export interface ModelPackageHandle {
  readonly kind: 'MODEL_PACKAGE';
  /** The models-table key the graph used. */
  readonly key: string;
  readonly package: ModelPackage;
}

export interface TextEncoderHandle {
  readonly kind: 'TEXT_ENCODER';
  readonly model: ModelFileRef;
  /** Index of the hidden-state output SD uses (`last_hidden_state`, first output if absent). */
  readonly hiddenStateOutput?: string;
  readonly pooledOutput?: string;
}

export interface DenoiserHandle {
  readonly kind: 'DENOISER';
  readonly model: ModelFileRef;
  /** Latent channels the package's scheduler / VAE expect (4 for SD). */
  readonly latentChannels?: number;
  /** How this denoiser's latents look as RGB without a VAE (live previews of its sampling loop). */
  readonly latentRgb?: LatentRgbMap;
}

export interface VaeHandle {
  readonly kind: 'VAE';
  readonly decoder?: ModelFileRef;
  readonly encoder?: ModelFileRef;
  /** Latents are multiplied by this after encoding and divided before decoding. */
  readonly scalingFactor: number;
  /** Input/output names when they differ from the diffusers export (`latent_sample`, `sample`). */
  readonly io?: {
    decoderInput?: string;
    decoderOutput?: string;
    encoderInput?: string;
    encoderOutput?: string;
  };
  /** Encoder output is a distribution (mean ‖ logvar, 2C channels); the mean is used. */
  readonly encoderOutputsMoments?: boolean;
}

export interface OnnxModelHandle {
  readonly kind: 'ONNX_MODEL';
  readonly model: ModelFileRef;
}

export function packageFileRef(pkg: ModelPackage, rel: string, sessionOptions?: SessionOptions): ModelFileRef {
  return {
    key: `${pkg.id}#${rel}`,
    label: rel,
    resolve: () => pkg.file(rel),
    sessionOptions,
  };
}

/** An ESRGAN-style image → image ONNX model (model/load-upscaler). */
export interface UpscalerHandle {
  readonly kind: 'UPSCALER';
  readonly model: ModelFileRef;
  /** Model input and output names (the first of each). */
  readonly inputName: string;
  readonly outputName: string;
  /** Fixed input height/width when the model's shape pins them (then tiles have that size). */
  readonly fixedTile?: { height: number; width: number };
}

export function isUpscalerHandle(value: unknown): value is UpscalerHandle {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'UPSCALER';
}
